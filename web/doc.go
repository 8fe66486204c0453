// Package web owns what people see in the sandbox: the embedded HTML
// templates of the sandbox's own pages (the Payment Page, the home page,
// the dashboard, errors), the layout and components every page shares, the
// stylesheet and script, and one typed view model per page (PaymentPage,
// ErrorPage, …). A mock provider's pages (a voucher, a checkout) live in
// its own folder, templates and view models alike, and are parsed here
// with the same layout (New's providers, see platform/hosted).
//
// Every page is rendered by a Renderer from html/template, so whatever a
// merchant sent (descriptions, customer names, URLs) is escaped for the
// context it lands in; nothing merchant-provided is ever marked safe. All
// pages share one layout (templates/layout.html) with a header that carries a
// "Sandbox" badge, so nobody mistakes a sandbox page for production, and
// the components in templates/components.html. Everything is embedded: the
// sandbox runs offline, with no external fonts or CDNs.
//
// To add a page of the sandbox: write templates/<name>.html defining the
// blocks "title" and "content" (and optionally "head"), add its view model
// embedding Page to models.go, and render it with Renderer.Render or
// Renderer.Write under <name>. A provider's page is the same, in the
// provider's folder. StaticHandler serves the assets under /static/.
//
// web depends on the domain (platform) only: it knows no provider, no
// storage and no HTTP router.
package web
