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
