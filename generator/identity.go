package generator

// Identity is who a member is without their records: what logging in, the
// consent screens, the id_token and userinfo need.
type Identity struct {
	PatientID, Username                              string
	GivenName, FamilyName, Email, BirthDate, Created string
}

// Identity returns the identity Build(s) gives the member, drawing only the
// person (the first of a build's random streams) and none of the records,
// so that a login costs microseconds where a whole member costs
// milliseconds (BenchmarkIdentity, BenchmarkBuildMember).
func (g *Generator) Identity(s Spec) Identity {
	b := g.builder(s)
	b.drawIdentity()
	return b.m.Identity()
}

// Identity returns the member's account fields.
func (m *Member) Identity() Identity {
	return Identity{
		PatientID: m.PatientID, Username: m.Username,
		GivenName: m.GivenName, FamilyName: m.FamilyName, Email: m.Email, BirthDate: m.BirthDate, Created: m.Created,
	}
}
