//go:build race

package generator

// raceEnabled is true when the tests run under the race detector, which
// makes google/fhir/go validation about ten times slower.
const raceEnabled = true
