package fhir

import "strings"

// token is one value of a token search parameter (R4 Search, "token"):
// "code", "system|code", "|code" (a code without a system) or "system|"
// (any code of the system).
type token struct {
	system, code string
	hasSystem    bool
}

// parseTokens parses a comma-separated list of tokens (any one may match).
// A backslash escapes a ',', '|', '$' or '\' that belongs to the value
// (R4 Search, "Escaping Search Parameters").
func parseTokens(v string) ([]token, bool) {
	var ts []token
	for item := range splitList(v) {
		if item == "" {
			return nil, false
		}
		var t token
		if sys, code, found := cutUnescaped(item, '|'); found {
			if sys == "" && code == "" {
				return nil, false
			}
			t = token{system: sys, code: code, hasSystem: true}
		} else {
			t.code = item
		}
		var ok1, ok2 bool
		if t.system, ok1 = unescape(t.system); !ok1 {
			return nil, false
		}
		if t.code, ok2 = unescape(t.code); !ok2 {
			return nil, false
		}
		ts = append(ts, t)
	}
	return ts, true
}

// splitList yields the comma-separated items of v (a comma is OR, R4
// Search, "Composite ... and OR"), leaving escaped commas in their item and
// every escape as it was.
func splitList(v string) func(yield func(string) bool) {
	if strings.IndexByte(v, '\\') < 0 {
		return strings.SplitSeq(v, ",")
	}
	return func(yield func(string) bool) {
		start := 0
		for i := 0; i < len(v); i++ {
			switch v[i] {
			case '\\':
				i++ // the escaped byte, whatever it is
			case ',':
				if !yield(v[start:i]) {
					return
				}
				start = i + 1
			}
		}
		yield(v[start:])
	}
}

// cutUnescaped cuts s at the first sep no backslash escapes.
func cutUnescaped(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// unescape removes the escapes of one value: "\," "\|" "\$" and "\\". Any
// other backslash is an error (R4 Search, "Escaping Search Parameters": the
// value "xx\xx" is illegal).
func unescape(s string) (string, bool) {
	if strings.IndexByte(s, '\\') < 0 {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' {
			if i+1 == len(s) {
				return "", false
			}
			i++
			switch c = s[i]; c {
			case ',', '|', '$', '\\':
			default:
				return "", false
			}
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// matches reports whether the "system|code" value v satisfies t.
func (t token) matches(v string) bool {
	sys, code, found := strings.Cut(v, "|")
	if !found {
		sys, code = "", v
	}
	if t.hasSystem {
		if sys != t.system {
			return false
		}
		return t.code == "" || code == t.code
	}
	return code == t.code
}

// anyMatches reports whether one of ts matches one of values.
func anyMatches(ts []token, values []string) bool {
	for _, v := range values {
		for _, t := range ts {
			if t.matches(v) {
				return true
			}
		}
	}
	return false
}
