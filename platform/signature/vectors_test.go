package signature

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// vector is one entry of testdata/signature_vectors.json.
type vector struct {
	name      string
	secret    string
	data      map[string]any
	str       string
	signature string
	hasSig    bool
	valid     bool
}

// loadVectors reads the published vectors with Decode, so numbers keep the
// text they are written with.
func loadVectors(t testing.TB) (canonical, lenient []vector) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "signature_vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	parse := func(section string) []vector {
		entries, ok := doc[section].([]any)
		if !ok || len(entries) == 0 {
			t.Fatalf("vectors: no %q entries", section)
		}
		var vs []vector
		for i, e := range entries {
			m, ok := e.(map[string]any)
			if !ok {
				t.Fatalf("vectors: %s[%d] is %T", section, i, e)
			}
			v := vector{
				name:   str(t, m, "name"),
				secret: str(t, m, "secret"),
				str:    str(t, m, "string"),
			}
			if v.data, ok = m["data"].(map[string]any); !ok {
				t.Fatalf("vectors: %s: data is %T", v.name, m["data"])
			}
			if v.valid, ok = m["valid"].(bool); !ok {
				t.Fatalf("vectors: %s: valid is %T", v.name, m["valid"])
			}
			if _, v.hasSig = m["signature"]; v.hasSig {
				v.signature = str(t, m, "signature")
			}
			vs = append(vs, v)
		}
		return vs
	}
	return parse("canonical"), parse("lenient")
}

func str(t testing.TB, m map[string]any, key string) string {
	t.Helper()
	s, ok := m[key].(string)
	if !ok {
		t.Fatalf("vectors: %q is %T, want string", key, m[key])
	}
	return s
}

func TestCanonicalVectors(t *testing.T) {
	t.Parallel()
	vectors, _ := loadVectors(t)
	noSignature := map[string]bool{"rule-colon-in-key": true, "sdk-go-string-only": true}
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			if got := Canonical(v.data); got != v.str {
				t.Errorf("Canonical:\n got %s\nwant %s", got, v.str)
			}
			if noSignature[v.name] {
				if v.hasSig {
					t.Fatalf("vector unexpectedly has a signature")
				}
				return
			}
			if !v.hasSig {
				t.Fatalf("vector has no signature")
			}
			if v.valid {
				if got := Sign(v.data, v.secret); got != v.signature {
					t.Errorf("Sign = %s, want %s", got, v.signature)
				}
			}
			err := Verify(v.data, v.signature, v.secret)
			if v.valid && err != nil {
				t.Errorf("Verify: %v", err)
			}
			if !v.valid {
				var m *Mismatch
				if !errors.As(err, &m) {
					t.Fatalf("Verify = %v, want a *Mismatch", err)
				}
				if m.Signed != v.str {
					t.Errorf("Mismatch.Signed = %q, want %q", m.Signed, v.str)
				}
			}
		})
	}
}

func TestLenientVectors(t *testing.T) {
	t.Parallel()
	_, vectors := loadVectors(t)
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			if !v.valid || !v.hasSig {
				t.Fatalf("lenient vector must be valid and signed")
			}
			if err := Verify(v.data, v.signature, v.secret); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

// TestLenientVectorsNeedAlternatives makes sure the lenient vectors really
// exercise the alternative orderings: all but the Python one are rejected by
// the canonical string alone.
func TestLenientVectorsNeedAlternatives(t *testing.T) {
	t.Parallel()
	_, vectors := loadVectors(t)
	for _, v := range vectors {
		canonicalOK := SignString(Canonical(v.data), v.secret) == v.signature
		if want := v.name == "lenient-python-list-order"; canonicalOK != want {
			t.Errorf("%s: canonical string matches = %v, want %v", v.name, canonicalOK, want)
		}
	}
}
