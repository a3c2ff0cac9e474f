package pinpage

import (
	"regexp"
	"testing"
)

// validPIN answers as the regular expression it replaced did, on every
// string of up to 5 characters from an alphabet of edge cases.
func TestValidPINAgreesWithThePattern(t *testing.T) {
	re := regexp.MustCompile(`^[0-9]{4}$`)
	const alphabet = "09a/: \n\xff٣"
	prev := []string{""}
	for range 5 {
		var next []string
		for _, p := range prev {
			for _, r := range alphabet {
				s := p + string(r)
				if got, want := validPIN(s), re.MatchString(s); got != want {
					t.Errorf("validPIN(%q) = %v, the pattern says %v", s, got, want)
				}
				next = append(next, s)
			}
		}
		prev = next
	}
}
