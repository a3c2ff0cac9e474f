package localpage

import "testing"

// The page template, parsed on first use, parses, and only once.
func TestDocTemplateParses(t *testing.T) {
	if docTmpl() == nil || docTmpl() != docTmpl() {
		t.Error("docTmpl: not parsed once")
	}
}
