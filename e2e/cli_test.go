//go:build linux

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/plextray/plextray/internal/plextvsim"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plextray/plextray/e2e/desktop"
)

// TestLoginPrintInAPipeline runs `tray login --print | …` in a shell, as a
// script writer would, on the real keyring.
func TestLoginPrintInAPipeline(t *testing.T) {
	w := newWorld(t, desktop.Options{})
	out := filepath.Join(t.TempDir(), "token.txt")
	cmd := exec.Command("/bin/sh", "-c", `"$0" login --print --no-browser | { read -r tok; printf %s "$tok" > "$1"; }`, w.bin, out)
	cmd.Env = w.d.Env(w.env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	done, pin := startAndLink(t, w, cmd, &stderr)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("pipeline: %v\n%s", err, stderr.String())
		}
	case <-time.After(wait):
		cmd.Process.Kill()
		t.Fatalf("pipeline hung\n%s", stderr.String())
	}
	b, _ := os.ReadFile(out)
	tok := string(b)
	if !w.sim.TokenValid(tok) || tok != w.storedToken() {
		t.Fatalf("piped %q, keychain %q", tok, w.storedToken())
	}
	if !strings.Contains(stderr.String(), "Code: "+pin.Code) || strings.Contains(stderr.String(), tok) {
		t.Fatalf("stderr:\n%s", stderr.String())
	}
	// The tray shares the entry: it starts signed in.
	app, tr := w.start()
	tr.WaitFor(t, "signed in from the CLI's token", has("Signed in as Demo User"), wait)
	quit(t, app, tr)
}

// TestTrayAndCLIAgree: the best URI the tray copies for each server is the
// one `tray servers --json` reports, on the same simulator.
func TestTrayAndCLIAgree(t *testing.T) {
	w := newWorld(t, desktop.Options{})
	app, tr := w.start()
	w.signIn(tr)
	lay := tr.WaitFor(t, "servers checked", func(m desktop.MenuItem) bool {
		return m.Find("Living Room — local") != nil && m.Find("Dad's Plex (shared) — relay") != nil && m.Find("Cabin — offline") != nil
	}, wait)

	cmd := exec.Command(w.bin, "servers", "--json")
	cmd.Env = w.d.Env(w.env...)
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("tray servers --json: %v", err)
	}
	var list []struct {
		Name  string  `json:"name"`
		Owned bool    `json:"owned"`
		Best  *string `json:"best"`
	}
	if err := json.Unmarshal(outb, &list); err != nil || len(list) != 3 {
		t.Fatalf("%v\n%s", err, outb)
	}
	for _, s := range list {
		title := s.Name
		if !s.Owned {
			title += " (shared)"
		}
		item := lay.Find(title + " — ")
		if item == nil {
			t.Fatalf("tray lacks %q:\n%s", title, strings.Join(lay.Labels(), "\n"))
		}
		cp := item // a click on the server's row copies its best URI
		if s.Best == nil {
			if cp.Enabled {
				t.Fatalf("%s: CLI has no best URI but the tray offers one", s.Name)
			}
			continue
		}
		if err := tr.Click(cp.ID); err != nil {
			t.Fatal(err)
		}
		w.waitClipboard(s.Name+"'s best URI "+*s.Best, func(c string) bool { return c == *s.Best })
	}
	quit(t, app, tr)
}

// runCLI runs the binary with args in the session and returns its exit
// code, stdout and stderr; it fails the test if the command has not
// returned within wait.
func (w *world) runCLI(env []string, args ...string) (int, string, string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.bin, args...)
	cmd.Env = env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		w.t.Fatalf("tray %s did not return within %v\n%s", strings.Join(args, " "), wait, stderr.String())
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		w.t.Fatalf("tray %s: %v", strings.Join(args, " "), err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// TestNoSessionBus: over SSH or in cron there is no session bus. The
// command line says the keychain can't be used, returns promptly, still
// signs in with --print, the tray says it needs one, and nothing leaves a
// dbus-daemon or gnome-keyring-daemon behind (godbus would autolaunch one).
func TestNoSessionBus(t *testing.T) {
	// dbus-launch on PATH, as on a desktop machine reached over SSH: godbus
	// runs it when DBUS_SESSION_BUS_ADDRESS is unset.
	w := newWorld(t, desktop.Options{NoSessionBus: true, NoDisplay: true, ExtraTools: []string{"dbus-launch"}})
	env := w.d.Env(w.env...)
	for _, kv := range env {
		if strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") || strings.HasPrefix(kv, "DISPLAY=") {
			t.Fatalf("the session sets %s", kv)
		}
	}

	// A damaged client identifier blocks nothing: it is set aside and
	// replaced, and the new one is what plex.tv sees.
	var cfg string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "XDG_CONFIG_HOME="); ok {
			cfg = filepath.Join(v, "plextray")
		}
	}
	if err := os.MkdirAll(cfg, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg, "client-id"), []byte("not a uuid\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := w.runCLI(env, "token")
	if code != 1 || stdout != "" || strings.TrimSpace(stderr) == "" {
		t.Fatalf("tray token: exit %d, stdout %q, stderr %q; want 1, nothing, a reason", code, stdout, stderr)
	}

	cmd := exec.Command(w.bin, "login", "--print", "--no-browser")
	cmd.Env = env
	var out, errs strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errs
	done, pin := startAndLink(t, w, cmd, &errs)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("login --print: %v\n%s", err, errs.String())
		}
	case <-time.After(wait):
		cmd.Process.Kill()
		t.Fatalf("login --print did not return within %v\n%s", wait, errs.String())
	}
	if tok := strings.TrimSpace(out.String()); !w.sim.TokenValid(tok) {
		t.Fatalf("login --print wrote %q, not a valid token\n%s", out.String(), errs.String())
	}

	id, _ := os.ReadFile(filepath.Join(cfg, "client-id"))
	aside, _ := filepath.Glob(filepath.Join(cfg, "client-id.damaged-*"))
	if pin.ClientIdentifier != strings.TrimSpace(string(id)) || len(aside) != 1 {
		t.Fatalf("client-id %q, PIN made by %q, set aside: %v", id, pin.ClientIdentifier, aside)
	}
	if b, _ := os.ReadFile(aside[0]); string(b) != "not a uuid\n" {
		t.Fatalf("set-aside file holds %q", b)
	}

	// The tray has nowhere to show itself: it says why and exits, rather
	// than running invisibly (or, as fyne.io/systray alone does, panicking
	// when it quits).
	code, stdout, stderr = w.runCLI(env)
	if code != 1 || stdout != "" || !strings.Contains(stderr, "session bus") || strings.Contains(stderr, "panic") {
		t.Fatalf("tray without a session bus: exit %d, stdout %q, stderr %q; want 1 and the reason", code, stdout, stderr)
	}

	if strays := w.d.Strays(); len(strays) > 0 {
		t.Fatalf("left behind:\n%s", strings.Join(strays, "\n"))
	}
}

// startAndLink starts a 'login' command, waits (bounded) until it has
// asked plex.tv for its one PIN, links that PIN, and returns the
// command's exit and the PIN.
func startAndLink(t *testing.T, w *world, cmd *exec.Cmd, stderr fmt.Stringer) (<-chan error, plextvsim.PIN) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(wait)
	for len(w.sim.PINs()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // polling a condition, bounded
	}
	pins := w.sim.PINs()
	if len(pins) != 1 {
		cmd.Process.Kill()
		t.Fatalf("PINs: %+v\n%s", pins, stderr)
	}
	if _, err := w.sim.LinkPIN(pins[0].Code, ""); err != nil {
		t.Fatal(err)
	}
	return done, pins[0]
}

// TestFailuresInPlainWords runs the built binary's commands against a
// port nothing listens on and against a simulator that answers 503: every
// message says what failed and what to do, none says Go's "dial tcp",
// and --verbose adds the detail, which the log file has in any case
// (without the token).
func TestFailuresInPlainWords(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: skipped with -short")
	}
	bin := binary(t)
	sim := plextvsim.StartForTest(t, plextvsim.Options{})
	tok, _ := sim.NewToken("")
	for _, ep := range []plextvsim.Endpoint{plextvsim.EndpointUser, plextvsim.EndpointResources, plextvsim.EndpointHomeUsers} {
		sim.AddFault(plextvsim.Fault{Endpoint: ep, Status: 503})
	}
	closed := "http://" + refusingAddr(t)
	state := t.TempDir()
	run := func(base string, args ...string) (int, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = []string{"HOME=" + t.TempDir(), "XDG_CONFIG_HOME=" + t.TempDir(), "XDG_STATE_HOME=" + state, "PATH=/usr/bin:/bin",
			"PLEXTRAY_PLEXTV_URL=" + base, "PLEXTRAY_APP_URL=" + base, "PLEXTRAY_TOKEN=" + tok, "SSL_CERT_FILE=" + caPath}
		out, _ := cmd.CombinedOutput()
		if ctx.Err() != nil {
			t.Fatalf("%q did not return within %v", args, wait)
		}
		return cmd.ProcessState.ExitCode(), string(out)
	}
	for _, c := range []struct{ base, want string }{
		{closed, "can't reach plex.tv (connection refused) — check your network"},
		{sim.URL(), "plex.tv is having trouble (HTTP 503) — try again later"},
	} {
		for _, args := range [][]string{{"status"}, {"servers"}, {"uri"}, {"users"}, {"token", "--server", "x"}} {
			code, out := run(c.base, args...)
			if code != 1 || !strings.Contains(out, "tray "+args[0]+": "+c.want) || strings.Contains(out, "dial tcp") {
				t.Errorf("%s %q: exit %d\n%s", c.base, args, code, out)
			}
		}
	}
	if code, out := run(closed, "status", "--verbose"); code != 1 || !strings.Contains(out, "\n  detail: checking the token: plex.tv ") || !strings.Contains(out, "connection refused") {
		t.Errorf("--verbose: exit %d\n%s", code, out)
	}
	log, err := os.ReadFile(filepath.Join(state, "plextray", "plextray.log"))
	if err != nil {
		t.Fatalf("the failures left no log: %v", err)
	}
	// One record per failure above: 5 commands × 2 causes, and --verbose.
	if n := strings.Count(string(log), "msg=\"command failed\""); n != 11 ||
		!strings.Contains(string(log), `command="tray uri"`) || !strings.Contains(string(log), "connection refused") || !strings.Contains(string(log), "HTTP 503") {
		t.Errorf("log has %d failure records, want 11 with their detail:\n%s", n, log)
	}
	if strings.Contains(string(log), tok) {
		t.Error("the log has the token")
	}
}

// refusingAddr is a loopback address that refuses connections for the
// whole test: a socket bound to it that never listens (so no other test
// can take the port meanwhile).
func refusingAddr(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
}
