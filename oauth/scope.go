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

// Contexts of a SMART resource scope (SMART App Launch 2, "Scopes for
// requesting clinical data"). A member's user/ scope opens what the member
// may read, the same records as its patient/ scope: their own, or those of
// the member they represent.
const (
	contextPatient = "patient/"
	contextUser    = "user/"
)

// resourceContexts are the contexts the server grants, in the order
// discovery lists them.
var resourceContexts = [...]string{contextPatient, contextUser}

// cutContext splits a resource scope into its context and the rest.
func cutContext(s string) (context, rest string, ok bool) {
	for _, c := range resourceContexts {
		if rest, ok := strings.CutPrefix(s, c); ok {
			return c, rest, true
		}
	}
	return "", s, false
}

// scopeRules are the scopes the server can grant: the fixed ones above and
// patient and user scopes for each FHIR type the FHIR API serves, which
// main passes in from its route table (Config.ResourceTypes).
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
	return sr.resource(f)
}

// resource normalises a SMART patient- or user-level resource scope (SMART
// App Launch 2 §3.1): v1 "{context}/{Type|*}.read" (".*" means read here;
// the server is read-only) and v2 "{context}/{Type|*}.{cruds}", whose
// permissions must appear in c, r, u, d, s order. Only r and s can be
// granted, so ".cruds" becomes ".rs" and ".c" is dropped. Granular v2
// scopes with a query are not supported and dropped. Type is one the FHIR
// API serves.
func (sr scopeRules) resource(f string) string {
	context, rest, ok := cutContext(f)
	if !ok {
		return ""
	}
	typ, perm, ok := strings.Cut(rest, ".")
	if !ok || (typ != "*" && !slices.Contains(sr.types, typ)) {
		return ""
	}
	switch perm {
	case "read", "*":
		return context + typ + ".read"
	case "write":
		return ""
	}
	kept, ok := v2Permissions(perm)
	if !ok || kept == "" {
		return ""
	}
	return context + typ + "." + kept
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
// information (README, "Tokens"): no profile and no patient/Patient.* or
// user/Patient.* scope, and a wildcard resource scope becomes the same
// permission on every other type.
func (sr scopeRules) withoutPersonal(scopes []string) []string {
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, s := range scopes {
		context, rest, isResource := cutContext(s)
		switch {
		case s == scopeProfile, isResource && strings.HasPrefix(rest, personalType+"."):
		case isResource && strings.HasPrefix(rest, "*."):
			for _, t := range sr.types {
				if t != personalType {
					add(context + t + rest[1:])
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
// of its context with the same or wider permissions, and v1 read equals v2
// rs. A context covers only itself: patient/ and user/ are granted apart.
func covers(granted []string, s string) bool {
	if slices.Contains(granted, s) {
		return true
	}
	context, rest, ok := cutContext(s)
	if !ok {
		return false
	}
	typ, perm, _ := strings.Cut(rest, ".")
	for _, g := range granted {
		grest, ok := strings.CutPrefix(g, context)
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
