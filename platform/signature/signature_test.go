package signature

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func mustDecode(t testing.TB, body string) map[string]any {
	t.Helper()
	m, err := Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSPECExample(t *testing.T) {
	t.Parallel()
	data := mustDecode(t, `{"payment":{"id":"11","status":"success"}}`)
	const want = "Rk9xmCfiv/BJbVrCz+oazsOOuiMqrktLVXruRLM9WJ2zmYvufwOS7uxz5Pd36kfKPqbBwKZjMs/EEzF/VsbbNw=="
	if got := Canonical(data); got != "payment:id:11;payment:status:success" {
		t.Errorf("Canonical = %q", got)
	}
	if got := Sign(data, "qwerty"); got != want {
		t.Errorf("Sign = %q, want %q", got, want)
	}
}

func TestCanonicalGoValues(t *testing.T) {
	t.Parallel()
	type sum struct {
		Amount   int64  `json:"amount"`
		Currency string `json:"currency"`
	}
	tests := []struct {
		name string
		data any
		want string
	}{
		{"ints", map[string]any{"i": 7, "i64": int64(-8), "u8": uint8(9), "u64": uint64(math.MaxUint64)},
			"i:7;i64:-8;u64:18446744073709551615;u8:9"},
		{"floats", map[string]any{"f": 10.5, "g": 1e21, "h": float32(0.1), "z": 0.0},
			"f:10.5;g:1000000000000000000000;h:0.1;z:0"},
		{"number text kept", map[string]any{"n": json.Number("1.50"), "e": json.Number("1e3")},
			"e:1e3;n:1.50"},
		{"bools and null", map[string]any{"t": true, "f": false, "n": nil}, "f:0;n:;t:1"},
		{"typed map and slice", map[string]any{"m": map[string]string{"b": "2", "a": "1"}, "l": []string{"x", "y"}},
			"l:0:x;l:1:y;m:a:1;m:b:2"},
		{"struct", map[string]any{"sum": sum{Amount: 100, Currency: "EUR"}}, "sum:amount:100;sum:currency:EUR"},
		{"struct at top level", sum{Amount: 5, Currency: "USD"}, "amount:5;currency:USD"},
		{"list at top level", []any{"a", map[string]any{"b": 1}}, "0:a;1:b:1"},
		{"scalar at top level", "x", ""},
		{"nil", nil, ""},
		{"signature dropped at top and in general only",
			map[string]any{"signature": "s", "general": map[string]any{"signature": "s", "id": 1}, "x": map[string]any{"signature": "kept"}},
			"general:id:1;x:signature:kept"},
		{"frame_mode dropped at any depth, inside lists too",
			map[string]any{"frame_mode": "a", "l": []any{map[string]any{"frame_mode": "b", "k": "v"}}},
			"l:0:k:v"},
		{"nested general keeps its signature",
			map[string]any{"o": map[string]any{"general": map[string]any{"signature": "s"}}},
			"o:general:signature:s"},
		{"empty containers", map[string]any{"a": map[string]any{}, "b": []any{}, "c": []any{map[string]any{}}}, ""},
		{"colon escaped", map[string]any{"a:b": map[string]any{"c:": 1}}, "a::b:c:::1"},
		{"empty value is kept", map[string]any{"d": ""}, "d:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Canonical(tt.data); got != tt.want {
				t.Errorf("Canonical = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCandidates(t *testing.T) {
	t.Parallel()
	items := make([]any, 11)
	for i := range items {
		items[i] = "v" + strconv.Itoa(i)
	}
	listPairs := func(order ...int) string {
		var ss []string
		for _, i := range order {
			ss = append(ss, "items:"+strconv.Itoa(i)+":"+items[i].(string))
		}
		return strings.Join(ss, ";")
	}

	tests := []struct {
		name string
		data any
		want []string
	}{
		{
			name: "list of 11",
			data: map[string]any{"items": items},
			want: []string{
				listPairs(0, 1, 10, 2, 3, 4, 5, 6, 7, 8, 9), // canonical (Python)
				listPairs(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), // JS, PHP
				listPairs(0, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9), // Go, Java
			},
		},
		{
			name: "key prefixing a sibling",
			data: map[string]any{"a": map[string]any{"b": 1}, "a1": 2},
			want: []string{"a1:2;a:b:1", "a:b:1;a1:2"},
		},
		{
			name: "natural order of digits in keys",
			data: map[string]any{"p2": "x", "p10": "y"},
			want: []string{"p10:y;p2:x", "p2:x;p10:y"},
		},
		{
			name: "colon in key",
			data: map[string]any{"a:b": "1", "a": map[string]any{"c": "2"}},
			want: []string{"a::b:1;a:c:2", "a:c:2;a::b:1", "a:b:1;a:c:2", "a:c:2;a:b:1"},
		},
		{
			name: "ordinary payload",
			data: map[string]any{"payment": map[string]any{"id": "1", "status": "success"}},
			want: []string{"payment:id:1;payment:status:success"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := candidates(tt.data)
			if !slices.Equal(got, tt.want) {
				t.Errorf("candidates:\n got %q\nwant %q", got, tt.want)
			}
			if got[0] != Canonical(tt.data) {
				t.Errorf("candidates[0] = %q, want the canonical string %q", got[0], Canonical(tt.data))
			}
		})
	}
}

func TestVerifyRejectsOtherOrders(t *testing.T) {
	t.Parallel()
	data := map[string]any{"a": "1", "b": "2", "c": map[string]any{"d": "3"}}
	for _, s := range []string{"c:d:3;b:2;a:1", "a:1;b:2", "a:1;b:2;c:d:3;", "a:1;b:2;c:d:4"} {
		err := Verify(data, SignString(s, "k"), "k")
		var m *Mismatch
		if !errors.As(err, &m) {
			t.Errorf("Verify of a signature over %q = %v, want a *Mismatch", s, err)
		}
	}
	if err := Verify(data, Sign(data, "k"), "other"); err == nil {
		t.Error("Verify accepted a signature made with another secret")
	}
}

func TestVerifyEmpty(t *testing.T) {
	t.Parallel()
	data := map[string]any{"a": "1"}
	if err := Verify(data, "", "secret"); !errors.Is(err, ErrEmpty) {
		t.Errorf("Verify = %v, want ErrEmpty", err)
	}
	if err := VerifyForm(map[string]string{"a": "1"}, "", "secret"); !errors.Is(err, ErrEmpty) {
		t.Errorf("VerifyForm = %v, want ErrEmpty", err)
	}
}

func TestMismatch(t *testing.T) {
	t.Parallel()
	const secret = "Sup3r-S3cret-Key"
	data := mustDecode(t, `{"general":{"project_id":1,"payment_id":"p 1"},"interface_type":"{\"id\":23}","items":[1,2,3,4,5,6,7,8,9,10,11]}`)
	err := Verify(data, "bm90IGEgc2lnbmF0dXJl", secret)
	var m *Mismatch
	if !errors.As(err, &m) {
		t.Fatalf("Verify = %v, want a *Mismatch", err)
	}
	const signed = `general:payment_id:p 1;general:project_id:1;interface_type:{"id":23};items:0:1;items:1:2;items:10:11;items:2:3;items:3:4;items:4:5;items:5:6;items:6:7;items:7:8;items:8:9;items:9:10`
	if m.Signed != signed {
		t.Errorf("Signed = %q, want %q", m.Signed, signed)
	}
	if m.Got != "bm90IGEgc2lnbmF0dXJl" {
		t.Errorf("Got = %q", m.Got)
	}
	if len(m.Tried) != 3 || m.Tried[0] != signed {
		t.Errorf("Tried = %q, want 3 strings, canonical first", m.Tried)
	}
	msg := err.Error()
	if strings.Contains(msg, secret) {
		t.Errorf("message shows the secret: %s", msg)
	}
	for _, s := range m.Tried {
		if strings.Contains(s, secret) {
			t.Errorf("Tried shows the secret: %s", s)
		}
	}
	want := `signature does not match: the sandbox signed "` + signed + `" with the project's secret key (HMAC-SHA512, Base64); compare it with the string your code signs: if they are the same, your code signs with another secret key than the project's`
	if msg != want {
		t.Errorf("Error() =\n%s\nwant\n%s", msg, want)
	}

	err = Verify(data, "abc def", secret)
	if !strings.Contains(err.Error(), "URL-encode") {
		t.Errorf("a signature with spaces gives no hint: %v", err)
	}
}

func TestVerifyForm(t *testing.T) {
	t.Parallel()
	const secret = "secret"
	params := map[string]string{
		"project_id":         "12345",
		"payment_id":         "X03936",
		"payment_amount":     "2035",
		"payment_currency":   "USD",
		"close_on_missclick": "1",
		"frame_mode":         "popup",
	}
	signedData := map[string]any{
		"project_id":         12345,
		"payment_id":         "X03936",
		"payment_amount":     2035,
		"payment_currency":   "USD",
		"close_on_missclick": true,
	}
	sig := Sign(signedData, secret)
	with := func(kv ...string) map[string]string {
		p := make(map[string]string, len(params)+len(kv)/2)
		for k, v := range params {
			p[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			p[kv[i]] = kv[i+1]
		}
		return p
	}

	accepted := []struct {
		name   string
		params map[string]string
		sig    string
	}{
		{"1", params, sig},
		{"true", with("close_on_missclick", "true"), sig},
		{"True", with("close_on_missclick", "True"), sig},
		{"TRUE", with("close_on_missclick", "TRUE"), sig},
		{"false", with("close_on_missclick", "false"), Sign(with("close_on_missclick", "0"), secret)},
		{"False", with("close_on_missclick", "False"), Sign(with("close_on_missclick", "0"), secret)},
		{"signature parameter ignored", with("signature", sig), sig},
		{"_referrer added unsigned", with("_referrer", "https://shop.example/cart"), sig},
		{"_referrer signed", with("_referrer", "https://shop.example/cart"),
			Sign(with("_referrer", "https://shop.example/cart"), secret)},
		{"_referrer signed with a boolean", with("_flag", "true"), Sign(with("_flag", "1"), secret)},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			if err := VerifyForm(tt.params, tt.sig, secret); err != nil {
				t.Errorf("VerifyForm: %v", err)
			}
		})
	}

	rejected := []struct {
		name   string
		params map[string]string
		sig    string
	}{
		{"value changed", with("payment_amount", "2036"), sig},
		{"yes is not a boolean", with("close_on_missclick", "yes"), sig},
		{"signed parameter dropped", with("payment_currency", ""), sig},
		{"non-underscore parameter added", with("referrer", "x"), sig},
	}
	for _, tt := range rejected {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyForm(tt.params, tt.sig, secret)
			var m *Mismatch
			if !errors.As(err, &m) {
				t.Fatalf("VerifyForm = %v, want a *Mismatch", err)
			}
			if m.Got != tt.sig || m.Signed == "" {
				t.Errorf("Mismatch = %+v", m)
			}
		})
	}

	t.Run("mismatch shows normalised booleans and both forms", func(t *testing.T) {
		err := VerifyForm(map[string]string{"a": "True", "_referrer": "r"}, "x", secret)
		var m *Mismatch
		if !errors.As(err, &m) {
			t.Fatalf("VerifyForm = %v, want a *Mismatch", err)
		}
		if want := []string{"_referrer:r;a:1", "a:1"}; !slices.Equal(m.Tried, want) {
			t.Errorf("Tried = %q, want %q", m.Tried, want)
		}
	})
}

func TestCanonicalForm(t *testing.T) {
	t.Parallel()
	params := map[string]string{"project_id": "1", "payment_id": "p 1", "close_on_missclick": "True", "signature": "old"}
	if got, want := CanonicalForm(params), "close_on_missclick:1;payment_id:p 1;project_id:1"; got != want {
		t.Errorf("CanonicalForm = %q, want %q", got, want)
	}
	if err := VerifyForm(params, SignString(CanonicalForm(params), "secret"), "secret"); err != nil {
		t.Errorf("VerifyForm of what CanonicalForm signs: %v", err)
	}
}

func TestSignJSON(t *testing.T) {
	t.Parallel()
	const secret = "secret"
	tests := []struct {
		name string
		body string
		want string // with S standing for the signature
	}{
		{"compact", `{"project_id":1,"payment":{"id":"p1","status":"success"},"a":[1,2]}`,
			`{"project_id":1,"payment":{"id":"p1","status":"success"},"a":[1,2],"signature":"S"}`},
		{"encoder newline", "{\"b\":1,\"a\":2}\n", "{\"b\":1,\"a\":2,\"signature\":\"S\"}\n"},
		{"indented", "{\n  \"z\": true,\n  \"y\": null\n}\n", "{\n  \"z\": true,\n  \"y\": null,\"signature\":\"S\"\n}\n"},
		{"empty object", `{ }`, `{"signature":"S" }`},
		{"escaped HTML kept", `{"u":"a\u0026b<"}`, `{"u":"a\u0026b<","signature":"S"}`},
		{"general signature ignored", `{"general":{"signature":"old"},"x":"1"}`, `{"general":{"signature":"old"},"x":"1","signature":"S"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := SignJSON([]byte(tt.body), secret)
			if err != nil {
				t.Fatal(err)
			}
			data := mustDecode(t, string(out))
			sig, _ := data["signature"].(string)
			if sig == "" {
				t.Fatalf("no signature in %s", out)
			}
			if want := strings.Replace(tt.want, `"S"`, `"`+sig+`"`, 1); string(out) != want {
				t.Errorf("SignJSON =\n%s\nwant\n%s", out, want)
			}
			if want := Sign(mustDecode(t, tt.body), secret); sig != want {
				t.Errorf("signature = %s, want %s", sig, want)
			}
			if err := Verify(data, sig, secret); err != nil {
				t.Errorf("Verify of the signed body: %v", err)
			}
		})
	}

	t.Run("struct field order kept", func(t *testing.T) {
		type payment struct {
			Status string `json:"status"`
			ID     string `json:"id"`
		}
		type callback struct {
			ProjectID int64   `json:"project_id"`
			Payment   payment `json:"payment"`
		}
		body, err := json.Marshal(callback{ProjectID: 7, Payment: payment{Status: "success", ID: "p"}})
		if err != nil {
			t.Fatal(err)
		}
		out, err := SignJSON(body, secret)
		if err != nil {
			t.Fatal(err)
		}
		prefix := `{"project_id":7,"payment":{"status":"success","id":"p"},"signature":"`
		if !strings.HasPrefix(string(out), prefix) || !strings.HasSuffix(string(out), `"}`) {
			t.Errorf("SignJSON = %s", out)
		}
		if err := Verify(mustDecode(t, string(out)), Sign(callback{7, payment{"success", "p"}}, secret), secret); err != nil {
			t.Errorf("Sign of the struct does not match the signed body: %v", err)
		}
	})

	for _, body := range []string{`[]`, `"x"`, `{"a":`, `{"signature":"s"}`, ``} {
		if _, err := SignJSON([]byte(body), secret); err == nil {
			t.Errorf("SignJSON(%q) succeeded, want an error", body)
		}
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	m, err := Decode([]byte(` {"amount":10800,"rate":1.50,"big":12345678901234567890} `))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]json.Number{"amount": "10800", "rate": "1.50", "big": "12345678901234567890"} {
		if got := m[k]; got != want {
			t.Errorf("%s = %#v, want json.Number(%q)", k, got, want)
		}
	}

	var syntax *json.SyntaxError
	tests := []struct {
		body  string
		cause any // nil: no cause to unwrap
	}{
		{`[]`, nil},
		{`"x"`, nil},
		{`12`, nil},
		{`null`, nil},
		{`{"a":1`, nil},
		{`{"a":}`, &syntax},
		{`{"a":1}{}`, nil},
		{`{"a":1} x`, &syntax},
		{``, nil},
	}
	for _, tt := range tests {
		_, err := Decode([]byte(tt.body))
		if err == nil {
			t.Errorf("Decode(%q) succeeded", tt.body)
			continue
		}
		if !strings.Contains(err.Error(), "not a JSON object") {
			t.Errorf("Decode(%q) = %q, want it to say the body is not a JSON object", tt.body, err)
		}
		if tt.cause != nil && !errors.As(err, tt.cause) {
			t.Errorf("Decode(%q) = %v, does not wrap %T", tt.body, err, tt.cause)
		}
	}
}

func TestNaturalCompare(t *testing.T) {
	t.Parallel()
	sorted := []string{"", "a", "a0", "a1", "a01", "a2", "a10", "a10b", "a:0", "a:2", "a:10", "b"}
	for i := range sorted {
		for j := range sorted {
			if got, want := naturalCompare(sorted[i], sorted[j]), compareInt(i, j); got != want {
				t.Errorf("naturalCompare(%q, %q) = %d, want %d", sorted[i], sorted[j], got, want)
			}
		}
	}
}

func compareInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
