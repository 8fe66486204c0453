package platform

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentence returns s as a sentence a person reads: trimmed, its first
// letter a capital and a full stop at its end ("project 1 has no payment
// \"x\"" → "Project 1 has no payment \"x\"."). The empty string stays empty.
func Sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// CompactNumber returns a number as a person typed it (a voucher reference,
// a voucher number) without what people put between its digits: spaces,
// tabs, dashes and dots. "9301 2345-6789.01" → "93012345678901".
func CompactNumber(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '-', '.', '\u00a0':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// IsHTTPURL reports whether s is an absolute http or https URL with a host,
// the only kind the sandbox sends callbacks to or sends customers to.
func IsHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// ProviderState returns the provider's private state of p
// (Payment.ProviderData) decoded into a T. A payment without one, or with
// one another version of the provider wrote, reads as the zero T: a
// provider's state only ever adds fields.
func ProviderState[T any](p *Payment) T {
	var s T
	if len(p.ProviderData) > 0 {
		_ = json.Unmarshal(p.ProviderData, &s)
	}
	return s
}

// StateData encodes a provider's private state for Step.Data. The state is
// the provider's own struct of plain fields, which always encodes; one that
// does not is a bug of the provider, and panics.
func StateData(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("platform: encode a provider's state %T: %v", v, err))
	}
	return b
}
