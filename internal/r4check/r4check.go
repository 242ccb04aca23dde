// Package r4check validates FHIR R4 JSON with google/fhir/go for tests.
//
// It is imported only from _test.go files: google/fhir/go is heavy to compile
// and link (about 40 MB), so the server binary never depends on it.
package r4check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"
)

var unmarshaller = sync.OnceValues(func() (*jsonformat.Unmarshaller, error) {
	return jsonformat.NewUnmarshaller("UTC", fhirversion.R4)
})

// Validate reports the first problem with body as a FHIR R4 resource: what
// google/fhir/go rejects (cardinality, codes, dates, reference types, unknown
// fields) and what it lets through but FHIR forbids (empty strings, empty
// objects and arrays, see R4 §2.6.2 "JSON representation").
func Validate(body []byte) error {
	u, err := unmarshaller()
	if err != nil {
		return fmt.Errorf("r4check: %w", err)
	}
	if _, err := u.Unmarshal(body); err != nil {
		return err
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return err
	}
	return noEmpty("$", v)
}

// ValidateResource is Validate plus the sandbox's own rule that every
// resource carries meta.lastUpdated and, when wantProfile is set, meta.profile.
func ValidateResource(body []byte, wantProfile bool) error {
	if err := Validate(body); err != nil {
		return err
	}
	var r struct {
		Meta struct {
			LastUpdated string   `json:"lastUpdated"`
			Profile     []string `json:"profile"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return err
	}
	if r.Meta.LastUpdated == "" {
		return fmt.Errorf("meta.lastUpdated missing")
	}
	if wantProfile && len(r.Meta.Profile) == 0 {
		return fmt.Errorf("meta.profile missing")
	}
	return nil
}

func noEmpty(path string, v any) error {
	switch v := v.(type) {
	case string:
		if v == "" {
			return fmt.Errorf("%s: empty string", path)
		}
	case map[string]any:
		if len(v) == 0 {
			return fmt.Errorf("%s: empty object", path)
		}
		for k, e := range v {
			if err := noEmpty(path+"."+k, e); err != nil {
				return err
			}
		}
	case []any:
		if len(v) == 0 {
			return fmt.Errorf("%s: empty array", path)
		}
		for i, e := range v {
			if err := noEmpty(fmt.Sprintf("%s[%d]", path, i), e); err != nil {
				return err
			}
		}
	}
	return nil
}
