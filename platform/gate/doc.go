// Package gate serves ecommpay's Gate API v2 as merchants' servers call it:
// the sale and refund endpoints of every registered method, the status
// request and the clarification request.
//
// A handler decodes the JSON body, finds the project, verifies the
// signature, checks the fields, calls the engine once and encodes its
// answer. The synchronous answer only says whether the request was accepted
// (docs/gate.md "Synchronous answers"); what happens to the payment comes later, by callback.
// Checks run in ecommpay's order and the first failure answers:
//
//   - JSON (2003): the body is not a JSON object, and the answer says why
//     (empty, a byte order mark, not UTF-8, where the JSON breaks, a form);
//   - project (2442): general.project_id is missing, not a positive whole
//     number, or names no project;
//   - signature (3262, 3261; 2003 for a signature that is not a string);
//   - field types (2003): a field the Gate reads has the wrong JSON type (an
//     object or a list where a string is due, a number for an ID, a
//     fraction for an amount), every such field named;
//   - required fields (2004), every missing one named;
//   - values (2003): an ID longer than 255 characters, a negative amount or
//     one above platform.MaxAmount, a currency that is not three capital
//     letters, a URL that is not absolute, every such field named;
//   - the method (2541) on a sale endpoint of a method not emulated;
//   - payment ID unused (3041).
//
// Every answer carries a request_id of its own; an error answer carries the
// project_id and payment_id once they are known, and errors[] with the
// field at fault, when there is one. A refused request is handed to the
// engine's Refused with its answer and body, for the control API and the
// dashboard to show, and logged on its request's line.
package gate
