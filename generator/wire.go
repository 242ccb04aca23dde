package generator

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"sync"
)

// The wire types below are the small subset of FHIR R4 datatypes the
// generator writes. Every optional field is omitempty or omitzero because
// FHIR forbids empty strings, arrays and objects (R4 §2.6.2, JSON
// representation).

type coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type concept struct {
	Coding []coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// conceptOf is a CodeableConcept of one coding.
func conceptOf(system, code, display string) concept {
	return concept{Coding: []coding{{System: system, Code: code, Display: display}}}
}

type identifier struct {
	Type   *concept `json:"type,omitempty"`
	System string   `json:"system,omitempty"`
	Value  string   `json:"value,omitempty"`
}

type reference struct {
	Reference  string      `json:"reference,omitempty"`
	Identifier *identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

type period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

type meta struct {
	LastUpdated string   `json:"lastUpdated"`
	Profile     []string `json:"profile,omitempty"`
}

type extension struct {
	URL         string      `json:"url"`
	ValueCoding *coding     `json:"valueCoding,omitempty"`
	ValueString string      `json:"valueString,omitempty"`
	ValueCode   string      `json:"valueCode,omitempty"`
	Extension   []extension `json:"extension,omitempty"`
}

type quantity struct {
	Value  float64 `json:"value"`
	Unit   string  `json:"unit,omitempty"`
	System string  `json:"system,omitempty"`
	Code   string  `json:"code,omitempty"`
}

// ucum is a quantity in UCUM units, as US Core requires for lab and vital
// sign values.
func ucum(v float64, code string) quantity {
	return quantity{Value: v, Unit: code, System: "http://unitsofmeasure.org", Code: code}
}

// cents is an amount of US dollars held exactly.
type cents int64

// decimal writes c as a FHIR decimal with two places, e.g. 123.40.
func (c cents) decimal() json.Number {
	b := make([]byte, 0, 16)
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	b = strconv.AppendInt(b, int64(c/100), 10)
	b = append(b, '.', byte('0'+c%100/10), byte('0'+c%10))
	return json.Number(b)
}

type money struct {
	Value    json.Number `json:"value"`
	Currency string      `json:"currency"`
}

func usd(c cents) *money { return &money{Value: c.decimal(), Currency: "USD"} }

type humanName struct {
	Use    string   `json:"use,omitempty"`
	Text   string   `json:"text,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
	Prefix []string `json:"prefix,omitempty"`
}

type contactPoint struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
	Use    string `json:"use,omitempty"`
}

type address struct {
	Use        string   `json:"use,omitempty"`
	Type       string   `json:"type,omitempty"`
	Line       []string `json:"line,omitempty"`
	City       string   `json:"city,omitempty"`
	District   string   `json:"district,omitempty"`
	State      string   `json:"state,omitempty"`
	PostalCode string   `json:"postalCode,omitempty"`
	Country    string   `json:"country,omitempty"`
	Period     *period  `json:"period,omitempty"`
}

// encoder renders resources to compact JSON through reused buffers,
// byte for byte as encoding/json's Encoder with HTML escaping off would
// (so "&" and "<" stay as written), by the compiled encoders of
// jsonwire.go; a type they cannot compile goes to encoding/json itself.
type encoder struct {
	wire wireState
	// std and stdBuf are the fallback, made on first use.
	std    *json.Encoder
	stdBuf bytes.Buffer
	// tap, when set (tests only), sees every value and the JSON it became.
	tap func(v any, out []byte)
}

func newEncoder() *encoder { return &encoder{} }

// wireBuffers holds the buffers resources are rendered into, shared by all
// encoders as encoding/json shares its own, so that a new member's encoder
// starts with a buffer already grown to a resource's size.
var wireBuffers = sync.Pool{New: func() any { return new([]byte) }}

// encode returns v, a pointer to a wire value, as compact JSON. The wire
// types hold only strings, numbers, bools and slices and pointers of
// them, which always marshal, so an error here is a programming error and
// is returned as JSON null rather than a panic.
func (e *encoder) encode(v any) []byte {
	out := e.render(v)
	if e.tap != nil {
		e.tap(v, out)
	}
	return out
}

func (e *encoder) render(v any) []byte {
	if v != nil {
		if fn, err := wireEncoderOf(reflect.TypeOf(v)); err == nil {
			s := &e.wire
			s.err, s.depth = nil, 0
			buf := wireBuffers.Get().(*[]byte)
			*buf = appendWire(s, (*buf)[:0], fn, v)
			var out []byte
			if s.err == nil {
				out = bytes.Clone(*buf)
			}
			wireBuffers.Put(buf)
			switch s.err {
			case nil:
				return out
			case errWireTooDeep:
				// Possibly cyclic: encoding/json decides.
			default:
				return []byte("null")
			}
		}
	}
	return e.encodeStd(v)
}

// encodeStd renders v with encoding/json, the reference the compiled
// encoders match.
func (e *encoder) encodeStd(v any) []byte {
	if e.std == nil {
		e.std = json.NewEncoder(&e.stdBuf)
		e.std.SetEscapeHTML(false)
	}
	e.stdBuf.Reset()
	if err := e.std.Encode(v); err != nil {
		return []byte("null")
	}
	return bytes.Clone(bytes.TrimSuffix(e.stdBuf.Bytes(), []byte("\n")))
}
