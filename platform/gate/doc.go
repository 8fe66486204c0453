// Package gate serves ecommpay's Gate API v2 as merchants' servers call it:
// the sale endpoints of every registered method, the status request, the
// card-partner refund and the clarification request.
//
// A handler decodes the JSON body, finds the project, verifies the
// signature, checks the required fields, calls the engine once and encodes
// its answer. The synchronous answer only says whether the request was
// accepted (SPEC.md §3.1); what happens to the payment comes later, by
// callback. Checks run in ecommpay's order and the first failure answers:
// JSON (2003), project (2442), signature (3262, 3261), required fields (2004),
// payment ID unused (3041).
package gate
