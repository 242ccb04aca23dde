// Package profile names the sandbox's behaviour profiles (README,
// "Profiles"): which rules the authorization server enforces and which shape
// the FHIR API's errors take. Every package that behaves differently per
// profile takes a Profile; the names exist only here.
package profile

import (
	"fmt"
	"strconv"
	"strings"
)

// Profile is one behaviour profile. The zero value is BCBSNC, the default.
type Profile uint8

const (
	// BCBSNC behaves as the vendor docs describe: PKCE optional for
	// confidential clients, plain allowed, {"detail": …} errors.
	BCBSNC Profile = iota
	// Strict follows SMART App Launch 2 as Inferno checks it: PKCE S256 and
	// state required, OperationOutcome errors.
	Strict

	count // the number of profiles; not one itself
)

// profiles holds each profile's name and one-line summary. Its length is
// count, so a profile added above without an entry here has an empty name,
// which the package's tests reject.
var profiles = [count]struct{ name, summary string }{
	BCBSNC: {"bcbsnc", "as the vendor docs describe"},
	Strict: {"strict", "SMART App Launch 2 / Inferno rules"},
}

// All lists every profile, the default first.
func All() []Profile {
	out := make([]Profile, count)
	for i := range out {
		out[i] = Profile(i)
	}
	return out
}

// Valid reports whether p is one of the profiles.
func (p Profile) Valid() bool { return p < count }

// String is the profile's name as --profile takes it.
func (p Profile) String() string {
	if !p.Valid() {
		return "Profile(" + strconv.Itoa(int(p)) + ")"
	}
	return profiles[p].name
}

// Summary says in a few words what the profile follows.
func (p Profile) Summary() string {
	if !p.Valid() {
		return ""
	}
	return profiles[p].summary
}

// Parse returns the profile named name; the error lists the names.
func Parse(name string) (Profile, error) {
	for _, p := range All() {
		if p.String() == name {
			return p, nil
		}
	}
	return 0, fmt.Errorf("must be %s, not %q", Names(), name)
}

// Names lists the names quoted, for an error message: `"bcbsnc" or "strict"`.
func Names() string {
	return list(func(p Profile) string { return strconv.Quote(p.String()) })
}

// Help lists each name with its summary, for the --profile flag's help.
func Help() string {
	return list(func(p Profile) string { return strconv.Quote(p.String()) + " (" + p.Summary() + ")" })
}

// list joins item(p) for every profile as a sentence does: "a, b or c".
func list(item func(Profile) string) string {
	all := All()
	parts := make([]string, len(all))
	for i, p := range all {
		parts[i] = item(p)
	}
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}
