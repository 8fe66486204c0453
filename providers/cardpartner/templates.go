package cardpartner

import (
	"embed"
	"io/fs"

	"github.com/ecommpay-sandbox/sandbox/platform/hosted"
)

//go:embed templates/*.html
var templates embed.FS

// Templates returns the provider's pages: its checkout and its result.
func (p *Provider) Templates() []fs.FS { return []fs.FS{hosted.Folder(templates, "templates")} }
