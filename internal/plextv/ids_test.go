package plextv

import (
	"regexp"
	"strings"
	"testing"
)

// The checks by hand answer as the regular expression they replaced did,
// on every string of up to 3 characters from an alphabet of edge cases
// and on strings around the length limit.
func TestValidUUIDAndCodeAgreeWithThePattern(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)
	for _, s := range idCandidates("aAzZ09-_.:/{} \n\x00\xffé", []int{15, 16, 17, 63, 64, 65, 128}) {
		want := re.MatchString(s)
		if got := ValidUUID(s); got != want {
			t.Errorf("ValidUUID(%q) = %v, the pattern says %v", s, got, want)
		}
		if got := validCode(s); got != want {
			t.Errorf("validCode(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}

// idCandidates are every string of up to 3 characters from alphabet, and
// for each length in lens a run of letters and digits of that length, also
// with each alphabet character put first, in the middle and last.
func idCandidates(alphabet string, lens []int) []string {
	out := []string{""}
	prev := []string{""}
	for range 3 {
		var next []string
		for _, p := range prev {
			for _, r := range alphabet {
				next = append(next, p+string(r))
			}
		}
		out = append(out, next...)
		prev = next
	}
	for _, n := range lens {
		s := strings.Repeat("aZ09", n)[:n]
		out = append(out, s)
		for _, r := range alphabet {
			c := string(r)
			out = append(out, c+s[1:], s[:n/2]+c+s[n/2+1:], s[:n-1]+c)
		}
	}
	return out
}
