package signature

import (
	"fmt"
	"strings"
	"testing"
)

// jsonTexts are JSON texts whose reading from bytes must agree with
// Decode: escapes, bytes that are not UTF-8, dropped members, ':' in keys,
// numbers as written, nesting, and texts that are not objects at all.
var jsonTexts = []string{
	callbackBody,
	gateSaleBody,
	`{}`,
	" \t\n{ \"a\" : [ 1 , -2.50e+3 , true , false , null , \"\" , { } , [ ] ] } \r\n",
	`{"a\"b":"c\\d","e":"\u00e9\ud83d\ude00\/\b\f\n\r\t","\u0067eneral":{"signature":"x","y":"z"}}`,
	"{\"bad\":\"\xff\xfe\",\"ok\":\"é\",\"\xc3\":1}",
	`{"signature":"top","frame_mode":"iframe","x":{"frame_mode":1,"signature":"kept","l":[{"frame_mode":2,"m":"n"}]}}`,
	`{"general":[{"signature":"kept in a list"}],"z":{"general":{"signature":"kept below the root"}}}`,
	`{"a:":{"":[null,true,1.5e3,{}]},"a":{"::":"x"},"general":{"signature":1}}`,
	`{"a":{"b":1},"a:b":1}`,
	`{"l":[0,1,2,3,4,5,6,7,8,9,10,11]}`,
	`{"dup":1,"dup":2}`,
	`{"x":{"dup":{"a":1},"dup":{"b":2}}}`,
	`{"signature":{"dup":1,"dup":2},"k":"v"}`,
	`{"a":1}{}`,
	`{"a":1} x`,
	`{"a":`,
	`[1,2]`,
	`"x"`,
	`null`,
	``,
	`{"big":12345678901234567890,"neg":-0,"exp":1E-7}`,
}

// FuzzFlattenJSON checks that reading a JSON text from its bytes gives the
// canonical string, member count and top-level signature that decoding it
// (Decode, through encoding/json) gives, and that it refuses every text
// Decode refuses.
func FuzzFlattenJSON(f *testing.F) {
	for _, s := range jsonTexts {
		f.Add([]byte(s))
	}
	f.Add([]byte(manyMembers(maxMembers + 1)))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkFlattenJSON(t, body)
	})
}

// manyMembers returns a JSON object of n members.
func manyMembers(n int) string {
	var b strings.Builder
	b.WriteString(`{"k0":0`)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, `,"k%d":%d`, i, i)
	}
	return b.String() + "}"
}

func checkFlattenJSON(t *testing.T, body []byte) {
	t.Helper()
	data, err := Decode(body)
	var f flattener
	root, ok := f.flattenJSON(body)
	if err != nil {
		if ok {
			t.Fatalf("flattenJSON(%q) read what Decode refuses: %v", body, err)
		}
		return
	}
	if !ok {
		return // repeated keys or a large object: the caller decodes
	}
	if got, want := string(f.canonical()), Canonical(data); got != want {
		t.Fatalf("flattenJSON(%q):\n got %q\nwant %q", body, got, want)
	}
	_, signed := data["signature"]
	if root.members != len(data) || root.signature != signed {
		t.Fatalf("flattenJSON(%q) root = %+v, want %d members, signature %t", body, root, len(data), signed)
	}
}

// TestFlattenJSON runs the seeds of FuzzFlattenJSON, and checks that the
// bodies the sandbox signs are read from their bytes rather than decoded,
// and that a repeated key is decoded as Decode keeps it (the last).
func TestFlattenJSON(t *testing.T) {
	t.Parallel()
	for _, s := range jsonTexts {
		checkFlattenJSON(t, []byte(s))
	}
	for _, s := range []string{callbackBody, gateSaleBody, jsonTexts[4], jsonTexts[5], jsonTexts[6]} {
		var f flattener
		if _, ok := f.flattenJSON([]byte(s)); !ok {
			t.Errorf("flattenJSON(%.40q…) refused a body it should read", s)
		}
	}
	for _, s := range []string{`{"dup":1,"dup":2}`, `{"x":{"dup":{"a":1},"dup":{"b":2}}}`, manyMembers(maxMembers + 1)} {
		var f flattener
		if _, ok := f.flattenJSON([]byte(s)); ok {
			t.Errorf("flattenJSON(%.40q…) read a body with a repeated key or too many members", s)
		}
		out, err := SignJSON([]byte(s), "secret")
		if err != nil {
			t.Fatalf("SignJSON(%.40q…): %v", s, err)
		}
		signed := mustDecode(t, string(out))
		if got, want := signed["signature"], Sign(mustDecode(t, s), "secret"); got != want {
			t.Errorf("SignJSON(%.40q…) signature = %v, want %s", s, got, want)
		}
	}
}
