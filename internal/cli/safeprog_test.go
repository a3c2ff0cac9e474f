package cli

import (
	"regexp"
	"strings"
	"testing"
)

// safeProg answers as the regular expression it replaced did.
func TestSafeProgAgreesWithThePattern(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}$`)
	const alphabet = "aZ09_.+-/ ;$'\"\n\x00\xffé"
	cands := []string{""}
	prev := []string{""}
	for range 3 {
		var next []string
		for _, p := range prev {
			for _, r := range alphabet {
				next = append(next, p+string(r))
			}
		}
		cands = append(cands, next...)
		prev = next
	}
	for _, n := range []int{9, 63, 64, 65, 100} {
		s := strings.Repeat("p_.+-x", n)[:n]
		for _, r := range alphabet {
			c := string(r)
			cands = append(cands, s, c+s[1:], s[:n/2]+c+s[n/2+1:], s[:n-1]+c)
		}
	}
	for _, s := range cands {
		if got, want := safeProg(s), re.MatchString(s); got != want {
			t.Errorf("safeProg(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}
