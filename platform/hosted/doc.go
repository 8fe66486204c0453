// Package hosted is the contract between the sandbox and a mock provider's
// own pages (a voucher, a terminal, a checkout): what those pages may ask
// of the engine (Engine, a narrow view of *platform.Engine), how a provider
// offers them (Pages: its templates and its routes), how the sandbox mounts
// them (Renderer, Mount), and how a page answers a failure (Fail).
//
// The app and platform/enginetest both mount providers' pages through this
// package, so a provider's pages behave the same in its own tests and in
// the sandbox.
package hosted
