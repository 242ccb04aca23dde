package generator

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
)

// Provenance of every clinical resource, and the Location and
// PractitionerRole of the member's providers (US Core Provenance,
// Location and PractitionerRole).

// provenanceTail is the part of every Provenance after its recorded
// instant: the plan as the author of the record it assembled from claims
// and clinical feeds, and as the transmitter (US Core Provenance,
// agent:ProvenanceAuthor and agent:ProvenanceTransmitter).
const provenanceTail = `","agent":[{"type":{"coding":[{"system":"` + sysProvType + `","code":"author","display":"Author"}]},"who":{"reference":"Organization/` +
	organizationPayerID + `"}},{"type":{"coding":[{"system":"` + sysUSCoreProvType + `","code":"transmitter","display":"Transmitter"}]},"who":{"reference":"Organization/` +
	organizationPayerID + `"}}]}`

// provenanceTargets bounds the targets of one Provenance, so that a
// search page's _revinclude=Provenance:target stays small.
const provenanceTargets = 50

// provenances renders the Provenance of resources: one for each run of up
// to provenanceTargets resources of one type, in their order, recorded
// when the last of them changed (US Core Provenance, target 1..*), and
// numbered by type after those of prior. They are written without
// encoding/json: ids and instants need no escaping.
func provenances(short string, resources, prior []Resource) []Resource {
	var out []Resource
	for i := 0; i < len(resources); {
		typ := resources[i].Type
		j := i
		for j < len(resources) && resources[j].Type == typ && j-i < provenanceTargets {
			j++
		}
		group := resources[i:j]
		recorded := group[0].LastUpdated
		for k := range group {
			recorded = later(recorded, group[k].LastUpdated)
		}
		n := 1
		prefix := "prov-" + short + "-" + strings.ToLower(typ) + "-"
		for _, done := range [][]Resource{prior, out} {
			for k := range done {
				if strings.HasPrefix(done[k].ID, prefix) {
					n++
				}
			}
		}
		id := "prov-" + short + "-" + strings.ToLower(typ) + "-" + itoa(n)
		when := fmtInstant(recorded)
		var js strings.Builder
		js.Grow(len(provenanceTail) + 256 + 48*len(group))
		js.WriteString(`{"resourceType":"Provenance","id":"`)
		js.WriteString(id)
		js.WriteString(`","meta":{"lastUpdated":"`)
		js.WriteString(when)
		js.WriteString(`","profile":["` + profProvenance + `"]},"target":[`)
		for k := range group {
			if k > 0 {
				js.WriteByte(',')
			}
			js.WriteString(`{"reference":"` + typ + "/" + group[k].ID + `"}`)
		}
		js.WriteString(`],"recorded":"`)
		js.WriteString(when)
		js.WriteString(provenanceTail)
		out = append(out, Resource{Type: "Provenance", ID: id, LastUpdated: recorded, Start: recorded, End: recorded, JSON: []byte(js.String())})
		i = j
	}
	return out
}

// Provenances renders the Provenance the plan records of resources of
// the member patientID, as provenances does for every generated member;
// prior are the member's Provenance rendered before, whose numbering they
// continue. It lets a member built elsewhere (the docs' frozen accounts)
// carry the same Provenance as the generated ones.
func Provenances(patientID string, resources, prior []Resource) []Resource {
	return provenances(strings.TrimPrefix(patientID, "-"), resources, prior)
}

type locationResource struct {
	ResourceType         string         `json:"resourceType"`
	ID                   string         `json:"id"`
	Meta                 meta           `json:"meta"`
	Identifier           []identifier   `json:"identifier"`
	Status               string         `json:"status"`
	Name                 string         `json:"name"`
	Type                 []concept      `json:"type"`
	Telecom              []contactPoint `json:"telecom,omitempty"`
	Address              *address       `json:"address,omitempty"`
	ManagingOrganization reference      `json:"managingOrganization"`
}

type practitionerRoleResource struct {
	ResourceType string         `json:"resourceType"`
	ID           string         `json:"id"`
	Meta         meta           `json:"meta"`
	Active       bool           `json:"active"`
	Practitioner reference      `json:"practitioner"`
	Organization reference      `json:"organization"`
	Code         []concept      `json:"code"`
	Specialty    []concept      `json:"specialty"`
	Location     []reference    `json:"location"`
	Telecom      []contactPoint `json:"telecom"`
}

// locationKinds are the v3 RoleCode service delivery location types of
// each kind of organization.
var locationKinds = map[int]coding{
	kindClinic:   {sysLocationType, "HOSP", "Hospital"},
	kindHospital: {sysLocationType, "HOSP", "Hospital"},
	kindSNF:      {sysLocationType, "SNF", "Skilled nursing facility"},
	kindHHA:      {sysLocationType, "PTRES", "Patient's Residence"},
	kindHospice:  {sysLocationType, "PTRES", "Patient's Residence"},
	kindPharmacy: {sysLocationType, "PHARM", "Pharmacy"},
	kindDME:      {sysLocationType, "PHARM", "Pharmacy"},
	kindDental:   {sysLocationType, "OF", "Outpatient facility"},
}

// practiceOf is the clinic where practitioner id practises: a pure
// function of the id, like the rest of the directory.
func practiceOf(id string) string {
	return organizationID(kindClinic, int(splitmix64(idHash(id)^0x70e)%uint64(orgCounts[kindClinic])))
}

// locationID and roleID name the Location of an organization and the
// PractitionerRole of a practitioner.
func locationID(org string) string { return "location-" + org }
func roleID(pract string) string   { return "practitionerrole-" + pract }

// usDirectory returns the Location of organization id or the
// PractitionerRole of practitioner id, rendering it once per Generator
// from the directory entry it describes.
func (g *Generator) usDirectory(enc *encoder, typ, id string) Resource {
	key := typ + "/" + id
	if v, ok := g.directory.Load(key); ok {
		return v.(Resource)
	}
	var res Resource
	if typ == "Location" {
		res = g.location(enc, id)
	} else {
		res = g.practitionerRole(enc, id)
	}
	v, _ := g.directory.LoadOrStore(key, res)
	return v.(Resource)
}

func (g *Generator) location(enc *encoder, org string) Resource {
	var o organizationResource
	_ = json.Unmarshal(g.directoryResource(enc, "Organization", org).JSON, &o) // rendered by organization(): always parses
	seed := idHash("Location/" + org)
	updated := directoryStamp(rand.New(rand.NewPCG(seed, splitmix64(seed))))
	kind := 0
	if len(org) > 1 {
		kind = int(org[1] - '0')
	}
	res := locationResource{
		ResourceType: "Location", ID: locationID(org),
		Meta:                 meta{LastUpdated: fmtInstant(updated), Profile: []string{profLocation}},
		Identifier:           []identifier{{System: sysNPI, Value: org}},
		Status:               "active",
		Name:                 o.Name,
		Type:                 []concept{{Coding: []coding{locationKinds[kind]}}},
		Telecom:              o.Telecom,
		ManagingOrganization: reference{Reference: "Organization/" + org},
	}
	if len(o.Address) > 0 {
		res.Address = &o.Address[0]
		res.Address.Use = "work"
	}
	return Resource{Type: "Location", ID: res.ID, LastUpdated: updated, JSON: enc.encode(&res)}
}

func (g *Generator) practitionerRole(enc *encoder, pract string) Resource {
	var p practitionerResource
	_ = json.Unmarshal(g.directoryResource(enc, "Practitioner", pract).JSON, &p) // rendered by practitioner(): always parses
	seed := idHash("PractitionerRole/" + pract)
	updated := directoryStamp(rand.New(rand.NewPCG(seed, splitmix64(seed))))
	org := practiceOf(pract)
	res := practitionerRoleResource{
		ResourceType: "PractitionerRole", ID: roleID(pract),
		Meta:         meta{LastUpdated: fmtInstant(updated), Profile: []string{profPractitionerRole}},
		Active:       true,
		Practitioner: reference{Reference: "Practitioner/" + pract},
		Organization: reference{Reference: "Organization/" + org},
		Code:         []concept{conceptOf("http://terminology.hl7.org/CodeSystem/practitioner-role", "doctor", "Doctor")},
		Specialty:    []concept{{Coding: []coding{specialties[specialtyOf(pract)]}}},
		Location:     []reference{{Reference: "Location/" + locationID(org)}},
		Telecom:      p.Telecom,
	}
	return Resource{Type: "PractitionerRole", ID: res.ID, LastUpdated: updated,
		Code: []string{token(specialties[specialtyOf(pract)])}, JSON: enc.encode(&res)}
}
