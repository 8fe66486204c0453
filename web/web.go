package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/*
var staticFS embed.FS

// StaticPrefix is the path under which StaticHandler serves the assets.
const StaticPrefix = "/static/"

// shared are the templates every page is parsed with.
var shared = []string{"templates/layout.html", "templates/components.html"}

// Renderer renders the sandbox's pages. It parses every template once, in
// New, and is safe for concurrent use.
type Renderer struct {
	pages map[string]*template.Template
}

// New parses every template: the layout and components, then each page
// (templates/<name>.html) into its own set, so pages can define the same
// blocks. Each of providers is a set of a provider's own pages
// (<name>.html at its root, see platform/hosted), parsed the same way with
// the same layout. A page name is used once: a set may repeat a page only
// with the very same text (voucher methods share their pages).
func New(providers ...fs.FS) (*Renderer, error) {
	assets, err := loadAssets()
	if err != nil {
		return nil, err
	}
	base, err := template.New("layout.html").Funcs(funcs(assets)).ParseFS(templateFS, shared...)
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	r := &Renderer{pages: make(map[string]*template.Template)}
	texts := make(map[string][]byte) // each page's text, to tell a repeat from a clash
	add := func(fsys fs.FS, pattern string) error {
		files, err := fs.Glob(fsys, pattern)
		if err != nil {
			return fmt.Errorf("web: list templates: %w", err)
		}
		for _, f := range files {
			if pattern == sandboxPages && slices.Contains(shared, f) {
				continue
			}
			text, err := fs.ReadFile(fsys, f)
			if err != nil {
				return fmt.Errorf("web: read %s: %w", f, err)
			}
			name := strings.TrimSuffix(path.Base(f), ".html")
			if seen, dup := texts[name]; dup {
				if bytes.Equal(seen, text) {
					continue
				}
				return fmt.Errorf("web: two different pages are named %s.html: rename one of them", name)
			}
			t, err := base.Clone()
			if err != nil {
				return fmt.Errorf("web: clone layout for %s: %w", f, err)
			}
			if t, err = t.New(path.Base(f)).Parse(string(text)); err != nil {
				return fmt.Errorf("web: parse %s: %w", f, err)
			}
			r.pages[name], texts[name] = t, text
		}
		return nil
	}
	if err := add(templateFS, sandboxPages); err != nil {
		return nil, err
	}
	for _, fsys := range providers {
		if err := add(fsys, "*.html"); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// sandboxPages are the sandbox's own pages, the layout and components among them.
const sandboxPages = "templates/*.html"

// Pages returns the names of the pages the renderer knows, sorted.
func (r *Renderer) Pages() []string {
	names := make([]string, 0, len(r.pages))
	for n := range r.pages {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Render writes the page name ("voucher", "terminal", "error", …) with its
// view model data. Nothing is written when rendering fails.
func (r *Renderer) Render(w io.Writer, name string, data any) error {
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("web: no page %q; the renderer knows %v", name, r.Pages())
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// Write renders a page as a complete HTTP answer with status, as HTML with
// the sandbox's security headers. When rendering fails nothing is written
// and the error is returned, so the caller can answer otherwise.
func (r *Renderer) Write(w http.ResponseWriter, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := r.Render(&buf, name, data); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	// The server sets the full policy of each page, which differs by who may
	// frame it; without one, only the sandbox's own script may run.
	if h.Get("Content-Security-Policy") == "" {
		h.Set("Content-Security-Policy", "script-src 'self'; object-src 'none'; base-uri 'none'")
	}
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// asset is one embedded static file with what is needed to serve it.
type asset struct {
	body    []byte
	version string // the first hex digits of its SHA-256
	ctype   string
}

func loadAssets() (map[string]asset, error) {
	files, err := fs.Glob(staticFS, "static/*")
	if err != nil {
		return nil, fmt.Errorf("web: list static files: %w", err)
	}
	out := make(map[string]asset, len(files))
	for _, f := range files {
		b, err := staticFS.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("web: read %s: %w", f, err)
		}
		sum := sha256.Sum256(b)
		ctype := mime.TypeByExtension(path.Ext(f))
		if ctype == "" {
			ctype = http.DetectContentType(b)
		}
		out[path.Base(f)] = asset{body: b, version: hex.EncodeToString(sum[:])[:12], ctype: ctype}
	}
	return out, nil
}

// AssetURL returns the URL of a static file with its content version, e.g.
// "/static/style.css?v=1a2b3c4d5e6f"; pages link assets this way, so they
// can be cached for good.
func AssetURL(name string) string {
	assets, err := loadAssets()
	if err != nil {
		return StaticPrefix + name
	}
	return assetURL(assets, name)
}

func assetURL(assets map[string]asset, name string) string {
	a, ok := assets[name]
	if !ok {
		return StaticPrefix + name
	}
	return StaticPrefix + name + "?v=" + a.version
}

// StaticHandler serves the embedded stylesheet, script and icons under
// /static/ (mount it at StaticPrefix without stripping it). A request that
// names the current version (?v=…, as AssetURL writes it) may be cached for
// a year; any other is revalidated with its ETag.
func StaticHandler() http.Handler {
	assets, err := loadAssets()
	if err != nil {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name, ok := strings.CutPrefix(req.URL.Path, StaticPrefix)
		a, found := assets[name]
		if !ok || !found || strings.Contains(name, "/") {
			http.NotFound(w, req)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("ETag", `"`+a.version+`"`)
		h.Set("X-Content-Type-Options", "nosniff")
		if req.URL.Query().Get("v") == a.version {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "public, no-cache")
		}
		http.ServeContent(w, req, name, time.Time{}, bytes.NewReader(a.body))
	})
}
