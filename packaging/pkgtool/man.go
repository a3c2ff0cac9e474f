package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/plextray/plextray/internal/completion"
)

// helpText is one command's --help output.
type helpText struct {
	Command string // "" for the top level
	Text    string
}

// helpPage runs bin --help and bin <command> --help for every command of
// the completion table that the binary knows (exit 0). The man page is made
// from the command's own words, so it cannot drift from them.
func helpPage(bin string) ([]helpText, error) {
	if bin == "" {
		return nil, errors.New("-bin is required")
	}
	top, err := help(bin, "--help")
	if err != nil {
		return nil, fmt.Errorf("%s --help: %w", bin, err)
	}
	page := []helpText{{Text: top}}
	for _, c := range completion.Commands {
		text, err := help(bin, c.Name, "--help")
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			fmt.Printf("pkgtool man: %s has no %q command (exit %d); left out of the page\n", bin, c.Name, exit.ExitCode())
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s %s --help: %w", bin, c.Name, err)
		}
		page = append(page, helpText{Command: c.Name, Text: text})
	}
	return page, nil
}

func help(bin string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = io.Discard
	// A fixed, clean environment: no token, no simulator URLs, no locale
	// that could change the text.
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "HOME=/nonexistent"}
	if err := cmd.Run(); err != nil {
		return "", err
	}
	return out.String(), nil
}

// renderMan writes a plextray(1) page in man(7) troff: NAME from the first
// line of the top-level help, each "Heading:" of it as a section, indented
// text as literal blocks, and a COMMANDS section with every command's help.
func renderMan(w io.Writer, page []helpText, version string, date time.Time) error {
	if len(page) == 0 || page[0].Command != "" {
		return errors.New("no top-level help")
	}
	var b strings.Builder
	top := strings.Split(strings.TrimRight(page[0].Text, "\n"), "\n")
	name, summary, ok := strings.Cut(top[0], " — ")
	if !ok {
		name, summary, _ = strings.Cut(top[0], " - ")
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "plextray"
	}
	fmt.Fprintf(&b, ".TH %s 1 %s %s \"User Commands\"\n", quoteArg(strings.ToUpper(name)),
		quoteArg(date.Format("2006-01-02")), quoteArg(strings.TrimSpace(name+" "+version)))
	b.WriteString(".ad l\n") // ragged right: help text is laid out for a terminal, not justified
	b.WriteString(".SH NAME\n")
	b.WriteString(escape(name) + ` \- ` + escape(strings.TrimSpace(summary)) + "\n")
	sections(&b, top[1:], "DESCRIPTION")
	if len(page) > 1 {
		b.WriteString(".SH COMMANDS\n")
		for _, h := range page[1:] {
			fmt.Fprintf(&b, ".SS %s\n", quoteArg(h.Command))
			lines := strings.Split(strings.TrimRight(h.Text, "\n"), "\n")
			body(&b, lines)
		}
	}
	b.WriteString(".SH FILES\n.TP\n.I ~/.config/plextray/client\\-id\n" +
		"the install's client identifier (nothing secret)\n" +
		".TP\n.I ~/.local/state/plextray/plextray.log\nthe tray's log (the token is redacted)\n" +
		".TP\n.I ~/.config/autostart/plextray.desktop\nwritten by the menu's \\(lqStart at login\\(rq\n")
	b.WriteString(".SH SEE ALSO\n" + escape("https://github.com/plextray/plextray") + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// sections renders lines as man sections: a line "Heading:" (not
// indented) starts section HEADING; text before the first one goes under
// first.
func sections(b *strings.Builder, lines []string, first string) {
	var cur []string
	heading := first
	flush := func() {
		if len(strings.TrimSpace(strings.Join(cur, ""))) > 0 {
			fmt.Fprintf(b, ".SH %s\n", quoteArg(strings.ToUpper(heading)))
			body(b, cur)
		}
		cur = nil
	}
	for _, l := range lines {
		if t := strings.TrimSpace(l); l == t && strings.HasSuffix(t, ":") && len(t) > 1 && len(t) < 80 {
			flush()
			heading = strings.TrimSuffix(t, ":")
			// "Environment (the same for …):" is section ENVIRONMENT whose
			// text starts with the remark.
			if name, remark, ok := strings.Cut(heading, " ("); ok {
				heading = name
				cur = append(cur, "("+remark)
			}
			if heading == "Usage" {
				heading = "Synopsis"
			}
			continue
		}
		cur = append(cur, l)
	}
	flush()
}

// body renders help lines: runs of indented lines become literal (no-fill)
// blocks, other lines filled paragraphs separated by blank lines.
func body(b *strings.Builder, lines []string) {
	literal := false
	para := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		indented := strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")
		switch {
		case l == "":
			if literal {
				b.WriteString(".fi\n.RE\n")
				literal = false
			}
			para = false
		case indented:
			if !literal {
				b.WriteString(".PP\n.RS 2\n.nf\n")
				literal = true
			}
			b.WriteString(escape(strings.ReplaceAll(l, "\t", "        ")) + "\n")
		default:
			if literal {
				b.WriteString(".fi\n.RE\n")
				literal = false
			}
			if !para {
				b.WriteString(".PP\n")
				para = true
			}
			b.WriteString(escape(l) + "\n")
		}
	}
	if literal {
		b.WriteString(".fi\n.RE\n")
	}
}

// escape makes s one line of troff text that prints as s: backslashes
// doubled, hyphens as \- (so options copy and paste), a leading . or '
// (a request) guarded by \&, control characters dropped.
func escape(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, s)
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// quoteArg makes s one double-quoted argument of a request.
func quoteArg(s string) string {
	return `"` + strings.ReplaceAll(escape(s), `"`, `\(dq`) + `"`
}
