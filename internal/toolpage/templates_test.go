package toolpage

import (
	"html/template"
	"testing"
)

// The templates, parsed on first use, all parse: a mistake in one would
// otherwise show only when its page state is reached.
func TestTemplatesParse(t *testing.T) {
	for name, tmpl := range map[string]func() *template.Template{
		"form": formTmpl, "making": makingTmpl, "token": tokenTmpl, "shown": shownTmpl, "expired": expiredTmpl, "closed": closedTmpl,
	} {
		if first := tmpl(); first == nil || tmpl() != first {
			t.Errorf("%s: not parsed once", name)
		}
	}
}
