package generator

import (
	"testing"
	"unsafe"
)

// retained estimates the heap a built member keeps alive: its resources'
// JSON and keys, what a cache of built members pays per member.
func retained(m *Member) int {
	n := int(unsafe.Sizeof(*m)) + cap(m.Resources)*int(unsafe.Sizeof(Resource{}))
	for _, r := range m.Resources {
		n += cap(r.JSON)
		for _, s := range r.Category {
			n += len(s) + int(unsafe.Sizeof(s))
		}
		for _, s := range r.Code {
			n += len(s) + int(unsafe.Sizeof(s))
		}
	}
	return n
}

func benchmarkBuild(b *testing.B, spec func(i int) Spec) {
	g := New(1)
	b.ReportAllocs()
	jsonBytes, kept, members := 0, 0, 0
	for b.Loop() {
		m := g.Build(spec(members))
		members++
		for _, r := range m.Resources {
			jsonBytes += len(r.JSON)
		}
		kept += retained(m)
	}
	b.ReportMetric(float64(jsonBytes)/float64(members), "json-bytes/member")
	b.ReportMetric(float64(kept)/float64(members), "retained-bytes/member")
}

// BenchmarkBuildMember builds typical generated members: a different one
// each iteration (members 7..506 in turn), as a server reading many
// members would.
func BenchmarkBuildMember(b *testing.B) {
	benchmarkBuild(b, func(i int) Spec { return Spec{Number: 7 + i%500} })
}

// BenchmarkBuildRich builds the rich member BCNCUser06 (every claim and
// clinical type).
func BenchmarkBuildRich(b *testing.B) {
	benchmarkBuild(b, func(int) Spec { return Spec{Number: 6, Rich: true} })
}

// BenchmarkIdentity draws only the identity of the same members, as a login
// does.
func BenchmarkIdentity(b *testing.B) {
	g := New(1)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		g.Identity(Spec{Number: 7 + i%500})
	}
}
