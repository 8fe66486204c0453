package paymentpage

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"path"
)

//go:embed assets/*.js
var assetFS embed.FS

// asset is one of the pages' scripts with its content version.
type asset struct {
	body    []byte
	version string
}

// assets are the pages' scripts by name: page.js (polling, auto-submit,
// busy buttons, the iframe's height) and shop.js (the sample shop's widget
// buttons).
var assets = loadAssets()

func loadAssets() map[string]asset {
	out := map[string]asset{}
	files, _ := assetFS.ReadDir("assets") // embedded: cannot fail
	for _, f := range files {
		b, _ := assetFS.ReadFile(path.Join("assets", f.Name()))
		sum := sha256.Sum256(b)
		out[f.Name()] = asset{body: b, version: hex.EncodeToString(sum[:])[:12]}
	}
	return out
}

// assetURL is the URL of a script with its content version, so it can be
// cached for good.
func assetURL(name string) string {
	a, ok := assets[name]
	if !ok {
		return PathAssets + name
	}
	return PathAssets + name + "?v=" + a.version
}
