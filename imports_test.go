package sandbox_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/ecommpay-sandbox/sandbox"

// rule is one row of docs/architecture.md's package table: a package (a prefix ending
// in "/" covers every package below it) and what it must not import.
type rule struct {
	pkg    string
	banned []string
	// ourOnly lists the only packages of ours it may import (nil: no limit).
	ourOnly []string
	// stdOnly bans everything outside the standard library.
	stdOnly bool
	// direct checks the package's own imports only, not what they import
	// in turn: scenarios reaches the store through sandboxtest and app,
	// which run the sandbox it drives over HTTP.
	direct bool
}

// Banned entries name packages of ours by their path in the module
// ("platform/bolt"; a trailing "/" covers a whole folder) and other packages
// by their import path prefix ("go.etcd.io/bbolt").
var rules = []rule{
	{pkg: "platform", banned: []string{"github.com/labstack/echo", "go.etcd.io/bbolt", "net/http", "html/template"}, ourOnly: []string{}},
	{pkg: "platform/signature", stdOnly: true},
	{pkg: "platform/bolt", banned: []string{"github.com/labstack/echo", "providers/", "web"}},
	{pkg: "platform/gate", banned: []string{"platform/bolt", "providers/", "go.etcd.io/bbolt"}},
	{pkg: "platform/paymentpage", banned: []string{"platform/bolt", "providers/", "go.etcd.io/bbolt"}},
	{pkg: "platform/callback", banned: []string{"github.com/labstack/echo", "web", "providers/", "platform/bolt", "go.etcd.io/bbolt"}},
	{pkg: "platform/hosted", banned: []string{"platform/bolt", "providers/", "platform/gate", "platform/paymentpage", "platform/control", "go.etcd.io/bbolt"}},
	{pkg: "platform/control", banned: []string{"platform/bolt", "go.etcd.io/bbolt"}},
	{pkg: "providers/", banned: []string{"platform/bolt", "platform/gate", "platform/paymentpage", "go.etcd.io/bbolt"}},
	// internal/toymethod is a method made for tests: the same rules as a provider.
	// internal/golden is the tests' golden files, internal/testlog their
	// log buffer, internal/testparallel how many run at once: the standard
	// library only.
	{pkg: "internal/golden", stdOnly: true},
	{pkg: "internal/testlog", stdOnly: true},
	{pkg: "internal/testparallel", stdOnly: true},
	{pkg: "internal/testnet", stdOnly: true},
	{pkg: "internal/", banned: []string{"platform/bolt", "platform/gate", "platform/paymentpage", "platform/control", "providers/", "app", "go.etcd.io/bbolt"}},
	{pkg: "web", banned: []string{"platform/bolt", "providers/", "platform/gate", "go.etcd.io/bbolt"}},
	{pkg: "scenarios", banned: []string{"platform/bolt", "go.etcd.io/bbolt", "app", "platform", "platform/gate", "platform/control", "platform/paymentpage", "providers/", "github.com/labstack/echo"}, direct: true},
	{pkg: "sandboxtest", banned: []string{"platform/bolt", "go.etcd.io/bbolt", "providers/", "github.com/labstack/echo"}, direct: true},
	// Nothing of the product imports app but cmd/sandbox and sandboxtest.
	{pkg: "platform/", banned: []string{"app"}},
	{pkg: "providers/", banned: []string{"app"}},
	{pkg: "web", banned: []string{"app"}},
}

type listed struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Standard   bool
}

// TestImportRules enforces the direction of imports of docs/architecture.md.
func TestImportRules(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("go", "list", "-e", "-json", "./...")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(out)
	var pkgs []listed
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, p := range pkgs {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		for _, r := range rules {
			if !matches(rel, r.pkg) {
				continue
			}
			checked++
			deps := p.Deps
			if r.direct {
				deps = p.Imports
			}
			for _, dep := range deps {
				depRel, ours := strings.CutPrefix(dep, module+"/")
				if r.stdOnly && !isStandard(dep) {
					t.Errorf("%s imports %s: it may import the standard library only", rel, dep)
				}
				if r.ourOnly != nil && ours {
					t.Errorf("%s imports %s: docs/architecture.md says it imports no other package of ours", rel, depRel)
				}
				for _, b := range r.banned {
					if isOurs(b) {
						if ours && matches(depRel, b) {
							t.Errorf("%s imports %s: docs/architecture.md says it must not import %s", rel, depRel, b)
						}
					} else if !ours && (dep == b || strings.HasPrefix(dep, b+"/")) {
						t.Errorf("%s imports %s: docs/architecture.md says it must not", rel, dep)
					}
				}
				// A provider must not import another provider; voucher is shared.
				if strings.HasPrefix(rel, "providers/") && ours && strings.HasPrefix(depRel, "providers/") &&
					depRel != "providers/voucher" && !strings.HasPrefix(depRel, rel) {
					t.Errorf("%s imports another provider, %s", rel, depRel)
				}
			}
		}
	}
	if checked < 5 {
		t.Fatalf("only %d packages were checked: the rules no longer match the tree", checked)
	}
}

// isOurs reports whether a banned entry names a package of this module.
func isOurs(b string) bool {
	return !strings.Contains(strings.SplitN(b, "/", 2)[0], ".")
}

// matches reports whether rel is pkg or, for a pkg ending in "/", below it.
func matches(rel, pkg string) bool {
	if strings.HasSuffix(pkg, "/") {
		return strings.HasPrefix(rel, pkg)
	}
	return rel == pkg
}

// isStandard reports whether an import path is the standard library's, as
// the go command tells them: no dot in the first element (a module's path
// has one). It spares a run of go list std, half a CPU-second.
func isStandard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
