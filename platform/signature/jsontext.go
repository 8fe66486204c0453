package signature

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// maxMembers bounds the members of one object that flattenJSON reads; a
// larger object is flattened from its decoded map instead, where finding a
// repeated key costs no more than a map lookup.
const maxMembers = 128

// jsonRoot is what flattenJSON notes of the root object of a JSON text.
type jsonRoot struct {
	members   int  // how many members it has
	signature bool // one of them is named signature
}

// flattenJSON flattens body, a JSON text, straight from its bytes into f,
// with the pairs that flatten gives the value Decode returns: signing a
// callback body then costs no maps and no values boxed in interfaces. It
// reports false, having flattened nothing that counts, when body is not a
// JSON object (Decode says why), when an object repeats a key (Decode
// keeps the last) or has more than maxMembers members: the caller then
// decodes body and flattens the value.
func (f *flattener) flattenJSON(body []byte) (jsonRoot, bool) {
	if !json.Valid(body) {
		return jsonRoot{}, false
	}
	r := jsonReader{data: body, f: f}
	r.space()
	if body[r.pos] != '{' {
		return jsonRoot{}, false
	}
	// Room for the pairs of a body of a few nested objects, whose paths
	// repeat their parents' keys, in one allocation each.
	f.grow(2*len(body), len(body)/16)
	r.keys = make([][]byte, 0, 32)
	if !r.object(0, 0, false, 0) {
		f.buf, f.spans = f.buf[:0], f.spans[:0]
		return jsonRoot{}, false
	}
	return r.root, true
}

// jsonReader reads a JSON text that json.Valid accepted, so it checks no
// syntax: every value is where the grammar puts it.
type jsonReader struct {
	data []byte
	pos  int
	f    *flattener
	keys [][]byte // the keys read so far of the objects being read, innermost last
	root jsonRoot
}

// space skips white space.
func (r *jsonReader) space() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// str reads the string that starts at pos and returns its text as
// encoding/json decodes it: escapes resolved, bytes that are not UTF-8
// replaced. The text of a string with neither is its bytes in data.
func (r *jsonReader) str() []byte {
	start := r.pos + 1
	escaped, ascii := false, true
	i := start
	for ; r.data[i] != '"'; i++ {
		switch c := r.data[i]; {
		case c == '\\':
			escaped = true
			i++ // the escaped byte, which may be a quote
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	r.pos = i + 1
	text := r.data[start:i]
	if !escaped && (ascii || utf8.Valid(text)) {
		return text
	}
	var s string
	_ = json.Unmarshal(r.data[start-1:i+1], &s) // a valid JSON string: it cannot fail
	return []byte(s)
}

// items reads the object or the list that starts at pos, calling item
// with pos at each member's key or item's value, until item reports false
// (and so does items) or the object or list ends.
func (r *jsonReader) items(item func() bool) bool {
	end := byte('}')
	if r.data[r.pos] == '[' {
		end = ']'
	}
	r.pos++
	r.space()
	if r.data[r.pos] == end {
		r.pos++
		return true
	}
	for {
		r.space()
		if !item() {
			return false
		}
		r.space()
		if r.data[r.pos] == end {
			r.pos++
			return true
		}
		r.pos++ // ,
	}
}

// key reads a member's key and the ':' after it.
func (r *jsonReader) key() []byte {
	k := r.str()
	r.space()
	r.pos++ // :
	r.space()
	return k
}

// object reads the object at pos, found at the path buf[from:to] (general:
// the root's general object), whose members sit at depth. It reports false
// when the object repeats a key or has more than maxMembers members.
func (r *jsonReader) object(from, to int, general bool, depth int) bool {
	first := len(r.keys)
	defer func() { r.keys = r.keys[:first] }()
	return r.items(func() bool {
		key := r.key()
		if len(r.keys)-first == maxMembers {
			return false
		}
		for _, k := range r.keys[first:] {
			if bytes.Equal(k, key) {
				return false
			}
		}
		r.keys = append(r.keys, key)
		if depth == 0 {
			r.root.members++
			r.root.signature = r.root.signature || string(key) == "signature"
		}
		if !dropped(key, depth, general) {
			return r.value(path(r.f, from, to, key, depth), depth == 0 && string(key) == "general", depth+1)
		}
		// Read past the value, and forget what it added.
		buf, spans, colon := len(r.f.buf), len(r.f.spans), r.f.colon
		ok := r.value(len(r.f.buf), false, depth+1)
		r.f.buf, r.f.spans, r.f.colon = r.f.buf[:buf], r.f.spans[:spans], colon
		return ok
	})
}

// list reads the list at pos, found at the path buf[from:to], whose items
// sit at depth+1: every item is keyed by its index.
func (r *jsonReader) list(from, to int, depth int) bool {
	var index [20]byte
	i := 0
	return r.items(func() bool {
		start := path(r.f, from, to, strconv.AppendInt(index[:0], int64(i), 10), depth)
		i++
		return r.value(start, false, depth+1)
	})
}

// value reads the value at pos, whose path was just appended to the buffer
// from start (general: it is the root's general member); depth is the depth
// it sits at. Strings are taken decoded, numbers as written, true and false
// as 1 and 0, null as the empty string.
func (r *jsonReader) value(start int, general bool, depth int) bool {
	switch r.data[r.pos] {
	case '{':
		return r.object(start, len(r.f.buf), general, depth)
	case '[':
		return r.list(start, len(r.f.buf), depth)
	case '"':
		appendLeaf(r.f, start, r.str())
	case 't':
		r.pos += len("true")
		r.f.leaf(start, "1")
	case 'f':
		r.pos += len("false")
		r.f.leaf(start, "0")
	case 'n':
		r.pos += len("null")
		r.f.leaf(start, "")
	default:
		end := r.pos
		for end < len(r.data) && isNumberByte(r.data[end]) {
			end++
		}
		appendLeaf(r.f, start, r.data[r.pos:end])
		r.pos = end
	}
	return true
}

// isNumberByte reports whether c may be part of a JSON number.
func isNumberByte(c byte) bool {
	return isDigit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}
