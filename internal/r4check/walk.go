package r4check

import "strings"

// Walk returns the values at an element path (Observation.component.code
// as []string{"component", "code"}) in a resource decoded into any, going
// through arrays at every step; a step "value[x]" matches any choice of
// the element (valueQuantity, valueString…, FHIR R4 §2.24.0.1 "Choice of
// Data Types"). It is the tests' oracle for must-support and search
// checks, kept apart from the element paths the FHIR API reads.
func Walk(v any, path []string) []any {
	if list, ok := v.([]any); ok {
		var out []any
		for _, x := range list {
			out = append(out, Walk(x, path)...)
		}
		return out
	}
	if len(path) == 0 {
		return []any{v}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	if choice, ok := strings.CutSuffix(path[0], "[x]"); ok {
		var out []any
		for k, x := range m {
			if strings.HasPrefix(k, choice) && len(k) > len(choice) && k[len(choice)] >= 'A' && k[len(choice)] <= 'Z' {
				out = append(out, Walk(x, path[1:])...)
			}
		}
		return out
	}
	x, ok := m[path[0]]
	if !ok {
		return nil
	}
	return Walk(x, path[1:])
}
