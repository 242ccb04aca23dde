package consent

import "strings"

// resourceWords says in plain words what a FHIR resource type holds; "" for
// a type the sandbox does not serve.
func resourceWords(typ string) string {
	switch typ {
	case "Patient":
		return "your demographics: name, birth date, gender and address"
	case "Coverage":
		return "your coverage: plans, benefit periods and member IDs"
	case "ExplanationOfBenefit":
		return "your claims: what was billed, paid and owed for each visit, stay or prescription"
	case "Condition":
		return "your conditions and diagnoses"
	case "Observation":
		return "your lab results and vital signs"
	case "Procedure":
		return "procedures you had"
	case "AllergyIntolerance":
		return "your allergies"
	case "Immunization":
		return "your immunizations"
	case "MedicationRequest":
		return "your prescriptions"
	case "Encounter":
		return "your visits and hospital stays"
	case "Practitioner":
		return "the doctors and other providers on your records"
	case "Organization":
		return "the hospitals, pharmacies and other organizations on your records"
	case "RelatedPerson":
		return "the personal representatives on your records"
	}
	return ""
}

// describeScopes turns the scopes an app asked for into sentences a member
// can read, in the order asked, without repeats. The docs say the member
// is not offered a choice of scopes; this only says what the app gets.
// Scopes are matched case-insensitively because the docs spell them
// "openID" and "FHIRUser".
func describeScopes(scopes []string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, sc := range scopes {
		s := scopeSentence(sc)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

// scopeSentence is one scope in plain words; "" for an empty scope.
func scopeSentence(scope string) string {
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
	if s, ok := resourceScopeSentence(scope); ok {
		return s
	}
	return "Other access the app asked for: \u201c" + scope + "\u201d."
}

// resourceScopeSentence describes a SMART resource scope: v1
// "patient/Type.read" and v2 "patient/Type.rs" (SMART App Launch 2 §3.3).
func resourceScopeSentence(scope string) (string, bool) {
	ctx, rest, ok := strings.Cut(scope, "/")
	if !ok || !strings.EqualFold(ctx, "patient") && !strings.EqualFold(ctx, "user") {
		return "", false
	}
	typ, _, _ := strings.Cut(rest, ".")
	typ, _, _ = strings.Cut(typ, "?") // v2 scopes may narrow with a query
	if typ == "*" {
		return "All your health plan data: claims, coverage, clinical records and your demographics.", true
	}
	words := resourceWords(typ)
	if words == "" {
		return "", false
	}
	return strings.ToUpper(words[:1]) + words[1:] + ".", true
}
