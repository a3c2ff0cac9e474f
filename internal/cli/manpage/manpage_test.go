package manpage

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestManPage(t *testing.T) {
	var b bytes.Buffer
	date := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	if err := Write(&b, "1.2.3", date); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if !strings.Contains(page, `.TH "PLEXTRAY" "1" "Nov 2026" "plextray 1.2.3" "User Commands"`) {
		t.Errorf("header/footer: %q", strings.SplitN(page, "\n", 3)[:2])
	}
	for _, want := range []string{".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", "tray app", ".SH COMMANDS", ".SH FILES", ".SH ENVIRONMENT", ".SH EXIT STATUS", ".SH OPTIONS", "PLEXTRAY_SIGNIN_TIMEOUT", "plextray uri [SERVER]", "completion bash|zsh|fish|powershell"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page has no %q", want)
		}
	}
	if strings.Contains(page, "Auto generated") || strings.Contains(page, "SEE ALSO") {
		t.Error("the page points at cobra or at pages that are not installed")
	}
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Skip("no groff to render the page")
	}
	cmd := exec.Command(groff, "-k", "-man", "-Tutf8", "-ww")
	cmd.Stdin = strings.NewReader(page)
	cmd.Env = []string{"LC_ALL=C.UTF-8", "PATH=/usr/bin:/bin"}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil || errOut.Len() > 0 {
		t.Fatalf("groff: %v\n%s", err, errOut.String())
	}
	text := out.String()
	// The footer: version, date and title apart, not run together.
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	footer := lines[len(lines)-1]
	if f := strings.Fields(footer); len(f) < 4 || f[0] != "plextray" || f[1] != "1.2.3" {
		t.Errorf("footer %q", footer)
	}
	t.Log(text)
}
