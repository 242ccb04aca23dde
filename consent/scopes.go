package consent

import (
	"regexp"
	"strings"
)

// describeScopes turns the scopes an app asked for into sentences a member
// can read, in the order asked, without repeats. The docs say the member
// is not offered a choice of scopes; this only says what the app gets.
// Scopes are matched case-insensitively because the docs spell them
// "openID" and "FHIRUser".
//
// member is "" when the reader shares their own data, so the sentences say
// "your"; for a personal representative it is the name of the member whose
// data it is, and the sentences name that member instead.
func (s *Screens) describeScopes(scopes []string, member string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, sc := range scopes {
		sentence := s.scopeSentence(sc, member)
		if sentence == "" || seen[sentence] {
			continue
		}
		seen[sentence] = true
		out = append(out, sentence)
	}
	return out
}

// scopeSentence is one scope in plain words, for the member themself when
// member is "" and naming member otherwise; "" for an empty scope.
func (s *Screens) scopeSentence(scope, member string) string {
	self := member == ""
	whose := possessive(member)
	switch strings.ToLower(scope) {
	case "":
		return ""
	case "openid", "fhiruser":
		if self {
			return "Who you are: your member identity, so the app knows whose data it has."
		}
		return "Who you are: a personal representative of " + member + ", so the app knows whose data it has and who shared it."
	case "profile":
		if self {
			return "Your name and email address."
		}
		return capitalize(whose) + " name and email address."
	case "offline_access":
		return "Keep access to this data when you are away from the app, until you take it back."
	case "online_access":
		return "Keep access to this data while you are using the app."
	case "launch/patient":
		return "Which member's records you chose to share."
	case "read":
		if self {
			return "Read your health plan data. The app cannot change anything."
		}
		return "Read " + whose + " health plan data. The app cannot change anything."
	}
	if sentence, ok := s.resourceScopeSentence(scope, member); ok {
		return sentence
	}
	return "Other access the app asked for: \u201c" + scope + "\u201d."
}

// resourceScopeSentence describes a SMART resource scope: v1
// "patient/Type.read" and v2 "patient/Type.rs" (SMART App Launch 2 §3.3),
// in the words Config.ResourceWords gives the type, which address the
// member ("your claims"); for a representative they name member instead.
func (s *Screens) resourceScopeSentence(scope, member string) (string, bool) {
	ctx, rest, ok := strings.Cut(scope, "/")
	if !ok || !strings.EqualFold(ctx, "patient") && !strings.EqualFold(ctx, "user") {
		return "", false
	}
	typ, _, _ := strings.Cut(rest, ".")
	typ, _, _ = strings.Cut(typ, "?") // v2 scopes may narrow with a query
	if typ == "*" {
		if member == "" {
			return "All your health plan data: claims, coverage, clinical records and your demographics.", true
		}
		return "All of " + possessive(member) + " health plan data: claims, coverage, clinical records and demographics.", true
	}
	words := s.words[typ]
	if words == "" {
		return "", false
	}
	if member != "" {
		words = naming(words, member)
	}
	return capitalize(words) + ".", true
}

// possessive is "Jane Doe’s", with the apostrophe the screens print.
func possessive(member string) string { return member + "\u2019s" }

// capitalize upper-cases the first letter of s, which is ASCII in every
// sentence here (a name starts a sentence as written).
func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

var (
	yourWord = regexp.MustCompile(`\b[Yy]our\b`)
	youWord  = regexp.MustCompile(`\b[Yy]ou\b`)
)

// naming rewrites words that address the member ("your claims", "devices
// implanted in you") to name member instead ("Jane Doe’s claims", "devices
// implanted in Jane Doe").
func naming(words, member string) string {
	words = yourWord.ReplaceAllLiteralString(words, possessive(member))
	return youWord.ReplaceAllLiteralString(words, member)
}
