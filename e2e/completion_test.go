//go:build linux

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plextray/plextray/e2e/desktop"
)

// shellPath returns the path of a shell, skipping the test when it is
// missing (failing under CI=true).
func shellPath(t *testing.T, name string) string {
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

// TestCompletionOffersServerNames is what a person sees in bash: with the
// token in the keyring, `plextray uri <TAB>` offers the account's server
// names from plex.tv, `plextray switch <TAB>` its Home profiles; signed
// out it offers nothing and prints nothing. The script is the one the
// binary prints, run in a real bash with the real keyring.
func TestCompletionOffersServerNames(t *testing.T) {
	w := newWorld(t, desktop.Options{})
	bash := shellPath(t, "bash")
	const bashCompletion = "/usr/share/bash-completion/bash_completion"
	if _, err := os.Stat(bashCompletion); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("bash-completion is not installed (apt-get install bash-completion)")
		}
		t.Skip("bash-completion is not installed")
	}
	prog := filepath.Base(w.bin)
	script := filepath.Join(t.TempDir(), "completion.bash")
	code, out, errOut := w.runCLI(w.d.Env(w.env...), "completion", "bash")
	if code != 0 || !strings.Contains(out, "__start_"+prog) {
		t.Fatalf("completion bash: exit %d\n%s", code, errOut)
	}
	if err := os.WriteFile(script, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	// complete runs the completion for words (the last one being
	// completed) and returns COMPREPLY, descriptions cut off.
	complete := func(words ...string) []string {
		t.Helper()
		quoted := []string{"\"$BIN\""}
		for _, wd := range words {
			quoted = append(quoted, "'"+strings.ReplaceAll(wd, "'", `'\''`)+"'")
		}
		// compopt works only while bash itself runs a completion; the
		// options it sets (nospace, nosort) are the terminal's business.
		line := "source " + bashCompletion + "\nsource \"$SCRIPT\"\ncompopt() { :; }\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\n" +
			"COMP_CWORD=" + string(rune('0'+len(words))) + "\nCOMP_LINE=\"${COMP_WORDS[*]}\"\nCOMP_POINT=${#COMP_LINE}\n" +
			"COLUMNS=200 __start_" + prog + "\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
		cmd := exec.Command(bash, "--norc", "--noprofile", "-c", line)
		cmd.Env = w.d.Env(append([]string{"BIN=" + w.bin, "SCRIPT=" + script}, w.env...)...)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("bash: %v\n%s", err, stderr.String())
		}
		if stderr.Len() > 0 {
			t.Errorf("completing %q printed into the shell: %q", words, stderr.String())
		}
		var got []string
		for l := range strings.Lines(stdout.String()) {
			l = strings.TrimRight(l, "\n")
			if i := strings.Index(l, "  ("); i >= 0 {
				l = l[:i] // "Living Room  (yours)"
			}
			if l = strings.TrimSpace(l); l != "" {
				got = append(got, l)
			}
		}
		slices.Sort(got)
		return got
	}

	if got := complete("uri", ""); len(got) != 0 {
		t.Fatalf("signed out, uri offers %q", got)
	}
	if got := complete("s"); !slices.Equal(got, []string{"servers", "status", "switch"}) {
		t.Errorf("s offers %q", got)
	}
	if got := complete("login", "--b"); !slices.Equal(got, []string{"--browser"}) {
		t.Errorf("login --b offers %q", got)
	}

	cmd := exec.Command(w.bin, "login", "--no-browser")
	cmd.Env = w.d.Env(w.env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	done, _ := startAndLink(t, w, cmd, &stderr)
	if err := <-done; err != nil {
		t.Fatalf("login: %v\n%s", err, stderr.String())
	}

	if got := complete("uri", ""); !slices.Equal(got, []string{"Attic", "Cabin", "Dad's Plex", "Living Room"}) && !slices.Equal(got, []string{"Cabin", "Dad's Plex", "Living Room"}) {
		t.Errorf("uri offers %q, want the account's servers", got)
	}
	if got := complete("uri", "Liv"); !slices.Equal(got, []string{`Living\ Room`}) {
		t.Errorf("uri Liv offers %q", got)
	}
	if got := complete("token", "--server", "Dad"); !slices.Equal(got, []string{`Dad\'s\ Plex`}) {
		t.Errorf("token --server Dad offers %q", got)
	}
	if got := complete("switch", ""); !slices.Contains(got, "Kid") || !slices.Contains(got, "Teen") {
		t.Errorf("switch offers %q, want the Home's profiles", got)
	}
	if got := complete("completion", ""); !slices.Equal(got, []string{"bash", "fish", "powershell", "zsh"}) {
		t.Errorf("completion offers %q", got)
	}
}

// TestCompletionScriptsLoad: the zsh and fish scripts the binary prints
// load in real shells and complete commands and flags; the PowerShell
// script is generated from the same tree.
func TestCompletionScriptsLoad(t *testing.T) {
	bin := binary(t)
	prog := filepath.Base(bin)
	script := func(shell string) string {
		t.Helper()
		out, err := exec.Command(bin, "completion", shell).Output()
		if err != nil {
			t.Fatalf("completion %s: %v", shell, err)
		}
		p := filepath.Join(t.TempDir(), "_"+prog)
		if err := os.WriteFile(p, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir(), "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %q: %v\n%s", name, args, err, out)
		}
		return string(out)
	}

	zsh := shellPath(t, "zsh")
	zs := script("zsh")
	run(zsh, "-n", zs)
	got := run(zsh, "-f", "-c", "fpath=("+filepath.Dir(zs)+" $fpath) && autoload -Uz compinit && compinit -u -D && print -r -- $_comps["+prog+"]")
	if strings.TrimSpace(got) != "_"+prog {
		t.Errorf("zsh from fpath: _comps[%s] = %q", prog, got)
	}

	fish := shellPath(t, "fish")
	fs := script("fish")
	var words []string
	for l := range strings.Lines(run(fish, "--no-config", "-c", "source "+fs+"; complete -C '"+prog+" login --'")) {
		wd, _, _ := strings.Cut(strings.TrimSpace(l), "\t")
		words = append(words, wd)
	}
	for _, want := range []string{"--browser", "--no-browser", "--print", "--timeout", "--force"} {
		if !slices.Contains(words, want) {
			t.Errorf("fish: login -- offers %q, not %s", words, want)
		}
	}

	ps := script("powershell")
	b, _ := os.ReadFile(ps)
	if !strings.Contains(string(b), "Register-ArgumentCompleter -CommandName '"+prog+"'") || !strings.Contains(string(b), "__complete") {
		t.Errorf("powershell script:\n%.400s", b)
	}
}
