package signature

import "testing"

// BenchmarkDecodeGateBody measures what the Gate does first with every
// request: decode its body.
func BenchmarkDecodeGateBody(b *testing.B) {
	body := []byte(gateSaleBody)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(body); err != nil {
			b.Fatal(err)
		}
	}
}
