package signature

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
	"net/url"
	"slices"
	"strings"
)

// A merchant's code whose signature does not match has usually made one of
// a few mistakes. The sandbox holds the secret, so it can make each of them
// itself and say which one gives the signature received: Diagnose.

// MaxDiagnosed is the size of the largest message Diagnose and DiagnoseForm
// explain. A diagnosis signs the message a dozen ways, so a client could make
// one request with a wrong signature cost a dozen; a Gate request or a
// Payment Page link is a few kilobytes, and a larger one is left unexplained
// beyond the string signed.
const MaxDiagnosed = 64 << 10

// mistake is one way of signing wrongly: what it signs and how.
type mistake struct {
	// says what the code did and how to fix it.
	says string
	// signed is the string the mistake signs; "" when it does not apply.
	signed string
	// mac and encode are how it signs, HMAC-SHA512 in standard Base64 when
	// nil.
	mac    func() hash.Hash
	encode func([]byte) string
}

// Diagnose says which common mistake made got, a signature of body (the
// JSON text received) that Verify refused with secret: the pairs left
// unsorted or sorted on their top-level key only, the nested pairs left
// out, the signature itself signed, the JSON text signed instead of the
// pairs, another hash than SHA-512 or another encoding than standard
// Base64. It returns "" when got is right, when body is not a JSON object,
// when got is none of these mistakes (then the string signed differs in
// some other way, or the secret does), and when body is larger than
// MaxDiagnosed.
func Diagnose(body []byte, got, secret string) string {
	if got == "" || len(body) > MaxDiagnosed {
		return ""
	}
	data, err := Decode(body)
	if err != nil || Verify(data, got, secret) == nil {
		return "" // a right signature is no mistake, however it was made
	}
	var f flattener
	if _, ok := f.flattenJSON(body); !ok {
		return ""
	}
	inOrder := f.pairs()
	sorted := slices.Clone(inOrder)
	slices.SortFunc(sorted, byKey)
	canon := join(sorted)

	topSorted := slices.Clone(inOrder)
	slices.SortStableFunc(topSorted, func(a, b pair) int { return strings.Compare(topKey(a.key), topKey(b.key)) })

	var shallow []pair
	for _, p := range sorted {
		if depth(p.key) <= 2 {
			shallow = append(shallow, p)
		}
	}
	withSignature := slices.Clone(sorted)
	if slices.ContainsFunc(sorted, func(p pair) bool { return topKey(p.key) == "general" }) {
		withSignature = append(withSignature, pair{key: "general:signature"})
	} else {
		withSignature = append(withSignature, pair{key: "signature"})
	}
	slices.SortFunc(withSignature, byKey)

	mistakes := []mistake{
		{says: "your code signs the pairs in the order they come in the body: sort them by their whole path, byte order", signed: join(inOrder)},
		{says: "your code sorts the pairs by their top-level key only: sort them by their whole path (customer:email before customer:id), byte order", signed: join(topSorted)},
		{says: "your code leaves out the pairs nested deeper than two levels (such as customer:identify:doc_number): flatten every level, joining the keys with ':'", signed: join(shallow)},
		{says: "your code signs the signature field too: leave signature out of the pairs, at any depth", signed: join(withSignature)},
	}
	mistakes = append(mistakes, encodingMistakes(canon)...)
	for _, text := range signedTexts(body) {
		mistakes = append(mistakes, mistake{says: "your code signs the body's JSON text: sign the string of path:value pairs shown, not the JSON", signed: text})
	}
	return firstMistake(mistakes, canon, got, secret)
}

// DiagnoseForm is Diagnose for the parameters of a Payment Page link, which
// VerifyForm refused got for: the signature parameter signed too, the
// values signed URL-encoded, the link's query string signed instead of the
// pairs, another hash than SHA-512 or another encoding than standard
// Base64. It returns "" when got is right or is none of these mistakes, and
// when the parameters are larger than MaxDiagnosed.
func DiagnoseForm(params map[string]string, got, secret string) string {
	size := 0
	for k, v := range params {
		size += len(k) + len(v)
	}
	if got == "" || size > MaxDiagnosed || VerifyForm(params, got, secret) == nil {
		return ""
	}
	var sorted, encoded, withSignature []pair
	query := url.Values{}
	for k, v := range params {
		if k == "signature" {
			continue
		}
		sorted = append(sorted, pair{key: k, value: formValue(v)})
		encoded = append(encoded, pair{key: k, value: url.QueryEscape(v)})
		query.Set(k, v)
	}
	withSignature = append(slices.Clone(sorted), pair{key: "signature"})
	for _, ps := range [][]pair{sorted, encoded, withSignature} {
		slices.SortFunc(ps, byKey)
	}
	canon := join(sorted)
	mistakes := []mistake{
		{says: "your code signs the signature parameter too: leave it out of the pairs", signed: join(withSignature)},
		{says: "your code signs the values URL-encoded: sign each value as it is, and encode it only when you write the link", signed: join(encoded)},
		{says: "your code signs the link's query string: sign the name:value pairs, sorted by name and joined with ';'", signed: query.Encode()},
	}
	mistakes = append(mistakes, encodingMistakes(canon)...)
	return firstMistake(mistakes, canon, got, secret)
}

// encodingMistakes are the ways of signing canon, the right string, with
// another hash than HMAC-SHA512 or another encoding than standard Base64.
func encodingMistakes(canon string) []mistake {
	return []mistake{
		{says: "your code signs with HMAC-SHA256: use HMAC-SHA512", signed: canon, mac: sha256.New},
		{says: "your signature is written in hex: write the HMAC's bytes in standard Base64, with its = padding", signed: canon, encode: hex.EncodeToString},
		{says: "your signature is an HMAC-SHA256 in hex: use HMAC-SHA512, written in standard Base64", signed: canon, mac: sha256.New, encode: hex.EncodeToString},
		{says: "your signature is written in URL-safe Base64: use the standard alphabet (+ and /), with its = padding", signed: canon, encode: base64.URLEncoding.EncodeToString},
		{says: "your signature lacks Base64's = padding: keep it", signed: canon, encode: base64.RawStdEncoding.EncodeToString},
	}
}

// firstMistake returns what the first of mistakes that signs got with
// secret says, "" when none does. A mistake that signs canon, the right
// string, the right way is none.
func firstMistake(mistakes []mistake, canon, got, secret string) string {
	for _, m := range mistakes {
		if m.signed == "" || (m.signed == canon && m.mac == nil && m.encode == nil) {
			continue
		}
		mac, encode := m.mac, m.encode
		if mac == nil {
			mac = sha512.New
		}
		if encode == nil {
			encode = base64.StdEncoding.EncodeToString
		}
		h := hmac.New(mac, []byte(secret))
		_, _ = io.WriteString(h, m.signed)
		if hmac.Equal([]byte(encode(h.Sum(nil))), []byte(got)) {
			return m.says
		}
	}
	return ""
}

// topKey is the top-level key of a flattened path.
func topKey(path string) string {
	for i := 0; i < len(path); i++ {
		if path[i] != ':' {
			continue
		}
		if i+1 < len(path) && path[i+1] == ':' {
			i++ // "::" is a ':' inside a key
			continue
		}
		return path[:i]
	}
	return path
}

// depth is how many keys a flattened path joins.
func depth(path string) int {
	return 1 + strings.Count(path, ":") - 2*strings.Count(path, "::")
}

// signedTexts returns the JSON texts a merchant's code may have signed for
// body: body without its signature member, compact, and as Python's
// json.dumps writes it (", " and ": "), keys in the body's order, and
// compact with every object's keys sorted, as Go's encoding/json writes a
// map.
func signedTexts(body []byte) []string {
	var out []string
	for _, style := range []struct{ comma, colon string }{{",", ":"}, {", ", ": "}} {
		var b strings.Builder
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := rewrite(dec, &b, style.comma, style.colon); err != nil {
			return nil
		}
		out = append(out, b.String())
	}
	data, err := Decode(body)
	if err != nil {
		return out
	}
	strip(data)
	if b, err := json.Marshal(data); err == nil {
		out = append(out, string(b))
	}
	return out
}

// strip drops every member named signature from v's objects.
func strip(v any) {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "signature")
		for _, c := range v {
			strip(c)
		}
	case []any:
		for _, c := range v {
			strip(c)
		}
	}
}

// rewrite writes the next JSON value of dec to b with the separators given,
// members in their order, every member named signature left out.
func rewrite(dec *json.Decoder, b *strings.Builder, comma, colon string) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := t.(type) {
	case json.Delim:
		close := "]"
		if t == '{' {
			close = "}"
		}
		b.WriteString(t.String())
		first := true
		for dec.More() {
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key, _ := k.(string)
				if key == "signature" {
					var skip json.RawMessage
					if err := dec.Decode(&skip); err != nil {
						return err
					}
					continue
				}
				if !first {
					b.WriteString(comma)
				}
				enc, _ := json.Marshal(key)
				b.Write(enc)
				b.WriteString(colon)
			} else if !first {
				b.WriteString(comma)
			}
			first = false
			if err := rewrite(dec, b, comma, colon); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		b.WriteString(close)
	case string:
		enc, _ := json.Marshal(t)
		b.Write(enc)
	case json.Number:
		b.WriteString(t.String())
	case bool:
		if t {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case nil:
		b.WriteString("null")
	}
	return nil
}
