//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plextray/plextray/e2e/desktop"
	"github.com/plextray/plextray/internal/lastcheck"
	"github.com/plextray/plextray/internal/plextvsim"
)

// configDir is plextray's config folder in the world's desktop session.
func (w *world) configDir() string { return configDirOf(w.t, w.d.Env()) }

// configDirOf is plextray's config folder for a process with env.
func configDirOf(tb testing.TB, env []string) string {
	tb.Helper()
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "XDG_CONFIG_HOME="); ok {
			return filepath.Join(v, "plextray")
		}
	}
	tb.Fatal("no XDG_CONFIG_HOME in the environment")
	return ""
}

// lastCheck waits until the tray's shared check in the config folder
// satisfies ok, and returns it.
func (w *world) lastCheck(desc string, ok func(lastcheck.Record) bool) lastcheck.Record {
	w.t.Helper()
	return waitLastCheck(w.t, w.configDir(), desc, ok)
}

// waitLastCheck waits (wait at most) until the shared check in dir
// satisfies ok, and returns it.
func waitLastCheck(tb testing.TB, dir, desc string, ok func(lastcheck.Record) bool) lastcheck.Record {
	tb.Helper()
	deadline := time.Now().Add(wait)
	for {
		r, err := lastcheck.Read(dir)
		if err == nil && ok(r) {
			return r
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s: %+v, %v", desc, r, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestURIFromTheRunningTray: with the tray running and signed in,
// `plextray uri` answers from the tray's last check: it gives the tray's
// URI even while plex.tv is down, asking plex.tv nothing, and --check
// asks. Once the tray is gone (killed: no chance to tidy up), uri checks
// for itself again.
func TestURIFromTheRunningTray(t *testing.T) {
	w := newWorld(t, desktop.Options{})
	app, tr := w.start()
	w.signIn(tr)
	tr.WaitFor(t, "servers checked", has("Checked at "), wait)
	lr := w.sim.FindPMS("Living Room").URL()
	w.lastCheck("the tray's check", func(r lastcheck.Record) bool {
		s, _, err := r.Find("Living Room")
		return err == nil && s.URI == lr
	})

	if err := w.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointResources, Status: 503}); err != nil {
		t.Fatal(err)
	}
	asked := len(w.sim.Requests())
	code, out, errOut := w.cli("", "uri", "Living Room")
	if code != 0 || out != lr+"\n" {
		t.Fatalf("uri with the tray running: exit %d, stdout %q (want %s)\n%s", code, out, lr, errOut)
	}
	if n := len(w.sim.Requests()); n != asked {
		t.Fatalf("uri asked plex.tv %d times; the tray's check had the answer", n-asked)
	}
	if code, out, _ := w.cli("", "uri", "--check", "Living Room"); code == 0 || out != "" {
		t.Fatalf("uri --check with plex.tv down: exit %d, stdout %q", code, out)
	}
	if n := len(w.sim.Requests()); n == asked {
		t.Fatal("uri --check did not ask plex.tv")
	}

	// The tray ends without removing its record: the lock it held is
	// what tells uri that nothing keeps the record current any more.
	if err := syscall.Kill(app.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	app.Wait(wait)
	if _, err := os.Stat(filepath.Join(w.configDir(), lastcheck.File)); err != nil {
		t.Fatalf("the killed tray's record: %v", err)
	}
	if code, out, _ := w.cli("", "uri", "Living Room"); code == 0 || out != "" {
		t.Fatalf("uri answered from a dead tray's check: exit %d, stdout %q", code, out)
	}
	w.sim.ClearFaults()
	if code, out, errOut := w.cli("", "uri", "Living Room"); code != 0 || out != lr+"\n" {
		t.Fatalf("uri checking itself: exit %d, stdout %q\n%s", code, out, errOut)
	}
}
