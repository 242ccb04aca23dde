package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// stdJSON renders v the way the generator did before the compiled
// encoders: encoding/json with HTML escaping off, "null" on error.
func stdJSON(v any) []byte { return newEncoder().encodeStd(v) }

// buildTapped builds spec on g through an encoder that hands every value
// it encodes, and the JSON it produced, to tap.
func buildTapped(g *Generator, spec Spec, tap func(v any, out []byte)) *Member {
	b := g.builder(spec)
	b.enc = newEncoder()
	b.enc.tap = tap
	return b.build()
}

// TestCompiledEncoderMatchesEncodingJSONOnMembers renders every wire value
// of the first members of seeds 1 and 2 (and the rich member) with both
// encoders and requires the same bytes, and requires that every wire type
// compiles: a type the compiled encoder cannot handle would still be
// encoded right (by encoding/json) but slowly, and must be noticed.
func TestCompiledEncoderMatchesEncodingJSONOnMembers(t *testing.T) {
	members := 120
	if testing.Short() || raceEnabled {
		members = 15
	}
	wireTypes := map[reflect.Type]int{}
	resourceTypes, tapped := map[string]bool{}, map[string]bool{}
	tap := func(v any, out []byte) {
		var head struct{ ResourceType string }
		_ = json.Unmarshal(out, &head)
		tapped[head.ResourceType] = true
		typ := reflect.TypeOf(v)
		if wireTypes[typ]++; wireTypes[typ] == 1 {
			if _, err := wireEncoderOf(typ); err != nil {
				t.Errorf("wire type %s is not compiled: %v", typ, err)
			}
		}
		if want := stdJSON(v); !bytes.Equal(out, want) {
			t.Errorf("%s encodes differently\ncompiled:      %s\nencoding/json: %s", typ, out, want)
		}
	}
	for _, seed := range []int64{1, 2} {
		g := New(seed) // fresh, so its directory resources are rendered here too
		specs := []Spec{{Number: 6, Rich: true}}
		for n := 1; n <= members; n++ {
			specs = append(specs, Spec{Number: n})
		}
		for _, spec := range specs {
			for _, r := range buildTapped(g, spec, tap).Resources {
				resourceTypes[r.Type] = true
			}
		}
	}
	for typ := range resourceTypes {
		if !tapped[typ] && typ != "Provenance" { // Provenance is written directly, not encoded
			t.Errorf("no %s resource went through the tapped encoder", typ)
		}
	}
	t.Logf("%d wire types, %d resource types", len(wireTypes), len(resourceTypes))
}

// Test types for the cases encoding/json treats specially.

type valueMarshaler struct{ N int }

func (m valueMarshaler) MarshalJSON() ([]byte, error) {
	return []byte(" { \"n\" :\n [ " + string(rune('0'+m.N%10)) + " , \"a b\" ] } "), nil
}

type ptrMarshaler struct{ S string }

func (m *ptrMarshaler) MarshalJSON() ([]byte, error) { return []byte(`"` + m.S + `"`), nil }

type badMarshaler struct{}

func (badMarshaler) MarshalJSON() ([]byte, error) { return []byte(`{"a":`), nil }

type failingMarshaler struct{}

func (failingMarshaler) MarshalJSON() ([]byte, error) { return nil, errors.New("no") }

type valueText struct{ S string }

func (t valueText) MarshalText() ([]byte, error) { return []byte("<" + t.S + "\u2028\n>"), nil }

type ptrText struct{ S string }

func (t *ptrText) MarshalText() ([]byte, error) { return []byte(t.S), nil }

type marshalerFields struct {
	V    valueMarshaler   `json:"v"`
	VP   *valueMarshaler  `json:"vp"`
	VPO  *valueMarshaler  `json:"vpo,omitempty"`
	P    ptrMarshaler     `json:"p"`
	PS   []ptrMarshaler   `json:"ps"`
	PP   *ptrMarshaler    `json:"pp"`
	T    valueText        `json:"t"`
	TP   *ptrText         `json:"tp"`
	TS   []ptrText        `json:"ts,omitempty"`
	Arr  [2]valueText     `json:"arr"`
	Nums []json.Number    `json:"nums"`
	Raw  json.RawMessage  `json:"raw"`
	RawN json.RawMessage  `json:"rawNil"`
	RawO json.RawMessage  `json:"rawOmit,omitempty"`
	Ms   []valueMarshaler `json:"ms,omitempty"`
}

type scalars struct {
	S    string      `json:"s"`
	SE   string      `json:"se,omitempty"`
	B    bool        `json:"b"`
	BE   bool        `json:"be,omitempty"`
	I    int         `json:"i"`
	IE   int         `json:"ie,omitempty"`
	I8   int8        `json:"i8"`
	I16  int16       `json:"i16,omitempty"`
	I32  int32       `json:"i32"`
	I64  int64       `json:"i64,omitempty"`
	U    uint        `json:"u"`
	U8   uint8       `json:"u8,omitempty"`
	U16  uint16      `json:"u16"`
	U32  uint32      `json:"u32,omitempty"`
	U64  uint64      `json:"u64"`
	UP   uintptr     `json:"up,omitempty"`
	F    float64     `json:"f"`
	FE   float64     `json:"fe,omitempty"`
	F32  float32     `json:"f32"`
	F32E float32     `json:"f32e,omitempty"`
	FP   *float64    `json:"fp,omitempty"`
	BP   *bool       `json:"bp"`
	N    json.Number `json:"n"`
	NE   json.Number `json:"ne,omitempty"`
	C    cents       `json:"c"`
}

type shapes struct {
	Nil      []string      `json:"nil"`
	Empty    []string      `json:"empty"`
	NilO     []string      `json:"nilO,omitempty"`
	EmptyO   []string      `json:"emptyO,omitempty"`
	Bytes    []byte        `json:"bytes"`
	NilBytes []byte        `json:"nilBytes"`
	BytesO   []byte        `json:"bytesO,omitempty"`
	Ints     []int         `json:"ints"`
	Arr      [3]int8       `json:"arr"`
	ArrB     [2]byte       `json:"arrB"`
	Arr0     [0]int        `json:"arr0,omitempty"`
	Struct   period        `json:"struct,omitempty"`
	Zero     period        `json:"zero,omitzero"`
	ZeroSet  period        `json:"zeroSet,omitzero"`
	ZeroBoth []int         `json:"zeroBoth,omitempty,omitzero"`
	PtrPtr   **coding      `json:"ptrPtr"`
	Nested   [][]extension `json:"nested"`
	Private  string
	private  string
	Skipped  string `json:"-"`
	Dash     string `json:"-,"`
	BadName  string `json:"a\"b"`
	Untagged int
	Unknown  string `json:"unknown,omitempty,format:x"`
	Punct    string `json:"a.b-c/d@e"`
}

type withMap struct {
	M map[string]int `json:"m"`
}

type withInterface struct {
	V any `json:"v"`
}

type withEmbedded struct {
	period
	Code string `json:"code"`
}

// duplicateNames returns a pointer to a struct whose two fields are both
// tagged "x" (built at run time, as vet rejects such a declaration).
func duplicateNames() any {
	t := reflect.StructOf([]reflect.StructField{
		{Name: "A", Type: reflect.TypeFor[string](), Tag: `json:"x"`},
		{Name: "B", Type: reflect.TypeFor[string](), Tag: `json:"x"`},
	})
	v := reflect.New(t)
	v.Elem().Field(0).SetString("a")
	v.Elem().Field(1).SetString("b")
	return v.Interface()
}

type withStringOption struct {
	N int `json:"n,string"`
}

type withIsZero struct {
	At time.Time `json:"at,omitzero"`
}

type chain struct {
	Next *chain `json:"next,omitempty"`
	N    int    `json:"n"`
}

func chainOf(n int) *chain {
	var c *chain
	for i := range n {
		c = &chain{Next: c, N: i}
	}
	return c
}

func ptr[T any](v T) *T { return &v }

func TestCompiledEncoderCases(t *testing.T) {
	negZero := math.Copysign(0, -1)
	cyclic := &chain{N: 1}
	cyclic.Next = cyclic
	code := &coding{Code: "x"}
	tests := []struct {
		name     string
		v        any
		compiled bool   // whether the compiled encoder takes the type
		want     string // "" = whatever encoding/json writes
	}{
		{"escapes", &coding{System: "\"\\/\b\f\n\r\t\x00\x01\x1f\x7f <>&", Code: "a\u2028b\u2029c\u2027", Display: "é😀\xff\xc3\xe2\x82 \xed\xa0\x80"}, true, ""},
		{"every byte", &coding{Code: allBytes()}, true, ""},
		{"html stays", &coding{Code: "<a href='x'>&amp;</a>"}, true, `{"code":"<a href='x'>&amp;</a>"}`},
		{"zero scalars", &scalars{}, true, ""},
		{"scalars", &scalars{S: "s", SE: "e", B: true, BE: true, I: -1, IE: math.MinInt, I8: -128, I16: 32767, I32: math.MinInt32,
			I64: math.MaxInt64, U: 1, U8: 255, U16: 65535, U32: math.MaxUint32, U64: math.MaxUint64, UP: 7,
			F: 123.456, FE: negZero, F32: 0.1, F32E: -3.4e38, FP: ptr(1e-7), BP: ptr(false), N: "-12.50e+3", NE: "0", C: -1234}, true, ""},
		{"negative zero", &scalars{F: negZero, F32: float32(negZero), FP: ptr(negZero)}, true, ""},
		{"float forms", &[]float64{1e-6, 9.99e-7, 1e-7, 1e20, 1e21, 123456789e13, 5e-324, math.MaxFloat64, -1.5e-10, 0.000001234, 100, 1.0 / 3}, true, ""},
		{"float32 forms", &[]float32{1e-6, 9.99e-7, 1e20, 1e21, math.SmallestNonzeroFloat32, math.MaxFloat32, 1.0 / 3, 16777217}, true, ""},
		{"NaN", &quantity{Value: math.NaN()}, true, "null"},
		{"infinity", &scalars{F32: float32(math.Inf(-1))}, true, "null"},
		{"NaN omitempty", &scalars{FE: math.NaN()}, true, "null"},
		{"invalid number", &money{Value: "1."}, true, "null"},
		{"empty number", &money{}, true, `{"value":0,"currency":""}`},
		{"shapes", &shapes{Empty: []string{}, EmptyO: []string{}, Bytes: []byte("\x00\xffhello"), BytesO: []byte{},
			Ints: []int{1, -2}, Arr: [3]int8{1, 2, 3}, ArrB: [2]byte{1, 2}, ZeroSet: period{End: "x"}, ZeroBoth: []int{},
			PtrPtr: &code, Nested: [][]extension{nil, {}, {{URL: "u", Extension: []extension{{URL: "v"}}}}},
			Private: "p", private: "q", Skipped: "s", Dash: "d", BadName: "b", Untagged: 3, Unknown: "k", Punct: "p"}, true, ""},
		{"zero shapes", &shapes{}, true, ""},
		{"marshalers", &marshalerFields{V: valueMarshaler{3}, VP: &valueMarshaler{4}, P: ptrMarshaler{"p"}, PS: []ptrMarshaler{{"a"}, {"b"}},
			PP: &ptrMarshaler{"pp"}, T: valueText{"t"}, TP: &ptrText{"\x01"}, TS: []ptrText{{"x"}},
			Nums: []json.Number{"1", "2.5"}, Raw: json.RawMessage(" [1, {\"a\" : \"<&>\"} ] "), Ms: []valueMarshaler{{1}}}, true, ""},
		{"nil marshalers", &marshalerFields{}, true, ""},
		{"invalid marshaler output", &struct{ B badMarshaler }{}, true, "null"},
		{"marshaler error", &[]failingMarshaler{{}}, true, "null"},
		{"invalid raw message", &struct{ R json.RawMessage }{R: json.RawMessage("{")}, true, "null"},
		{"recursive type", &extension{URL: "a", Extension: []extension{{URL: "b", ValueCoding: &coding{Code: "c"}}}}, true, ""},
		{"resource", &observationResource{ResourceType: "Observation", ID: "x", ValueQuantity: ptr(ucum(98.6, "[degF]"))}, true, ""},
		{"nil pointer", (*coding)(nil), true, "null"},
		{"deep but finite", chainOf(1500), true, ""},
		{"cycle", cyclic, true, "null"},
		{"top-level value", coding{Code: "x"}, false, `{"code":"x"}`},
		{"nil", nil, false, "null"},
		{"map", &withMap{M: map[string]int{"b": 1, "a": 2}}, false, `{"m":{"a":2,"b":1}}`},
		{"interface", &withInterface{V: []any{1, "x"}}, false, `{"v":[1,"x"]}`},
		{"embedded", &withEmbedded{period: period{Start: "s"}, Code: "c"}, false, `{"start":"s","code":"c"}`},
		{"duplicate names", duplicateNames(), false, `{}`},
		{"string option", &withStringOption{N: 5}, false, `{"n":"5"}`},
		{"IsZero method", &withIsZero{}, false, `{}`},
		{"pointer to map", &map[string]int{"a": 1}, false, `{"a":1}`},
		{"func", &struct{ F func() }{}, false, "null"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.v != nil {
				_, err := wireEncoderOf(reflect.TypeOf(tc.v))
				if compiled := err == nil; compiled != tc.compiled {
					t.Errorf("compiled = %v (%v), want %v", compiled, err, tc.compiled)
				}
			}
			got := newEncoder().encode(tc.v)
			want := stdJSON(tc.v)
			if !bytes.Equal(got, want) {
				t.Errorf("compiled:      %s\nencoding/json: %s", got, want)
			}
			if tc.want != "" && string(got) != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func allBytes() string {
	var b strings.Builder
	for i := range 256 {
		b.WriteByte(byte(i))
	}
	return b.String()
}

// TestEncoderReusesItsBuffer encodes with one encoder twice: the second
// result must not be changed by the third encoding, since the buffer is
// reused and each result is a copy.
func TestEncoderReusesItsBuffer(t *testing.T) {
	e := newEncoder()
	first := e.encode(&coding{Code: "first"})
	second := e.encode(&coding{Code: "second"})
	e.encode(&coding{Code: "third, longer than the others"})
	if string(first) != `{"code":"first"}` || string(second) != `{"code":"second"}` {
		t.Errorf("results changed by later encodings: %s %s", first, second)
	}
	if raceEnabled {
		return // under -race, sync.Pool drops buffers on purpose
	}
	v := &coding{Code: "x", Display: "y"}
	if allocs := testing.AllocsPerRun(100, func() { e.encode(v) }); allocs > 1 {
		t.Errorf("encode allocates %v times, want only the returned copy", allocs)
	}
}

// fuzzWire has a field of every kind the wire types use, most omitempty.
type fuzzWire struct {
	S   string      `json:"s,omitempty"`
	T   string      `json:"t"`
	B   []byte      `json:"b,omitempty"`
	X   float64     `json:"x,omitempty"`
	XA  float64     `json:"xa"`
	Y   float32     `json:"y,omitempty"`
	XP  *float64    `json:"xp,omitempty"`
	I   int64       `json:"i,omitempty"`
	I8  int8        `json:"i8"`
	II  int         `json:"ii,omitempty"`
	U   uint64      `json:"u,omitempty"`
	F   bool        `json:"f,omitempty"`
	FP  *bool       `json:"fp,omitempty"`
	L   []string    `json:"l,omitempty"`
	LA  []string    `json:"la"`
	N   json.Number `json:"n,omitempty"`
	C   *concept    `json:"c,omitempty"`
	Ext []extension `json:"ext,omitempty"`
}

func FuzzEncoderMatchesEncodingJSON(f *testing.F) {
	f.Add("plain", []byte("bytes"), 1.5, float32(2.5), int64(1), uint64(2), true)
	f.Add("", []byte(nil), 0.0, float32(0), int64(0), uint64(0), false)
	f.Add("\u2028\u2029\x00\x1f\"\\<>&\x7f", []byte("\xff\xfe\xc3"), math.Copysign(0, -1), float32(1e-7), int64(math.MinInt64), uint64(math.MaxUint64), true)
	f.Add("\xed\xa0\x80\xf4\x90\x80\x80é", []byte("\t\n\r\b\f"), 1e-7, float32(1e21), int64(-1), uint64(1), false)
	f.Add("12.5e-3", []byte("{}"), 1e21, float32(math.MaxFloat32), int64(42), uint64(7), true)
	f.Add("x", []byte("x"), math.NaN(), float32(math.Inf(1)), int64(0), uint64(0), true)
	f.Add("-0", []byte("0"), 5e-324, float32(math.SmallestNonzeroFloat32), int64(1), uint64(0), false)
	f.Fuzz(func(t *testing.T, s string, raw []byte, x float64, y float32, i int64, u uint64, flag bool) {
		v := &fuzzWire{S: s, T: string(raw), B: raw, X: x, XA: -x, Y: y, I: i, I8: int8(i), II: int(i), U: u, F: flag,
			LA: []string{}, C: &concept{Text: s, Coding: []coding{{Display: string(raw)}}}}
		if flag {
			v.XP, v.FP, v.L = &x, &flag, []string{s, string(raw)}
			v.Ext = []extension{{URL: s, Extension: []extension{{ValueString: string(raw)}}}}
		}
		values := []any{v, &fuzzWire{N: json.Number(s)}, &fuzzWire{N: json.Number(raw), T: s},
			&quantity{Value: x, Unit: s}, &[]float32{y}, &[]byte{}, &raw}
		for _, val := range values {
			got, want := newEncoder().encode(val), stdJSON(val)
			if !bytes.Equal(got, want) {
				t.Fatalf("%T\ncompiled:      %q\nencoding/json: %q", val, got, want)
			}
		}
	})
}

// memberValues returns the wire values of members first..first+n-1 of seed
// 1 and the JSON each became. Each value is copied when it is encoded, as
// a builder may reuse the variable it encodes.
func memberValues(tb testing.TB, first, n int) ([][]any, [][][]byte) {
	g := New(1)
	values, outs := make([][]any, n), make([][][]byte, n)
	for k := range n {
		buildTapped(g, Spec{Number: first + k}, func(v any, out []byte) {
			rv := reflect.ValueOf(v)
			c := reflect.New(rv.Type().Elem())
			c.Elem().Set(rv.Elem())
			values[k] = append(values[k], c.Interface())
			outs[k] = append(outs[k], out)
		})
	}
	return values, outs
}

// BenchmarkEncodeMember encodes every resource of one member (members 7..56
// in turn) with the compiled encoders and with encoding/json.
func BenchmarkEncodeMember(b *testing.B) {
	values, outs := memberValues(b, 7, 50)
	for _, enc := range []struct {
		name   string
		encode func(e *encoder, v any) []byte
	}{
		{"compiled", (*encoder).encode},
		{"encoding-json", (*encoder).encodeStd},
	} {
		b.Run(enc.name, func(b *testing.B) {
			e := newEncoder()
			for k := range values {
				for j, v := range values[k] {
					if got := enc.encode(e, v); !bytes.Equal(got, outs[k][j]) {
						b.Fatalf("member %d resource %d: got %s, built %s", 7+k, j, got, outs[k][j])
					}
				}
			}
			b.ReportAllocs()
			bytesOut := 0
			for i := 0; b.Loop(); i++ {
				for _, v := range values[i%len(values)] {
					bytesOut += len(enc.encode(e, v))
				}
			}
			b.SetBytes(int64(bytesOut / max(b.N, 1)))
		})
	}
}

// TestCompiledEncoderConcurrentFirstUse encodes a type no other test uses
// from several goroutines at once, as parallel member builds do, so that
// compiling it races with using it (run under -race to see any race).
func TestCompiledEncoderConcurrentFirstUse(t *testing.T) {
	type firstUse struct {
		Name  string      `json:"name"`
		Parts []firstUse  `json:"parts,omitempty"`
		Score *float64    `json:"score,omitempty"`
		Ext   []extension `json:"extension,omitempty"`
	}
	v := &firstUse{Name: "a", Parts: []firstUse{{Name: "b", Score: ptr(0.5)}}, Ext: []extension{{URL: "u"}}}
	want := stdJSON(v)
	outs := make(chan []byte, 8)
	for range cap(outs) {
		go func() { outs <- newEncoder().encode(v) }()
	}
	for range cap(outs) {
		if got := <-outs; !bytes.Equal(got, want) {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}
