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
func parseTokens(v string) ([]token, bool) {
	var ts []token
	for item := range strings.SplitSeq(v, ",") {
		var t token
		if sys, code, found := strings.Cut(item, "|"); found {
			t = token{system: sys, code: code, hasSystem: true}
			if sys == "" && code == "" {
				return nil, false
			}
		} else {
			t.code = item
		}
		if item == "" {
			return nil, false
		}
		ts = append(ts, t)
	}
	return ts, true
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
