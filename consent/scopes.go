package consent

import "strings"

// describeScopes turns the scopes an app asked for into sentences a member
// can read, in the order asked, without repeats. The docs say the member
// is not offered a choice of scopes; this only says what the app gets.
// Scopes are matched case-insensitively because the docs spell them
// "openID" and "FHIRUser".
func (s *Screens) describeScopes(scopes []string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, sc := range scopes {
		sentence := s.scopeSentence(sc)
		if sentence == "" || seen[sentence] {
			continue
		}
		seen[sentence] = true
		out = append(out, sentence)
	}
	return out
}

// scopeSentence is one scope in plain words; "" for an empty scope.
func (s *Screens) scopeSentence(scope string) string {
	switch strings.ToLower(scope) {
	case "":
		return ""
	case "openid", "fhiruser":
		return "Who you are: your member identity, so the app knows whose data it has."
	case "profile":
		return "Your name and email address."
	case "offline_access":
		return "Keep access to this data when you are away from the app, until you take it back."
	case "online_access":
		return "Keep access to this data while you are using the app."
	case "launch/patient":
		return "Which member's records you chose to share."
	case "read":
		return "Read your health plan data. The app cannot change anything."
	}
	if sentence, ok := s.resourceScopeSentence(scope); ok {
		return sentence
	}
	return "Other access the app asked for: \u201c" + scope + "\u201d."
}

// resourceScopeSentence describes a SMART resource scope: v1
// "patient/Type.read" and v2 "patient/Type.rs" (SMART App Launch 2 §3.3),
// in the words Config.ResourceWords gives the type.
func (s *Screens) resourceScopeSentence(scope string) (string, bool) {
	ctx, rest, ok := strings.Cut(scope, "/")
	if !ok || !strings.EqualFold(ctx, "patient") && !strings.EqualFold(ctx, "user") {
		return "", false
	}
	typ, _, _ := strings.Cut(rest, ".")
	typ, _, _ = strings.Cut(typ, "?") // v2 scopes may narrow with a query
	if typ == "*" {
		return "All your health plan data: claims, coverage, clinical records and your demographics.", true
	}
	words := s.words[typ]
	if words == "" {
		return "", false
	}
	return strings.ToUpper(words[:1]) + words[1:] + ".", true
}
