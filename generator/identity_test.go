package generator

import "testing"

// TestIdentityIsTheBuiltMembers checks that drawing only the identity gives
// exactly the account fields a whole build gives, for ordinary members, a
// member with its own patient id, and the rich member, on two seeds.
func TestIdentityIsTheBuiltMembers(t *testing.T) {
	specs := []Spec{{Number: 7}, {Number: 8}, {Number: 250}, {Number: 999_999}, {Number: 6, Rich: true}, {Number: 12, PatientID: "-20140000008325"}}
	for _, seed := range []int64{1, 2} {
		g := New(seed)
		for _, s := range specs {
			want := g.Build(s).Identity()
			if got := g.Identity(s); got != want {
				t.Errorf("seed %d, %+v: Identity = %+v, Build gives %+v", seed, s, got, want)
			}
			if want.PatientID == "" || want.Username == "" || want.GivenName == "" || want.Email == "" {
				t.Errorf("seed %d, %+v: empty account fields in %+v", seed, s, want)
			}
		}
	}
}
