package oauth

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Scopes other than resource scopes (SMART App Launch 2 §3, OIDC Core §5.4).
const (
	scopeOpenID        = "openid"
	scopeFHIRUser      = "fhirUser"
	scopeProfile       = "profile"
	scopeOfflineAccess = "offline_access"
	scopeLaunchPatient = "launch/patient"
)

// personalType is the resource type of the member's personal information,
// withheld with the profile scope when the member shares health data only
// (README, "Tokens").
const personalType = "Patient"

// scopeRules are the scopes the server can grant: the fixed ones above and
// patient scopes for each FHIR type the FHIR API serves, which main passes
// in from its route table (Config.ResourceTypes).
type scopeRules struct {
	types []string
}

// newScopeRules checks the served types: each a FHIR resource type name
// (letters, upper-case first, so it cannot hold the "/" or "." of scope
// syntax), none twice.
func newScopeRules(types []string) (scopeRules, error) {
	if len(types) == 0 {
		return scopeRules{}, errors.New("no FHIR resource types")
	}
	for i, t := range types {
		if !isTypeName(t) {
			return scopeRules{}, fmt.Errorf("resource type %q is not a FHIR type name", t)
		}
		if slices.Contains(types[:i], t) {
			return scopeRules{}, fmt.Errorf("resource type %q is listed twice", t)
		}
	}
	return scopeRules{types: slices.Clone(types)}, nil
}

// isTypeName reports whether t has the shape of a FHIR resource type name
// (R4 "Resource Names": upper camel case letters).
func isTypeName(t string) bool {
	if t == "" || t[0] < 'A' || t[0] > 'Z' {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// parse turns a scope parameter (RFC 6749 §3.3: space-delimited) into
// the scopes this server can grant, in request order without repeats. The
// docs' spellings work: openid, fhirUser and profile match in any case
// ("openID", "FHIRUser"). Scopes the server does not know, such as the docs'
// "read", are dropped: RFC 6749 §3.3 lets the server grant less than asked.
func (sr scopeRules) parse(raw string) []string {
	var out []string
	for _, f := range strings.Fields(raw) {
		s := sr.normal(f)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// normal is the grantable form of one requested scope, or "".
func (sr scopeRules) normal(f string) string {
	switch strings.ToLower(f) {
	case "openid":
		return scopeOpenID
	case "fhiruser":
		return scopeFHIRUser
	case "profile":
		return scopeProfile
	}
	switch f {
	case scopeOfflineAccess, scopeLaunchPatient:
		return f
	}
	return sr.patient(f)
}

// patient normalises a SMART patient-level resource scope (SMART App
// Launch 2 §3.1): v1 "patient/{Type|*}.read" (".*" means read here; the
// server is read-only) and v2 "patient/{Type|*}.{cruds}", whose permissions
// must appear in c, r, u, d, s order. Only r and s can be granted, so
// ".cruds" becomes ".rs" and ".c" is dropped. Granular v2 scopes with a
// query are not supported and dropped. Type is one the FHIR API serves.
func (sr scopeRules) patient(f string) string {
	rest, ok := strings.CutPrefix(f, "patient/")
	if !ok {
		return ""
	}
	typ, perm, ok := strings.Cut(rest, ".")
	if !ok || (typ != "*" && !slices.Contains(sr.types, typ)) {
		return ""
	}
	switch perm {
	case "read", "*":
		return "patient/" + typ + ".read"
	case "write":
		return ""
	}
	kept, ok := v2Permissions(perm)
	if !ok || kept == "" {
		return ""
	}
	return "patient/" + typ + "." + kept
}

// v2Permissions checks a SMART v2 permission string (a non-empty ordered
// subset of "cruds") and returns the read-only part of it ("r", "s" or "rs").
func v2Permissions(perm string) (string, bool) {
	const order = "cruds"
	if perm == "" {
		return "", false
	}
	at := 0
	var kept strings.Builder
	for i := 0; i < len(perm); i++ {
		j := strings.IndexByte(order[at:], perm[i])
		if j < 0 {
			return "", false
		}
		at += j + 1
		if perm[i] == 'r' || perm[i] == 's' {
			kept.WriteByte(perm[i])
		}
	}
	return kept.String(), true
}

// withoutPersonal is the grant when the member declines to share personal
// information (README, "Tokens"): no profile and no patient/Patient.* scope, and a
// wildcard resource scope becomes the same permission on every other type.
func (sr scopeRules) withoutPersonal(scopes []string) []string {
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, s := range scopes {
		rest, isResource := strings.CutPrefix(s, "patient/")
		switch {
		case s == scopeProfile, strings.HasPrefix(rest, personalType+"."):
		case isResource && strings.HasPrefix(rest, "*."):
			for _, t := range sr.types {
				if t != personalType {
					add("patient/" + t + rest[1:])
				}
			}
		default:
			add(s)
		}
	}
	return out
}

// covers reports whether a grant of granted includes scope s, for a refresh
// that asks for less (RFC 6749 §6). A type scope is covered by the wildcard
// with the same or wider permissions, and v1 read equals v2 rs.
func covers(granted []string, s string) bool {
	if slices.Contains(granted, s) {
		return true
	}
	rest, ok := strings.CutPrefix(s, "patient/")
	if !ok {
		return false
	}
	typ, perm, _ := strings.Cut(rest, ".")
	for _, g := range granted {
		grest, ok := strings.CutPrefix(g, "patient/")
		if !ok {
			continue
		}
		gtyp, gperm, _ := strings.Cut(grest, ".")
		if (gtyp == typ || gtyp == "*") && permSubset(perm, gperm) {
			return true
		}
	}
	return false
}

// permSubset reports whether permission p (v1 "read" or v2 "r", "s", "rs")
// allows no more than permission of.
func permSubset(p, of string) bool {
	expand := func(x string) string {
		if x == "read" {
			return "rs"
		}
		return x
	}
	p, of = expand(p), expand(of)
	for i := 0; i < len(p); i++ {
		if strings.IndexByte(of, p[i]) < 0 {
			return false
		}
	}
	return true
}

// hasScope reports whether scopes includes s.
func hasScope(scopes []string, s string) bool { return slices.Contains(scopes, s) }
