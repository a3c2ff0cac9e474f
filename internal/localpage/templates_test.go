package localpage

import "testing"

// The page template, parsed on first use, parses, and only once.
func TestDocTemplateParses(t *testing.T) {
	if first := docTmpl(); first == nil || docTmpl() != first {
		t.Error("docTmpl: not parsed once")
	}
}
