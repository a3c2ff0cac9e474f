package cli

import (
	"net"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

// commandPaths lists every command of the tree a person can ask for help
// about, as arguments ("uri"), the root as none.
func commandPaths(t *testing.T) [][]string {
	t.Helper()
	code := 0
	io := IO{Prog: "plextray"}
	root := newRoot(&io, &code)
	root.InitDefaultHelpCmd()
	paths := [][]string{nil}
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		for _, s := range c.Commands() {
			if s.Hidden {
				continue
			}
			p := append(slices.Clone(path), s.Name())
			paths = append(paths, p)
			walk(s, p)
		}
	}
	walk(root, nil)
	if len(paths) < 10 {
		t.Fatalf("only %d commands: %q", len(paths), paths)
	}
	return paths
}

// TestEveryHelpFits: every command's --help has examples, fits 80
// columns, shows long flags as --flag and words defaults from the
// environment once.
func TestEveryHelpFits(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	for _, path := range commandPaths(t) {
		f.stdout.b.Reset()
		f.stderr.b.Reset()
		args := append(slices.Clone(path), "--help")
		if code := f.run(args...); code != ExitOK || f.stderr.String() != "" {
			t.Errorf("%q: exit %d, stderr %q", args, code, f.stderr)
		}
		out := f.stdout.String()
		for l := range strings.Lines(out) {
			if n := utf8.RuneCountInString(strings.TrimRight(l, "\n")); n > helpWidth {
				t.Errorf("%q: a line of %d columns: %q", args, n, l)
			}
			if strings.Contains(l, "\t") {
				t.Errorf("%q: a tab in %q", args, l)
			}
		}
		if !strings.Contains(out, "\nExamples:\n  ") {
			t.Errorf("%q: no examples:\n%s", args, out)
		}
		if !strings.Contains(out, "Usage:\n  plextray") {
			t.Errorf("%q: no usage line:\n%s", args, out)
		}
		for _, bad := range []string{" -browser", " -timeout", " -json", "(default 5m0s)", "(default 3s)", "(also PLEXTRAY"} {
			if strings.Contains(out, bad) {
				t.Errorf("%q: help says %q:\n%s", args, bad, out)
			}
		}
	}
	f.stdout.b.Reset()
	f.run("login", "--help")
	if out := f.stdout.String(); !strings.Contains(out, "--browser") || !strings.Contains(out, "(default:\n") && !strings.Contains(out, "(default: $PLEXTRAY_SIGNIN_TIMEOUT") {
		t.Errorf("login --help:\n%s", out)
	}
}

// TestTypoSuggests: a mistyped command gets a short "did you mean" and
// exit 2, not the whole help.
func TestTypoSuggests(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	for typo, want := range map[string]string{"statsu": "status", "logni": "login", "sever": "servers", "swich": "switch"} {
		f.stdout.b.Reset()
		f.stderr.b.Reset()
		code := f.run(typo)
		msg := f.stderr.String()
		if code != ExitUsage || f.stdout.String() != "" || !strings.Contains(msg, "did you mean 'plextray "+want+"'") || len(msg) > 200 || strings.Count(msg, "\n") != 1 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", typo, code, f.stdout, msg)
		}
	}
	f.stderr.b.Reset()
	if code := f.run("tokens", "reovke"); code != ExitUsage || !strings.Contains(f.stderr.String(), "did you mean 'plextray tokens revoke'?") {
		t.Errorf("tokens reovke: exit %d %q", code, f.stderr)
	}
	f.stderr.b.Reset()
	if code := f.run("xyzzyq"); code != ExitUsage || !strings.HasPrefix(f.stderr.String(), `plextray: unknown command "xyzzyq"; 'plextray --help' lists the commands`) {
		t.Errorf("unknown: exit %d %q", code, f.stderr)
	}
}

// TestUsageErrorsNameTheCommand: every usage error starts with
// "plextray COMMAND:" and exits 2.
func TestUsageErrorsNameTheCommand(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	for _, args := range [][]string{
		{"login", "--bogus"}, {"login", "--timeout", "5"}, {"login", "--timeout", "0"}, {"uri", "a", "b"},
		{"servers", "--timeout", "-1s"}, {"token", "--user", "a", "--server", "b"}, {"status", "extra"},
		{"completion"}, {"completion", "tcsh"}, {"switch"},
	} {
		f.stderr.b.Reset()
		code := f.run(args...)
		msg := f.stderr.String()
		if code != ExitUsage || !strings.HasPrefix(msg, "plextray "+args[0]+": ") || !strings.Contains(msg, "Run 'plextray "+args[0]+" --help'") {
			t.Errorf("%q: exit %d, %q", args, code, msg)
		}
		if strings.Contains(msg, "time: ") {
			t.Errorf("%q: Go's words: %q", args, msg)
		}
	}
}

// TestCompletionScripts: every shell's script comes from the tree.
func TestCompletionScripts(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	for shell, want := range map[string]string{
		"bash": "__start_plextray", "zsh": "#compdef plextray", "fish": "complete -c plextray",
		"powershell": "Register-ArgumentCompleter -CommandName 'plextray'",
	} {
		f.stdout.b.Reset()
		if code := f.run("completion", shell); code != ExitOK || !strings.Contains(f.stdout.String(), want) {
			t.Errorf("completion %s: exit %d, no %q", shell, code, want)
		}
	}
	io := f.io()
	io.Prog = "plex tray"
	if code := Run([]string{"completion", "bash"}, io); code != ExitFailure {
		t.Errorf("a program name with a space: exit %d", code)
	}
}

// complete runs `plextray __complete args…` and returns the candidates
// (without descriptions) and whatever went to stderr.
func (f *fixture) complete(t *testing.T, io IO, args ...string) []string {
	t.Helper()
	f.stdout.b.Reset()
	f.stderr.b.Reset()
	io.Stdout, io.Stderr = f.stdout, f.stderr
	if code := Run(append([]string{"__complete"}, args...), io); code != ExitOK {
		t.Fatalf("__complete %q: exit %d", args, code)
	}
	var got []string
	for l := range strings.Lines(f.stdout.String()) {
		l = strings.TrimRight(l, "\n")
		if strings.HasPrefix(l, ":") {
			break // the directive
		}
		n, _, _ := strings.Cut(l, "\t")
		got = append(got, n)
	}
	return got
}

func TestCompletionOffersLiveValues(t *testing.T) {
	kc := &keychain.Memory{}
	f := newFixture(t, kc)
	if err := f.sim.AddDemoServers(); err != nil {
		t.Fatal(err)
	}
	// Signed out: nothing, silently.
	if got := f.complete(t, f.io(), "uri", ""); len(got) != 0 {
		t.Fatalf("signed out, uri offers %q", got)
	}
	raw, _ := f.sim.NewToken("")
	kc.Set(t.Context(), plextv.Token(raw))

	got := f.complete(t, f.io(), "uri", "")
	for _, want := range []string{"Living Room", "Dad's Plex", "Cabin"} {
		if !slices.Contains(got, want) {
			t.Errorf("uri offers %q, not %q", got, want)
		}
	}
	if got := f.complete(t, f.io(), "uri", "liv"); !slices.Equal(got, []string{"Living Room"}) {
		t.Errorf("uri liv offers %q", got)
	}
	if got := f.complete(t, f.io(), "uri", "Cabin", ""); len(got) != 0 {
		t.Errorf("a second server offered: %q", got)
	}
	if got := f.complete(t, f.io(), "token", "--server", "D"); !slices.Equal(got, []string{"Dad's Plex"}) {
		t.Errorf("token --server D offers %q", got)
	}
	if got := f.complete(t, f.io(), "switch", ""); !slices.Contains(got, "Kid") || !slices.Contains(got, "Teen") {
		t.Errorf("switch offers %q", got)
	}
	if got := f.complete(t, f.io(), "token", "--user", "t"); !slices.Equal(got, []string{"Teen"}) {
		t.Errorf("token --user t offers %q", got)
	}
	if got := f.complete(t, f.io(), "completion", ""); !slices.Equal(got, shells) {
		t.Errorf("completion offers %q", got)
	}

	// plex.tv failing or unreachable: nothing, and no word on stderr
	// that a shell could show.
	f.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointResources, Status: 500})
	if got := f.complete(t, f.io(), "uri", ""); len(got) != 0 {
		t.Errorf("plex.tv failing, uri offers %q", got)
	}
	io := f.io()
	io.Setup = closedPortSetup(t, f.kc)
	if got := f.complete(t, io, "switch", ""); len(got) != 0 {
		t.Errorf("plex.tv unreachable, switch offers %q", got)
	}
	if strings.Contains(f.stdout.String(), "dial tcp") || strings.Contains(f.stderr.String(), "dial tcp") {
		t.Errorf("an error reached the shell: %q %q", f.stdout, f.stderr)
	}
}

// closedPortSetup is a plex.tv side whose address nothing listens on.
func closedPortSetup(t *testing.T, kc keychain.Keyring) func(app.Settings) (*app.Env, error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return func(s app.Settings) (*app.Env, error) {
		info := app.Identity("test", "cli-test-client")
		c, err := plextv.New("http://"+addr, info)
		if err != nil {
			return nil, err
		}
		return &app.Env{Version: "test", Settings: s, Info: info, PlexTV: c, Keychain: kc}, nil
	}
}

// TestWordsForPeople: against a closed port and a failing plex.tv, every
// command says what failed and what to do, never Go's "dial tcp"; the
// detail comes after --verbose.
func TestWordsForPeople(t *testing.T) {
	kc := &keychain.Memory{}
	f := newFixture(t, kc)
	raw, _ := f.sim.NewToken("")
	kc.Set(t.Context(), plextv.Token(raw))
	cmds := [][]string{{"status"}, {"servers"}, {"uri"}, {"users"}, {"switch", "Kid"}, {"token", "--server", "x"}, {"token", "--user", "Kid"}, {"logout"}}
	check := func(what string, io IO, want, todo string) {
		t.Helper()
		for _, args := range cmds {
			kc.Set(t.Context(), plextv.Token(raw))
			f.stdout.b.Reset()
			f.stderr.b.Reset()
			io.Stdout, io.Stderr = f.stdout, f.stderr
			code := Run(args, io)
			msg := f.stdout.String() + f.stderr.String()
			if strings.Contains(msg, "dial tcp") || strings.Contains(msg, "connect:") || !strings.Contains(msg, want) {
				t.Errorf("%s, %q: exit %d, %q; want %q", what, args, code, msg, want)
			}
			if args[0] != "logout" && (code != ExitFailure || !strings.Contains(msg, want+" — "+todo)) {
				t.Errorf("%s, %q: exit %d, %q", what, args, code, msg)
			}
		}
	}
	closed := f.io()
	closed.Setup = closedPortSetup(t, f.kc)
	check("closed port", closed, "can't reach plex.tv (connection refused)", "check your network")

	for _, ep := range []plextvsim.Endpoint{plextvsim.EndpointUser, plextvsim.EndpointResources, plextvsim.EndpointHomeUsers, plextvsim.EndpointSignOut} {
		f.sim.AddFault(plextvsim.Fault{Endpoint: ep, Status: 503})
	}
	check("plex.tv failing", f.io(), "plex.tv is having trouble (HTTP 503)", "try again later")

	kc.Set(t.Context(), plextv.Token(raw))
	verbose := f.io()
	verbose.Setup = closedPortSetup(t, f.kc)
	f.stderr.b.Reset()
	verbose.Stderr = f.stderr
	if code := Run([]string{"status", "--verbose"}, verbose); code != ExitFailure || !strings.Contains(f.stderr.String(), "\n  detail: checking the token: plex.tv ") {
		t.Errorf("--verbose: exit %d %q", code, f.stderr)
	}

	// Without --verbose the detail goes to the log, and only on failure.
	type record struct{ cmd, words, detail string }
	var logged []record
	quiet := f.io()
	quiet.Setup = closedPortSetup(t, f.kc)
	quiet.Log = func(cmd, words, detail string) { logged = append(logged, record{cmd, words, detail}) }
	f.stderr.b.Reset()
	quiet.Stderr = f.stderr
	if code := Run([]string{"status"}, quiet); code != ExitFailure || strings.Contains(f.stderr.String(), "detail:") {
		t.Errorf("status without --verbose: exit %d %q", code, f.stderr)
	}
	if len(logged) != 1 || logged[0].cmd != "plextray status" || !strings.HasPrefix(logged[0].words, "can't reach plex.tv") ||
		!strings.Contains(logged[0].detail, "checking the token: plex.tv ") || !strings.Contains(logged[0].detail, "refused") {
		t.Errorf("logged %q, want the status failure with its detail", logged)
	}
	logged = nil
	if code := Run([]string{"--version"}, quiet); code != ExitOK || len(logged) != 0 {
		t.Errorf("--version: exit %d, logged %q", code, logged)
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[string]string{"5m0s": "5m", "3s": "3s", "30s": "30s", "1m30s": "1m30s", "2h0m0s": "2h"} {
		dd, err := time.ParseDuration(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := shortDuration(dd); got != want {
			t.Errorf("%s: %s, want %s", d, got, want)
		}
	}
}
