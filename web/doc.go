// Package web owns what people see in the sandbox: the embedded HTML
// templates, the stylesheet and script, and one typed view model per page
// (VoucherPage, TerminalPage, ErrorPage, …).
//
// Every page is rendered by a Renderer from html/template, so whatever a
// merchant sent (descriptions, customer names, URLs) is escaped for the
// context it lands in; nothing merchant-provided is ever marked safe. All
// pages share one layout (templates/layout.html) with a header that carries a
// "Sandbox" badge, so nobody mistakes a sandbox page for production, and
// the components in templates/components.html. Everything is embedded: the
// sandbox runs offline, with no external fonts or CDNs.
//
// To add a page: write templates/<name>.html defining the blocks "title"
// and "content" (and optionally "head"), add its view model embedding Page
// to models.go, and render it with Renderer.Render or Renderer.Write under
// <name>. StaticHandler serves the assets under /static/.
//
// web depends on the domain (platform) only: it knows no provider, no
// storage and no HTTP router.
package web
