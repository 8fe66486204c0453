package platform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What providers and adapters share to word and read things: sentences,
// numbers people type, URLs, a provider's state and pay input.

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

// Count writes n things, the noun in the plural unless n is 1: "1
// attempt", "3 attempts", "0 payments". It knows nouns whose plural takes
// an s.
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
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

// ParseExpiry reads a card's or a voucher's expiry date as customers type it: MM/YY, MM/YYYY,
// MMYY, MM-YY, with or without spaces. It returns the month and the
// four-digit year.
func ParseExpiry(s string) (month, year int, ok bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	var mm, yy string
	if i := strings.IndexAny(s, "/-."); i >= 0 {
		mm, yy = s[:i], s[i+1:]
	} else if len(s) == 4 || len(s) == 6 {
		mm, yy = s[:2], s[2:]
	}
	if len(mm) < 1 || len(mm) > 2 || (len(yy) != 2 && len(yy) != 4) {
		return 0, 0, false
	}
	m, err1 := strconv.Atoi(mm)
	y, err2 := strconv.Atoi(yy)
	if err1 != nil || err2 != nil || m < 1 || m > 12 || y < 0 {
		return 0, 0, false
	}
	if len(yy) == 2 {
		y += 2000
	}
	return m, y, true
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

// MustJSON encodes a provider's own struct of plain fields: its private
// state (Step.Data), or the pay input its pages hand to Engine.Pay. Such a
// struct always encodes; one that does not is a bug of the provider, and
// panics.
func MustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("platform: encode %T: %v", v, err))
	}
	return b
}

// DecodeInput decodes a provider's pay input into v, a pointer to the
// provider's input struct; method names the method in errors. Empty input
// (nothing, or null) leaves v as it is. Input that is not one JSON object
// of v's fields, with values of their types, is an *Error with
// CodeInvalidRequest that says what is wrong and which fields the method
// takes, so that a caller of the control API can fix the body.
func DecodeInput(method Method, in json.RawMessage, v any) error {
	trimmed := bytes.TrimSpace(in)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return nil
	}
	bad := func(problem string) error {
		return Errorf(CodeInvalidRequest, "the pay input of %s %s; %s takes a JSON object with %s",
			method.Name, problem, method.Name, JSONFields(v))
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bad(JSONProblem(trimmed, err))
	}
	if dec.More() {
		return bad("goes on after its object ends")
	}
	return nil
}

// JSONProblem says what is wrong with raw, a JSON text that a json.Decoder
// (with DisallowUnknownFields) could not decode into a struct, err being
// its error, as the rest of a sentence that begins with what the text is:
// "has a string where id must be a whole number", "is not valid JSON:
// invalid character '}' looking for beginning of object key string at
// line 3, column 1".
func JSONProblem(raw []byte, err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return fmt.Sprintf("has a %s where %s must be a %s", typeErr.Value, typeErr.Field, jsonKind(typeErr.Type))
	case errors.As(err, &typeErr):
		return fmt.Sprintf("is a JSON %s, not an object", typeErr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Sprintf("has the field %s, which it does not take", strings.TrimPrefix(err.Error(), "json: unknown field "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "is not valid JSON: it ends before its last object, list or string is closed"
	case errors.As(err, &syntaxErr):
		line, col := TextPosition(raw, syntaxErr.Offset)
		return fmt.Sprintf("is not valid JSON: %v at line %d, column %d", err, line, col)
	}
	return fmt.Sprintf("is not valid JSON: %v", err)
}

// TextPosition returns the line and column (both from 1) of the byte of
// text that a json.SyntaxError's offset points after.
func TextPosition(text []byte, offset int64) (line, col int) {
	at := int(min(max(offset-1, 0), int64(len(text))))
	before := text[:at]
	line = bytes.Count(before, []byte("\n")) + 1
	col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}

// JSONFields lists the JSON names of the fields of the struct v points to,
// for a sentence: "the field \"channel\"", or "the fields \"method\",
// \"card\" and \"phone\"".
func JSONFields(v any) string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return "no fields"
	}
	var names []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, strconv.Quote(name))
	}
	switch len(names) {
	case 0:
		return "no fields"
	case 1:
		return "the field " + names[0]
	}
	return "the fields " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// jsonKind names the JSON kind of values of type t.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean (true or false)"
	case reflect.Slice, reflect.Array:
		return "list"
	case reflect.Map, reflect.Struct:
		return "object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "whole number"
	case reflect.Float32, reflect.Float64:
		return "number"
	}
	return t.String()
}

// Clip returns the first n bytes of s, cut at a rune boundary (the start of
// a rune cut in two is dropped), copied so that s's bytes are not kept: the
// part of a text of any length that the sandbox stores, shows or logs.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	b := s[:n]
	for i := 1; i < utf8.UTFMax && len(b) > 0; i++ {
		if r, size := utf8.DecodeLastRuneInString(b); r != utf8.RuneError || size != 1 {
			break
		}
		b = b[:len(b)-1]
	}
	return strings.Clone(b)
}
