package completion

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// shell returns the path of a shell, skipping the test when it is missing
// (failing under CI=true).
func shell(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (apt-get install %s)", name, name)
		}
		t.Skipf("%s is not installed", name)
	}
	return p
}

func script(t *testing.T, sh, prog string) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, sh, prog); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), prog+"."+sh)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func lines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// bashComplete runs the completion function for the words of line (the
// last one being completed) and returns COMPREPLY.
func bashComplete(t *testing.T, path, line string) []string {
	t.Helper()
	words := strings.Split(line, " ")
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = "'" + w + "'"
	}
	prog := "source " + path + "\n" +
		"COMP_WORDS=(" + strings.Join(quoted, " ") + ")\n" +
		"COMP_CWORD=" + string(rune('0'+len(words)-1)) + "\n" +
		"complete -p " + words[0] + " >/dev/null || exit 9\n" +
		"_" + words[0] + "\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	return lines(run(t, shell(t, "bash"), "--norc", "--noprofile", "-c", prog))
}

func TestBashCompletes(t *testing.T) {
	path := script(t, "bash", "plextray")
	cases := []struct {
		line string
		want []string
	}{
		{"plextray ", []string{"login", "token", "status", "logout", "servers", "uri", "users", "switch", "tokens", "claim", "completion", "--help", "--version"}},
		{"plextray s", []string{"status", "servers", "switch"}},
		{"plextray t", []string{"token", "tokens"}},
		{"plextray tokens ", []string{"new", "list", "revoke"}},
		{"plextray tokens new --f", []string{"--format"}},
		{"plextray tokens --format ", nil},
		{"plextray c", []string{"claim", "completion"}},
		{"plextray login --", []string{"--print", "--no-browser", "--browser", "--timeout", "--help"}},
		{"plextray login --no", []string{"--no-browser"}},
		{"plextray login --timeout ", nil},
		{"plextray servers --j", []string{"--json"}},
		{"plextray completion ", []string{"bash", "zsh", "fish"}},
		{"plextray completion f", []string{"fish"}},
		{"plextray token --", []string{"--user", "--server", "--help"}},
		{"plextray status x", nil},
	}
	for _, c := range cases {
		if got := bashComplete(t, path, c.line); !slices.Equal(got, c.want) {
			t.Errorf("%q: got %q, want %q", c.line, got, c.want)
		}
	}
}

func fishComplete(t *testing.T, path, line string) []string {
	t.Helper()
	out := run(t, shell(t, "fish"), "--no-config", "-c", "source "+path+"; complete -C '"+line+"'")
	var words []string
	for _, l := range lines(out) {
		w, _, _ := strings.Cut(l, "\t")
		words = append(words, w)
	}
	slices.Sort(words)
	return words
}

func TestFishCompletes(t *testing.T) {
	path := script(t, "fish", "plextray")
	cases := []struct {
		line string
		want []string
	}{
		{"plextray s", []string{"servers", "status", "switch"}},
		{"plextray --v", []string{"--version"}},
		{"plextray login --", []string{"--browser", "--help", "--no-browser", "--print", "--timeout"}},
		{"plextray completion ", []string{"bash", "fish", "zsh"}},
		{"plextray uri --j", []string{"--json"}},
		{"plextray tokens ", []string{"list", "new", "revoke"}},
		{"plextray cl", []string{"claim"}},
	}
	for _, c := range cases {
		if got := fishComplete(t, path, c.line); !slices.Equal(got, c.want) {
			t.Errorf("%q: got %q, want %q", c.line, got, c.want)
		}
	}
}

// TestZshLoads checks the script's syntax and that sourcing it after
// compinit registers the completion function for the command; both ways of
// installing it (sourced, or autoloaded from $fpath) are tried.
func TestZshLoads(t *testing.T) {
	zsh := shell(t, "zsh")
	path := script(t, "zsh", "plextray")
	run(t, zsh, "-n", path)
	got := run(t, zsh, "-f", "-c", "autoload -Uz compinit && compinit -u -D && source "+path+" && print -r -- $_comps[plextray]")
	if strings.TrimSpace(got) != "_plextray" {
		t.Fatalf("sourced: _comps[plextray] = %q", got)
	}
	dir := t.TempDir()
	b, _ := os.ReadFile(path)
	os.WriteFile(filepath.Join(dir, "_plextray"), b, 0o644)
	got = run(t, zsh, "-f", "-c", "fpath=("+dir+" $fpath) && autoload -Uz compinit && compinit -u -D && print -r -- $_comps[plextray]")
	if strings.TrimSpace(got) != "_plextray" {
		t.Fatalf("from fpath: _comps[plextray] = %q", got)
	}
}

func TestWriteRejects(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "powershell", "plextray"); !errors.Is(err, ErrUnknownShell) {
		t.Errorf("powershell: %v", err)
	}
	for _, prog := range []string{"", "/usr/bin/plextray", "a b", "x;rm -rf /", "$(id)", "-x"} {
		if err := Write(&b, "bash", prog); !errors.Is(err, ErrBadProg) {
			t.Errorf("%q: %v", prog, err)
		}
	}
	if b.Len() != 0 {
		t.Fatalf("wrote %q on error", b.String())
	}
}

// TestOtherName: a binary run by another name (go run's, "tray")
// completes under that name.
func TestOtherName(t *testing.T) {
	path := script(t, "bash", "tray")
	if got := bashComplete(t, path, "tray lo"); !slices.Equal(got, []string{"login", "logout"}) {
		t.Fatalf("got %q", got)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	for _, sh := range Shells {
		if err := Write(failWriter{}, sh, "plextray"); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%s: %v", sh, err)
		}
	}
}

func TestRun(t *testing.T) {
	cases := []struct {
		args         []string
		code         int
		stdout, errs string
	}{
		{[]string{"bash"}, 0, "complete -F _plextray plextray", ""},
		{[]string{"fish"}, 0, "complete -c plextray", ""},
		{[]string{"--help"}, 0, "source <(plextray completion bash)", ""},
		{nil, 2, "", "name one shell"},
		{[]string{"bash", "zsh"}, 2, "", "name one shell"},
		{[]string{"tcsh"}, 2, "", `no completion for "tcsh"`},
	}
	for _, c := range cases {
		var out, errs bytes.Buffer
		code := Run(c.args, &out, &errs, "plextray")
		if code != c.code || !strings.Contains(out.String(), c.stdout) || !strings.Contains(errs.String(), c.errs) ||
			(c.stdout == "" && out.Len() > 0) || (c.errs == "" && errs.Len() > 0) {
			t.Errorf("%q: exit %d\nstdout %q\nstderr %q", c.args, code, out.String(), errs.String())
		}
	}
	if code := Run([]string{"zsh"}, failWriter{}, &bytes.Buffer{}, "plextray"); code != 1 {
		t.Errorf("stdout failing: exit %d", code)
	}
}
