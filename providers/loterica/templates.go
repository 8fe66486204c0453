package loterica

import (
	"embed"
	"io/fs"

	"github.com/ecommpay-sandbox/sandbox/platform/hosted"
)

//go:embed templates/*.html
var templates embed.FS

// Templates returns Lotérica's own voucher page (loterica_voucher), in
// Portuguese.
func Templates() fs.FS { return hosted.Folder(templates, "templates") }
