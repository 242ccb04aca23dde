package generator

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// This file renders wire values to JSON without encoding/json's per-value
// reflection: each type is compiled once into a tree of functions that read
// the value's memory at the field offsets reflect reports and append to one
// reused buffer. Building a member is the server's cold path and encoding
// was half of it.
//
// The output must equal encoding/json's (with HTML escaping off) byte for
// byte, or every stored member hash changes, so every rule below mirrors
// encoding/json's encoder: its field selection and naming, omitempty and
// omitzero, number and string formats, json.Number, []byte as base64, and
// json.Marshaler and encoding.TextMarshaler. Anything it does not mirror (maps,
// interfaces, embedded structs, the ",string" option, IsZero methods, a
// top-level value that is not a pointer) fails compilation, and the encoder
// then hands that whole type to encoding/json: a new wire type is never
// mis-encoded silently, only encoded more slowly.

// wireFunc appends the JSON of the value at p to b and returns b. p always
// points into memory reached through the pointer handed to encode, so every
// value is addressable, as encoding/json sees it (pointer-receiver
// marshalers run). The buffer travels in arguments and results, not in
// wireState, so that appending never stores a pointer to the heap (each
// such store pays a GC write barrier).
type wireFunc func(s *wireState, b []byte, p unsafe.Pointer) []byte

// wireState is one encoding in progress.
type wireState struct {
	err error
	// depth counts the pointers and slices being followed; past
	// maxWireDepth the value may be cyclic, and encoding/json (which
	// detects cycles) renders it instead.
	depth int
	// compact holds a Marshaler's output while it is compacted.
	compact bytes.Buffer
}

// maxWireDepth matches encoding/json's startDetectingCyclesAfter: deeper
// values are left to encoding/json, which tells a cycle (an error, so
// "null") from a deep tree.
const maxWireDepth = 1000

var errWireTooDeep = errors.New("generator: value nested too deep for the compiled encoder")

// wireCompiled is the cached result of compiling one top-level type.
type wireCompiled struct {
	fn  wireFunc
	err error
}

var (
	wireCache   sync.Map // reflect.Type (a pointer type) → *wireCompiled
	wireCompile sync.Mutex
)

// wireEncoderOf returns the compiled encoder for the values that pointers
// of type t point to, or the reason t cannot be compiled.
func wireEncoderOf(t reflect.Type) (wireFunc, error) {
	if c, ok := wireCache.Load(t); ok {
		c := c.(*wireCompiled)
		return c.fn, c.err
	}
	wireCompile.Lock()
	defer wireCompile.Unlock()
	if c, ok := wireCache.Load(t); ok {
		c := c.(*wireCompiled)
		return c.fn, c.err
	}
	c := &wireCompiled{}
	if t.Kind() != reflect.Pointer {
		// encoding/json sees a value passed by value as unaddressable,
		// which changes which marshalers run; not mirrored.
		c.err = fmt.Errorf("generator: %s is not a pointer; only pointers are compiled", t)
	} else {
		c.fn, c.err = (&wireCompiler{done: map[reflect.Type]*wireFunc{}}).compile(t.Elem())
	}
	wireCache.Store(t, c)
	return c.fn, c.err
}

// appendWire appends the JSON of v, a pointer, to b with fn, the encoder
// wireEncoderOf compiled for v's type.
func appendWire(s *wireState, b []byte, fn wireFunc, v any) []byte {
	p := reflect.ValueOf(v).UnsafePointer()
	if p == nil {
		return append(b, "null"...)
	}
	return fn(s, b, p)
}

type wireCompiler struct {
	// done holds every type compiled or being compiled; a recursive type
	// (extension holds []extension) finds its own entry and calls through
	// it once it is filled.
	done map[reflect.Type]*wireFunc
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	numberType        = reflect.TypeFor[json.Number]()
	isZeroerType      = reflect.TypeFor[interface{ IsZero() bool }]()
)

func (c *wireCompiler) compile(t reflect.Type) (wireFunc, error) {
	if slot, ok := c.done[t]; ok {
		if *slot != nil {
			return *slot, nil
		}
		return func(s *wireState, b []byte, p unsafe.Pointer) []byte { return (*slot)(s, b, p) }, nil // t contains itself
	}
	slot := new(wireFunc)
	c.done[t] = slot
	fn, err := c.build(t)
	if err != nil {
		return nil, err
	}
	*slot = fn
	return fn, nil
}

// build follows encoding/json's newTypeEncoder for an addressable value:
// marshalers first (through the address when the pointer has the method),
// then the kind.
func (c *wireCompiler) build(t reflect.Type) (wireFunc, error) {
	if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(marshalerType) {
		return addrMarshalerWire(t), nil
	}
	if t.Implements(marshalerType) {
		if t.Kind() != reflect.Pointer {
			return nil, fmt.Errorf("generator: %s: marshaler of kind %s is not supported", t, t.Kind())
		}
		return ptrMarshalerWire(t), nil
	}
	if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textMarshalerType) {
		return addrTextMarshalerWire(t), nil
	}
	if t.Implements(textMarshalerType) {
		if t.Kind() != reflect.Pointer {
			return nil, fmt.Errorf("generator: %s: text marshaler of kind %s is not supported", t, t.Kind())
		}
		return ptrTextMarshalerWire(t), nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return boolWire, nil
	case reflect.Int:
		return intWire[int], nil
	case reflect.Int8:
		return intWire[int8], nil
	case reflect.Int16:
		return intWire[int16], nil
	case reflect.Int32:
		return intWire[int32], nil
	case reflect.Int64:
		return intWire[int64], nil
	case reflect.Uint:
		return uintWire[uint], nil
	case reflect.Uint8:
		return uintWire[uint8], nil
	case reflect.Uint16:
		return uintWire[uint16], nil
	case reflect.Uint32:
		return uintWire[uint32], nil
	case reflect.Uint64:
		return uintWire[uint64], nil
	case reflect.Uintptr:
		return uintWire[uintptr], nil
	case reflect.Float32:
		return float32Wire, nil
	case reflect.Float64:
		return float64Wire, nil
	case reflect.String:
		if t == numberType {
			return numberWire, nil
		}
		return stringWire, nil
	case reflect.Struct:
		return c.structWire(t)
	case reflect.Slice:
		return c.sliceWire(t)
	case reflect.Array:
		return c.arrayWire(t)
	case reflect.Pointer:
		return c.ptrWire(t)
	}
	return nil, fmt.Errorf("generator: %s: kind %s is not supported by the compiled encoder", t, t.Kind())
}

// wireField is one member of a struct's JSON object.
type wireField struct {
	offset uintptr
	key    string // `,"name":`, written from its second byte for the first field
	enc    wireFunc
	// plain marks a string field written directly (no json.Number, no
	// marshaler), the most common field by far.
	plain bool
	omit  omitRule
	// omitFunc decides omitAny.
	omitFunc func(p unsafe.Pointer) bool
}

// omitRule is when a field is left out; the common rules are checked in
// line rather than through a function.
type omitRule uint8

const (
	omitNever    omitRule = iota
	omitEmptyStr          // omitempty (or omitzero) string: ""
	omitEmptyLen          // omitempty slice: length 0
	omitNilPtr            // omitempty (or omitzero) pointer: nil
	omitAny               // any other: omitFunc
)

// marshals reports whether encoding/json would call a marshaler for t.
func marshals(t reflect.Type) bool {
	return t.Implements(marshalerType) || t.Implements(textMarshalerType) ||
		t.Kind() != reflect.Pointer && (reflect.PointerTo(t).Implements(marshalerType) || reflect.PointerTo(t).Implements(textMarshalerType))
}

func (c *wireCompiler) structWire(t reflect.Type) (wireFunc, error) {
	var fields []wireField
	seen := map[string]bool{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			// encoding/json promotes an embedded struct's fields under
			// its dominance rules; not mirrored.
			return nil, fmt.Errorf("generator: %s.%s: embedded fields are not supported", t, sf.Name)
		}
		if !sf.IsExported() {
			continue // encoding/json ignores unexported fields
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if !validTagName(name) {
			name = sf.Name
		}
		var omitEmpty, omitZero bool
		for opt := range strings.SplitSeq(opts, ",") {
			switch opt {
			case "omitempty":
				omitEmpty = true
			case "omitzero":
				omitZero = true
			case "string":
				return nil, fmt.Errorf("generator: %s.%s: the string option is not supported", t, sf.Name)
			}
			// encoding/json ignores any other option, and so may we.
		}
		if seen[name] {
			// encoding/json drops or picks among duplicates; not mirrored.
			return nil, fmt.Errorf("generator: %s: two fields are named %q", t, name)
		}
		seen[name] = true
		enc, err := c.compile(sf.Type)
		if err != nil {
			return nil, err
		}
		ft := sf.Type
		f := wireField{offset: sf.Offset, key: `,"` + name + `":`, enc: enc,
			plain: ft.Kind() == reflect.String && ft != numberType && !marshals(ft)}
		if omitZero && (ft.Implements(isZeroerType) || reflect.PointerTo(ft).Implements(isZeroerType)) {
			return nil, fmt.Errorf("generator: %s.%s: omitzero with an IsZero method is not supported", t, sf.Name)
		}
		switch {
		case !omitEmpty && !omitZero:
		case ft.Kind() == reflect.String:
			// "" is both empty and zero.
			f.omit = omitEmptyStr
		case ft.Kind() == reflect.Pointer:
			// nil is both empty and zero.
			f.omit = omitNilPtr
		case ft.Kind() == reflect.Slice && !omitZero:
			f.omit = omitEmptyLen
		default:
			var empty, zero func(unsafe.Pointer) bool
			if omitEmpty {
				empty = emptyWire(ft)
			}
			if omitZero {
				zero = func(p unsafe.Pointer) bool { return reflect.NewAt(ft, p).Elem().IsZero() }
			}
			f.omit, f.omitFunc = omitAny, empty
			switch {
			case empty != nil && zero != nil:
				f.omitFunc = func(p unsafe.Pointer) bool { return empty(p) || zero(p) }
			case zero != nil:
				f.omitFunc = zero
			}
		}
		fields = append(fields, f)
	}
	return func(s *wireState, b []byte, p unsafe.Pointer) []byte {
		b = append(b, '{')
		comma := 1 // none before the first field written
		for i := range fields {
			f := &fields[i]
			fp := unsafe.Add(p, f.offset)
			switch f.omit {
			case omitEmptyStr:
				if len(*(*string)(fp)) == 0 {
					continue
				}
			case omitEmptyLen:
				if (*sliceHeader)(fp).len == 0 {
					continue
				}
			case omitNilPtr:
				if *(*unsafe.Pointer)(fp) == nil {
					continue
				}
			case omitAny:
				if f.omitFunc(fp) {
					continue
				}
			}
			b = append(b, f.key[comma:]...)
			comma = 0
			if f.plain {
				b = appendJSONString(b, *(*string)(fp))
				continue
			}
			b = f.enc(s, b, fp)
		}
		return append(b, '}')
	}, nil
}

// emptyWire is encoding/json's isEmptyValue for omitempty: false, 0 (and
// -0), "", a nil pointer and a zero-length slice, array or map are empty; a
// struct never is.
func emptyWire(t reflect.Type) func(p unsafe.Pointer) bool {
	switch t.Kind() {
	case reflect.String:
		return func(p unsafe.Pointer) bool { return len(*(*string)(p)) == 0 }
	case reflect.Slice:
		return func(p unsafe.Pointer) bool { return (*sliceHeader)(p).len == 0 }
	case reflect.Array:
		n := t.Len()
		return func(unsafe.Pointer) bool { return n == 0 }
	case reflect.Pointer:
		return func(p unsafe.Pointer) bool { return *(*unsafe.Pointer)(p) == nil }
	case reflect.Bool:
		return func(p unsafe.Pointer) bool { return !*(*bool)(p) }
	case reflect.Float64:
		return func(p unsafe.Pointer) bool { return *(*float64)(p) == 0 }
	case reflect.Float32:
		return func(p unsafe.Pointer) bool { return *(*float32)(p) == 0 }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		// Every byte zero is the integer zero, whatever its size.
		size := t.Size()
		return func(p unsafe.Pointer) bool {
			for _, b := range unsafe.Slice((*byte)(p), size) {
				if b != 0 {
					return false
				}
			}
			return true
		}
	}
	return func(unsafe.Pointer) bool { return false } // struct
}

// sliceHeader is the runtime layout of every slice.
type sliceHeader struct {
	data unsafe.Pointer
	len  int
	cap  int
}

func (c *wireCompiler) sliceWire(t reflect.Type) (wireFunc, error) {
	elem := t.Elem()
	if elem.Kind() == reflect.Uint8 {
		pe := reflect.PointerTo(elem)
		if !pe.Implements(marshalerType) && !pe.Implements(textMarshalerType) {
			return bytesWire, nil
		}
	}
	enc, err := c.compile(elem)
	if err != nil {
		return nil, err
	}
	size := elem.Size()
	return func(s *wireState, b []byte, p unsafe.Pointer) []byte {
		h := (*sliceHeader)(p)
		if h.data == nil {
			return append(b, "null"...)
		}
		if s.depth++; s.depth > maxWireDepth {
			s.err = errWireTooDeep
			return b
		}
		b = append(b, '[')
		for i := range h.len {
			if i > 0 {
				b = append(b, ',')
			}
			b = enc(s, b, unsafe.Add(h.data, uintptr(i)*size))
		}
		s.depth--
		return append(b, ']')
	}, nil
}

func (c *wireCompiler) arrayWire(t reflect.Type) (wireFunc, error) {
	enc, err := c.compile(t.Elem())
	if err != nil {
		return nil, err
	}
	n, size := t.Len(), t.Elem().Size()
	return func(s *wireState, b []byte, p unsafe.Pointer) []byte {
		b = append(b, '[')
		for i := range n {
			if i > 0 {
				b = append(b, ',')
			}
			b = enc(s, b, unsafe.Add(p, uintptr(i)*size))
		}
		return append(b, ']')
	}, nil
}

func (c *wireCompiler) ptrWire(t reflect.Type) (wireFunc, error) {
	enc, err := c.compile(t.Elem())
	if err != nil {
		return nil, err
	}
	return func(s *wireState, b []byte, p unsafe.Pointer) []byte {
		q := *(*unsafe.Pointer)(p)
		if q == nil {
			return append(b, "null"...)
		}
		if s.depth++; s.depth > maxWireDepth {
			s.err = errWireTooDeep
			return b
		}
		b = enc(s, b, q)
		s.depth--
		return b
	}, nil
}

func boolWire(_ *wireState, b []byte, p unsafe.Pointer) []byte {
	return strconv.AppendBool(b, *(*bool)(p))
}

func intWire[T int | int8 | int16 | int32 | int64](_ *wireState, b []byte, p unsafe.Pointer) []byte {
	return strconv.AppendInt(b, int64(*(*T)(p)), 10)
}

func uintWire[T uint | uint8 | uint16 | uint32 | uint64 | uintptr](_ *wireState, b []byte, p unsafe.Pointer) []byte {
	return strconv.AppendUint(b, uint64(*(*T)(p)), 10)
}

func float64Wire(s *wireState, b []byte, p unsafe.Pointer) []byte {
	return appendFloat(s, b, *(*float64)(p), 64)
}

func float32Wire(s *wireState, b []byte, p unsafe.Pointer) []byte {
	return appendFloat(s, b, float64(*(*float32)(p)), 32)
}

// appendFloat writes f as encoding/json's floatEncoder does: like ES6
// Number.prototype.toString, the shortest decimal that round-trips, in
// exponent form only below 1e-6 or from 1e21 up, with e-07 cleaned to e-7.
// NaN and the infinities have no JSON form (RFC 8259 §6), an error.
func appendFloat(s *wireState, b []byte, f float64, bits int) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		s.err = fmt.Errorf("json: unsupported value: %s", strconv.FormatFloat(f, 'g', -1, bits))
		return b
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

func stringWire(_ *wireState, b []byte, p unsafe.Pointer) []byte {
	return appendJSONString(b, *(*string)(p))
}

// numberWire writes a json.Number as its literal, "" as 0, as encoding/json
// does; a string that is not a JSON number (RFC 8259 §6) is an error.
func numberWire(s *wireState, b []byte, p unsafe.Pointer) []byte {
	n := *(*string)(p)
	if n == "" {
		n = "0"
	}
	if !validNumber(n) {
		s.err = fmt.Errorf("json: invalid number literal %q", n)
		return b
	}
	return append(b, n...)
}

// bytesWire writes a []byte as standard base64 in a string, as
// encoding/json does (FHIR base64Binary is the same encoding).
func bytesWire(_ *wireState, b []byte, p unsafe.Pointer) []byte {
	data := *(*[]byte)(p)
	if data == nil {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, data)
	return append(b, '"')
}

// appendMarshaled appends a MarshalJSON result compacted as encoding/json
// does (json.Compact never escapes HTML); invalid JSON is an error.
func appendMarshaled(s *wireState, b, out []byte, err error) []byte {
	if err == nil {
		s.compact.Reset()
		err = json.Compact(&s.compact, out)
	}
	if err != nil {
		s.err = err
		return b
	}
	return append(b, s.compact.Bytes()...)
}

func addrMarshalerWire(t reflect.Type) wireFunc {
	return func(s *wireState, b []byte, p unsafe.Pointer) []byte {
		out, err := reflect.NewAt(t, p).Interface().(json.Marshaler).MarshalJSON()
		return appendMarshaled(s, b, out, err)
	}
}

func ptrMarshalerWire(t reflect.Type) wireFunc {
	return func(s *wireState, b []byte, p unsafe.Pointer) []byte {
		if *(*unsafe.Pointer)(p) == nil {
			return append(b, "null"...)
		}
		out, err := reflect.NewAt(t, p).Elem().Interface().(json.Marshaler).MarshalJSON()
		return appendMarshaled(s, b, out, err)
	}
}

func appendText(s *wireState, b, text []byte, err error) []byte {
	if err != nil {
		s.err = err
		return b
	}
	return appendJSONString(b, string(text))
}

func addrTextMarshalerWire(t reflect.Type) wireFunc {
	return func(s *wireState, b []byte, p unsafe.Pointer) []byte {
		text, err := reflect.NewAt(t, p).Interface().(encoding.TextMarshaler).MarshalText()
		return appendText(s, b, text, err)
	}
}

func ptrTextMarshalerWire(t reflect.Type) wireFunc {
	return func(s *wireState, b []byte, p unsafe.Pointer) []byte {
		if *(*unsafe.Pointer)(p) == nil {
			return append(b, "null"...)
		}
		text, err := reflect.NewAt(t, p).Elem().Interface().(encoding.TextMarshaler).MarshalText()
		return appendText(s, b, text, err)
	}
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes src as a JSON string exactly as encoding/json
// does with HTML escaping off. RFC 8259 §7 requires escaping only the
// quotation mark, the reverse solidus and the control characters U+0000 to
// U+001F; encoding/json writes \b \f \n \r \t in their two-character forms
// and the other controls as \u00XX, replaces each byte of invalid UTF-8
// with \ufffd (RFC 8259 §8.1: JSON text is UTF-8), and escapes U+2028 and
// U+2029, which JavaScript before ES2019 did not allow in strings.
func appendJSONString(dst []byte, src string) []byte {
	dst = append(dst, '"')
	start := 0
	// view reads src eight bytes at a time; nothing writes to it.
	view := unsafe.Slice(unsafe.StringData(src), len(src))
	for i := 0; i < len(src); {
		if i+8 <= len(src) && plain8(binary.LittleEndian.Uint64(view[i:])) {
			i += 8
			continue
		}
		if b := src[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, src[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(src[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, src[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, src[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, src[start:]...)
	return append(dst, '"')
}

// plain8 reports whether the eight bytes of x are all printable ASCII
// other than '"' and '\\', bytes appendJSONString copies as they are. Each
// term sets a byte's high bit when that byte is < 0x20, is '"', is '\\',
// or is not ASCII ("Determine if a word has a byte less than n", Bit
// Twiddling Hacks); a borrow may set later bytes' bits too, which only
// sends a word that needed the slow path anyway down it.
func plain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote := x ^ (ones * '"')
	backslash := x ^ (ones * '\\')
	t := (x - ones*0x20) & ^x
	t |= (quote - ones) & ^quote
	t |= (backslash - ones) & ^backslash
	return (t|x)&highs == 0
}

// validTagName is encoding/json's rule for a usable tag name: letters,
// digits and most punctuation, never a quote or backslash; any other name
// falls back to the Go field name.
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// validNumber reports whether s is a JSON number (RFC 8259 §6), the check
// encoding/json makes on a json.Number.
func validNumber(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
		if s == "" {
			return false
		}
	}
	switch {
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		s = s[1:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && '0' <= s[1] && s[1] <= '9' {
		s = s[2:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			s = s[1:]
			if s == "" {
				return false
			}
		}
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	return s == ""
}
