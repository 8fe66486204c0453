package voucher

import (
	"embed"
	"io/fs"

	"github.com/ecommpay-sandbox/sandbox/platform/hosted"
)

//go:embed templates/*.html
var templates embed.FS

// Templates returns the pages every voucher method shares (voucher,
// terminal) and the method's own (Config.Templates), for the renderer.
func (p *Provider) Templates() []fs.FS {
	shared := hosted.Folder(templates, "templates")
	if p.cfg.Templates == nil {
		return []fs.FS{shared}
	}
	return []fs.FS{shared, p.cfg.Templates}
}
