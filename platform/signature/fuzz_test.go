package signature

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzSignVerify checks, for any JSON object, that what Sign and SignJSON
// produce verifies, that the canonical string is the first candidate and
// that a signature of another string is rejected.
func FuzzSignVerify(f *testing.F) {
	body, err := os.ReadFile(filepath.Join("testdata", "signature_vectors.json"))
	if err != nil {
		f.Fatal(err)
	}
	var doc struct {
		Canonical, Lenient []struct {
			Data json.RawMessage `json:"data"`
		}
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		f.Fatal(err)
	}
	for _, v := range append(doc.Canonical, doc.Lenient...) {
		f.Add([]byte(v.Data), "secret")
	}
	f.Add([]byte(`{"a:":{"":[null,true,1.5e3,{}]},"a":{"::":"x"},"general":{"signature":1}}`), "")

	f.Fuzz(func(t *testing.T, body []byte, secret string) {
		data, err := Decode(body)
		if err != nil {
			return
		}
		canon := Canonical(data)
		if again := Canonical(data); again != canon {
			t.Fatalf("Canonical is not deterministic: %q then %q", canon, again)
		}
		if c := candidates(data); c[0] != canon {
			t.Fatalf("first candidate %q is not the canonical string %q", c[0], canon)
		}
		sig := Sign(data, secret)
		if err := Verify(data, sig, secret); err != nil {
			t.Fatalf("Verify(Sign): %v", err)
		}
		if err := Verify(data, SignString(canon+";", secret), secret); err == nil {
			t.Fatalf("Verify accepted the signature of %q", canon+";")
		}
		if m := Diagnose(body, sig, secret); m != "" {
			t.Fatalf("Diagnose found a mistake in a right signature: %s", m)
		}
		_ = Diagnose(body, SignString(canon+";", secret), secret) // any body, without a panic
		if _, ok := data["signature"]; ok {
			return
		}
		out, err := SignJSON(body, secret)
		if err != nil {
			t.Fatalf("SignJSON: %v", err)
		}
		signed, err := Decode(out)
		if err != nil {
			t.Fatalf("SignJSON made invalid JSON %q: %v", out, err)
		}
		if got, _ := signed["signature"].(string); got != sig {
			t.Fatalf("SignJSON signature = %q, want %q", got, sig)
		}
		if Canonical(signed) != canon {
			t.Fatalf("SignJSON changed the data: %q, want %q", Canonical(signed), canon)
		}
	})
}
