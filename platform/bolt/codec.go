package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// The binary layout of records. A record is a sequence of fields in a fixed
// order, each written with one of the encodings below; records.go says which
// fields, in which order. There are no field names and no padding: a payment
// takes a third of its JSON.
//
//	uvarint, varint  encoding/binary's variable-length integers
//	string           uvarint length, then the bytes
//	bytes            uvarint(length+1), then the bytes; 0 is nil, so nil and
//	                 empty stay apart
//	bool             one byte, 0 or 1
//	enum             uvarint: 0 and a string for a value outside the table,
//	                 i+1 for the table's value i (tables only grow at the end)
//	time             uvarint 0 for the zero time, 1 for the record's base time
//	                 (its first time, mostly), else uvarint(nanoseconds+2)
//	                 and varint(seconds - the base's seconds), counted modulo
//	                 2^64 so that every time.Time round-trips
//	duration         varint nanoseconds
//	count            uvarint(n+1) before n elements; 0 is a nil slice or map

// enc appends fields to a record.
type enc struct{ b []byte }

func (e *enc) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }

func (e *enc) str(s string) {
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *enc) bytes(b []byte) {
	if b == nil {
		e.uvarint(0)
		return
	}
	e.uvarint(uint64(len(b)) + 1)
	e.b = append(e.b, b...)
}

func (e *enc) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

func (e *enc) enum(table []string, s string) {
	if i := slices.Index(table, s); i >= 0 {
		e.uvarint(uint64(i) + 1)
		return
	}
	e.uvarint(0)
	e.str(s)
}

// time writes t relative to base.
func (e *enc) time(t, base time.Time) {
	switch {
	case t.IsZero():
		e.uvarint(0)
	case t.Equal(base):
		e.uvarint(1)
	default:
		e.uvarint(uint64(t.Nanosecond()) + 2)
		e.varint(int64(uint64(t.Unix()) - uint64(base.Unix())))
	}
}

func (e *enc) duration(d time.Duration) { e.varint(int64(d)) }

// count writes the length of a slice or map that is nil when isNil.
func (e *enc) count(n int, isNil bool) {
	if isNil {
		e.uvarint(0)
		return
	}
	e.uvarint(uint64(n) + 1)
}

// errCorrupt is wrapped by every error of a record that cannot be read.
var errCorrupt = errors.New("malformed record")

// dec reads fields from a record. The first problem sticks: later reads
// return zero values, and err says what went wrong. Nothing read aliases
// the record, which may be bbolt's memory.
type dec struct {
	b   []byte
	err error
}

func (d *dec) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad %s", errCorrupt, what)
	}
	d.b = nil
}

func (d *dec) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("integer")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("integer")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// int reads a varint into an int.
func (d *dec) int() int {
	v := d.varint()
	if v < math.MinInt || v > math.MaxInt {
		d.fail("integer")
		return 0
	}
	return int(v)
}

// take returns the next n bytes, still in the record's memory.
func (d *dec) take(n uint64) []byte {
	if n > uint64(len(d.b)) {
		d.fail("length")
		return nil
	}
	b := d.b[:n]
	d.b = d.b[n:]
	return b
}

func (d *dec) str() string { return string(d.take(d.uvarint())) }

func (d *dec) bytes() []byte {
	n := d.uvarint()
	if n == 0 {
		return nil
	}
	b := d.take(n - 1)
	if d.err != nil {
		return nil
	}
	return append([]byte{}, b...)
}

func (d *dec) bool() bool {
	b := d.take(1)
	if len(b) == 0 {
		return false
	}
	if b[0] > 1 {
		d.fail("boolean")
	}
	return b[0] == 1
}

func (d *dec) enum(table []string) string {
	i := d.uvarint()
	switch {
	case i == 0:
		return d.str()
	case i <= uint64(len(table)):
		return table[i-1]
	}
	d.fail("enumeration")
	return ""
}

func (d *dec) time(base time.Time) time.Time {
	switch tag := d.uvarint(); {
	case tag == 0:
		return time.Time{}
	case tag == 1 && !base.IsZero():
		return base
	case tag < 2 || tag-2 >= 1e9:
		d.fail("time")
		return time.Time{}
	default:
		sec := int64(uint64(base.Unix()) + uint64(d.varint()))
		if d.err != nil {
			return time.Time{}
		}
		return time.Unix(sec, int64(tag-2)).UTC()
	}
}

func (d *dec) duration() time.Duration { return time.Duration(d.varint()) }

// count reads a slice's or map's length; nil reports a nil one. It fails
// when the record cannot hold n elements of at least one byte.
func (d *dec) count() (n int, isNil bool) {
	c := d.uvarint()
	if c == 0 {
		return 0, true
	}
	if c-1 > uint64(len(d.b)) {
		d.fail("count")
		return 0, true
	}
	return int(c - 1), false
}

// end fails unless the whole record was read, but for padding (see pad).
func (d *dec) end() error {
	if d.err == nil && len(bytes.TrimRight(d.b, "\x00")) > 0 {
		d.fail("length: bytes left over")
	}
	return d.err
}

// pad returns the record v padded with zeros to at least n bytes. Records
// that grow after they are stored (a payment when its provider answers, a
// delivery with its attempt) are stored with room to grow, and never
// shrink: a record rewritten at the same size leaves its page as it was,
// while one that grows splits a full page and leaves two part-empty ones
// behind. Readers ignore the padding.
func pad(v []byte, n int) []byte {
	if len(v) >= n {
		return v
	}
	return append(v, make([]byte, n-len(v))...)
}
