package config

import (
	"regexp"
	"testing"
)

// validID answers as the regular expression it replaced did, on UUIDs in
// every spelling and on each of them with one character replaced,
// removed or added anywhere.
func TestValidIDAgreesWithThePattern(t *testing.T) {
	re := regexp.MustCompile(`^(?i)(urn:uuid:)?(\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)
	var bases []string
	for _, prefix := range []string{"", "urn:uuid:", "URN:UUID:", "Urn:Uuid:", "urn:uuid", "urn-uuid:", "urn:uuid::"} {
		for _, body := range []string{"0123abcd-ABCD-4ef0-89ab-cdefABCDEF01", "{0123abcd-ABCD-4ef0-89ab-cdefABCDEF01}", "{0123abcd-ABCD-4ef0-89ab-cdefABCDEF01", "0123abcd-ABCD-4ef0-89ab-cdefABCDEF01}", "", "{}"} {
			bases = append(bases, prefix+body)
		}
	}
	const alphabet = "0aAfFgG-{}:nN \n\x00\xffſK"
	var cands []string
	for _, b := range bases {
		cands = append(cands, b)
		for i := 0; i <= len(b); i++ {
			if i < len(b) {
				cands = append(cands, b[:i]+b[i+1:])
			}
			for _, r := range alphabet {
				c := string(r)
				cands = append(cands, b[:i]+c+b[i:])
				if i < len(b) {
					cands = append(cands, b[:i]+c+b[i+1:])
				}
			}
		}
	}
	for _, s := range cands {
		if got, want := validID(s), re.MatchString(s); got != want {
			t.Errorf("validID(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}
