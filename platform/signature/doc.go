// Package signature is the single source of ecommpay's request and message
// signing for the whole sandbox: it verifies Gate request bodies, Payment
// Page URL parameters and status requests, and signs callbacks,
// check_deposit requests and status responses (docs/gate.md "Signature").
//
// # Algorithm
//
// A message is signed over its canonical string:
//
//  1. The signature itself is dropped, wherever it sits: at the top level or
//     as general.signature. Every key named frame_mode is dropped at any
//     depth.
//  2. The rest is flattened to path:value pairs. Nested object keys join
//     with ':' (customer:identify:doc_number) and list items use their
//     0-based index (errors:0:code). A ':' inside a key is written "::".
//  3. Strings are taken verbatim and numbers as written in the JSON (bodies
//     are decoded with UseNumber, see Decode); Go integers are written in
//     decimal and float64 in the shortest 'f' format. true and false become
//     1 and 0. null becomes the empty string but the pair stays
//     (description:). Empty objects and lists contribute nothing.
//  4. The pairs are sorted by flattened key in byte order and joined with
//     ';', with no trailing ';'.
//
// The signature is the standard Base64 (with padding) of the HMAC-SHA512 of
// the canonical string keyed with the project's secret. Canonical, Sign and
// SignJSON produce it; SignString signs a string built elsewhere.
//
// # Lenient verification
//
// The official SDKs agree on ordinary payloads but order pairs differently
// in edge cases: lists of 11 or more items, a key that prefixes a sibling
// (a and a1), ':' in keys. Verify therefore accepts a signature of any of
// these strings:
//
//   - the canonical string: pairs sorted by flattened key, as the Python SDK
//     does;
//   - the JS SDK order: object keys sorted at each level with children
//     emitted in place, list items in index order, so {"a":{"b":1},"a1":2}
//     gives a:b:1;a1:2 where the canonical string is a1:2;a:b:1;
//   - the PHP SDK order: flattened keys in natural order, runs of digits
//     compared as numbers, so list items come in index order 0, 1, 2, …, 10;
//   - the Go and Java SDK order: whole key:value strings sorted byte-wise.
//
// When a key contains ':', the same orderings are also tried with it left
// unescaped, as the JS and Go SDKs write it. The canonical string is tried
// first; the others are built, deduplicated and tried only when it does not
// match. Signatures are compared in constant time.
//
// VerifyForm verifies Payment Page parameters the same way, with booleans
// normalised (true, True and TRUE read as 1; false, False and FALSE as 0,
// since the SDKs sign 1 and 0 but URLs carry other spellings) and accepting
// a signature computed with or without the top-level parameters whose names
// start with "_", which the official plugins add unsigned.
//
// A rejected signature is reported as a *Mismatch, whose message shows the
// string the sandbox signed, values included and the secret never, so a
// developer can diff it against the string their code signs.
package signature
