package generator

import (
	"strconv"
)

// The JSON of the resources of uscore_findings.go, written by hand: a
// member has some 150 of them, and encoding/json's reflection made them
// cost a seventh of a member's build. The output is byte for byte what
// encoding/json writes for the same struct with HTML escaping off
// (TestFindingsJSONMatchesEncodingJSON), so the struct types stay the
// description of the shape.

// jsonString appends s as a JSON string (RFC 8259 §7), escaping what
// encoding/json escapes with SetEscapeHTML(false): the compiled encoder's
// own string writer.
func jsonString(dst []byte, s string) []byte { return appendJSONString(dst, s) }

// jsonField appends ,"name": (or "name": first in an object).
func jsonField(dst []byte, name string) []byte {
	if c := dst[len(dst)-1]; c != '{' && c != '[' {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, name...)
	return append(dst, '"', ':')
}

func jsonStringField(dst []byte, name, value string) []byte {
	return jsonString(jsonField(dst, name), value)
}

// jsonPlainField appends a string field whose value needs no escaping:
// an id, a code, a URI, a date or a reference the generator made of
// them. TestFindingsJSONMatchesEncodingJSON would see one that did.
func jsonPlainField(dst []byte, name, value string) []byte {
	dst = append(jsonField(dst, name), '"')
	dst = append(dst, value...)
	return append(dst, '"')
}

// jsonFloat appends x as encoding/json writes a float64.
func jsonFloat(dst []byte, x float64) []byte {
	abs, format := x, byte('f')
	if abs < 0 {
		abs = -abs
	}
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(dst, x, format, -1, 64)
}

func (c *coding) appendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	if c.System != "" {
		dst = jsonPlainField(dst, "system", c.System)
	}
	if c.Code != "" {
		dst = jsonPlainField(dst, "code", c.Code)
	}
	if c.Display != "" {
		dst = jsonStringField(dst, "display", c.Display)
	}
	return append(dst, '}')
}

func (c *concept) appendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	if len(c.Coding) > 0 {
		dst = append(jsonField(dst, "coding"), '[')
		for i := range c.Coding {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = c.Coding[i].appendJSON(dst)
		}
		dst = append(dst, ']')
	}
	if c.Text != "" {
		dst = jsonStringField(dst, "text", c.Text)
	}
	return append(dst, '}')
}

func appendConcepts(dst []byte, name string, cs []concept) []byte {
	dst = append(jsonField(dst, name), '[')
	for i := range cs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = cs[i].appendJSON(dst)
	}
	return append(dst, ']')
}

// appendJSON writes a reference of the resources here: only a
// relative reference.
func (r *reference) appendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	if r.Reference != "" {
		dst = jsonPlainField(dst, "reference", r.Reference)
	}
	return append(dst, '}')
}

func appendReferences(dst []byte, name string, rs []reference) []byte {
	if len(rs) == 0 {
		return dst
	}
	dst = append(jsonField(dst, name), '[')
	for i := range rs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = rs[i].appendJSON(dst)
	}
	return append(dst, ']')
}

func (q *quantity) appendJSON(dst []byte) []byte {
	dst = jsonFloat(jsonField(append(dst, '{'), "value"), q.Value)
	if q.Unit != "" {
		dst = jsonPlainField(dst, "unit", q.Unit)
	}
	if q.System != "" {
		dst = jsonPlainField(dst, "system", q.System)
	}
	if q.Code != "" {
		dst = jsonPlainField(dst, "code", q.Code)
	}
	return append(dst, '}')
}

func (m *meta) appendJSON(dst []byte) []byte {
	dst = jsonPlainField(append(dst, '{'), "lastUpdated", m.LastUpdated)
	if len(m.Profile) > 0 {
		dst = append(jsonField(dst, "profile"), '[')
		for i, p := range m.Profile {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(append(append(dst, '"'), p...), '"')
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// appendJSON writes the Observation as encoding/json would.
func (o *findingResource) appendJSON(dst []byte) []byte {
	dst = jsonPlainField(append(dst, '{'), "resourceType", o.ResourceType)
	dst = jsonPlainField(dst, "id", o.ID)
	dst = o.Meta.appendJSON(jsonField(dst, "meta"))
	dst = appendReferences(dst, "basedOn", o.BasedOn)
	dst = jsonPlainField(dst, "status", o.Status)
	dst = appendConcepts(dst, "category", o.Category)
	dst = o.Code.appendJSON(jsonField(dst, "code"))
	dst = o.Subject.appendJSON(jsonField(dst, "subject"))
	if o.Encounter != nil {
		dst = o.Encounter.appendJSON(jsonField(dst, "encounter"))
	}
	if o.EffectiveDateTime != "" {
		dst = jsonPlainField(dst, "effectiveDateTime", o.EffectiveDateTime)
	}
	if p := o.EffectivePeriod; p != nil {
		dst = append(jsonField(dst, "effectivePeriod"), '{')
		if p.Start != "" {
			dst = jsonPlainField(dst, "start", p.Start)
		}
		if p.End != "" {
			dst = jsonPlainField(dst, "end", p.End)
		}
		dst = append(dst, '}')
	}
	dst = appendReferences(dst, "performer", o.Performer)
	if o.ValueQuantity != nil {
		dst = o.ValueQuantity.appendJSON(jsonField(dst, "valueQuantity"))
	}
	if o.ValueCodeableConcept != nil {
		dst = o.ValueCodeableConcept.appendJSON(jsonField(dst, "valueCodeableConcept"))
	}
	if o.ValueString != "" {
		dst = jsonStringField(dst, "valueString", o.ValueString)
	}
	dst = appendReferences(dst, "hasMember", o.HasMember)
	dst = appendReferences(dst, "derivedFrom", o.DerivedFrom)
	if len(o.Component) > 0 {
		dst = append(jsonField(dst, "component"), '[')
		for i := range o.Component {
			c := &o.Component[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = c.Code.appendJSON(jsonField(append(dst, '{'), "code"))
			if c.ValueQuantity != nil {
				dst = c.ValueQuantity.appendJSON(jsonField(dst, "valueQuantity"))
			}
			if c.ValueCodeableConcept != nil {
				dst = c.ValueCodeableConcept.appendJSON(jsonField(dst, "valueCodeableConcept"))
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// appendJSON writes the Condition as encoding/json would.
func (c *encounterDiagnosisResource) appendJSON(dst []byte) []byte {
	dst = jsonPlainField(append(dst, '{'), "resourceType", c.ResourceType)
	dst = jsonPlainField(dst, "id", c.ID)
	dst = c.Meta.appendJSON(jsonField(dst, "meta"))
	dst = c.ClinicalStatus.appendJSON(jsonField(dst, "clinicalStatus"))
	dst = c.VerificationStatus.appendJSON(jsonField(dst, "verificationStatus"))
	dst = appendConcepts(dst, "category", c.Category)
	dst = c.Code.appendJSON(jsonField(dst, "code"))
	dst = c.Subject.appendJSON(jsonField(dst, "subject"))
	dst = c.Encounter.appendJSON(jsonField(dst, "encounter"))
	dst = jsonPlainField(dst, "onsetDateTime", c.OnsetDateTime)
	if c.AbatementDateTime != "" {
		dst = jsonPlainField(dst, "abatementDateTime", c.AbatementDateTime)
	}
	dst = jsonPlainField(dst, "recordedDate", c.RecordedDate)
	return append(dst, '}')
}
