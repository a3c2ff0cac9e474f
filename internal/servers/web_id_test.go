package servers

import (
	"regexp"
	"strings"
	"testing"
)

// validMachineID answers as the regular expression it replaced did.
func TestValidMachineIDAgreesWithThePattern(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9-]{1,128}$`)
	alphabet := "aAzZ09-_.:/#{} \n\x00\xffé"
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
	for _, n := range []int{40, 127, 128, 129, 200} {
		s := strings.Repeat("a-Z9", n)[:n]
		cands = append(cands, s)
		for _, r := range alphabet {
			c := string(r)
			cands = append(cands, c+s[1:], s[:n/2]+c+s[n/2+1:], s[:n-1]+c)
		}
	}
	for _, s := range cands {
		if got, want := validMachineID(s), re.MatchString(s); got != want {
			t.Errorf("validMachineID(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}
