package r4check

import (
	"bufio"
	"os"
	"strings"
)

// ReadMustSupport reads a must-support list as the tests keep them in
// generator/testdata/us-core-must-support: "#" lines are comments (the
// source), "profile: URL" names the profile, every other line is an
// element path.
func ReadMustSupport(path string) (profile string, elements []string, err error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", nil, err
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "profile: "):
			profile = strings.TrimPrefix(line, "profile: ")
		default:
			elements = append(elements, line)
		}
	}
	return profile, elements, sc.Err()
}

// HasMustSupport reports whether doc, a resource as JSON decodes it, holds
// must-support element el as the lists write it: a dotted path, "x[x]"
// any choice of x, "a:Slice" the element a (slices are not told apart),
// and "extension: Type.path.extension:slice" an extension of that slice's
// URL on the resource, or, on QuestionnaireResponse.questionnaire, on that
// primitive (R4 JSON "_questionnaire", section 2.6.2.7).
func HasMustSupport(doc map[string]any, el string) bool {
	if ext, ok := strings.CutPrefix(el, "extension: "); ok {
		_, slice, _ := strings.Cut(ext, ":")
		where := []string{"extension"}
		if strings.HasPrefix(ext, "QuestionnaireResponse.questionnaire.") {
			where = []string{"_questionnaire", "extension"}
		}
		for _, e := range Walk(doc, where) {
			if m, ok := e.(map[string]any); ok && m["url"] == extensionURLs[slice] {
				return true
			}
		}
		return false
	}
	var path []string
	for _, part := range strings.Split(el, ".") {
		base, _, _ := strings.Cut(part, ":")
		path = append(path, base)
	}
	return len(Walk(doc, path)) > 0
}

// extensionURLs are the canonical URLs of the extension slices US Core 6.1
// marks must-support, by slice name.
var extensionURLs = map[string]string{
	"race":                 "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
	"ethnicity":            "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity",
	"sex":                  "http://hl7.org/fhir/us/core/StructureDefinition/us-core-sex",
	"tribalAffiliation":    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-tribal-affiliation",
	"assertedDate":         "http://hl7.org/fhir/StructureDefinition/condition-assertedDate",
	"questionnaireDisplay": "http://hl7.org/fhir/StructureDefinition/display",
	"url":                  "http://hl7.org/fhir/StructureDefinition/questionnaire-url",
}
