//go:build linux

package desktop

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"
)

// sampleReport is one race detector report, as a -race binary writes it.
func sampleReport(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/race-report.txt")
	if err != nil {
		t.Fatal(err)
	}
	races := splitRaces(string(b))
	if len(races) != 1 {
		t.Fatalf("%d reports in the sample", len(races))
	}
	return races[0]
}

func TestSplitRaces(t *testing.T) {
	known := sampleReport(t)
	log := "noise\n==================\n" + known + "==================\nmore\n==================\n" + known + "==================\n"
	if got := splitRaces(log); len(got) != 2 || got[0] != got[1] || !strings.HasPrefix(got[0], "WARNING: DATA RACE\n") {
		t.Fatalf("splitRaces: %q", got)
	}
	if len(splitRaces("no races here")) != 0 {
		t.Fatal("found a race in a clean log")
	}
}

func TestGoraceValue(t *testing.T) {
	t.Setenv("GORACE", "halt_on_error=1 log_path=/elsewhere/x")
	d := &Desktop{root: "/session"}
	got := d.goraceValue()
	if want := "exitcode=0 halt_on_error=1 log_path=/session/race/report"; got != want {
		t.Fatalf("GORACE = %q, want %q", got, want)
	}
}

// recordTB records the harness's Errorf calls instead of failing.
type recordTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recordTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// A race in any process run with the session's environment (here a
// command-line run that is not an app) fails the test at teardown, even
// though the process exits 0.
func TestRaceInACommandFailsTheTest(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a desktop session")
	}
	bin := Build(t, "./testdata/racy", "-race")
	var rec *recordTB
	t.Run("session", func(t *testing.T) {
		rec = &recordTB{TB: t}
		d := Start(rec, Options{NoSessionBus: true, NoDisplay: true})
		cmd := exec.Command(bin)
		cmd.Env = d.Env()
		out, err := cmd.CombinedOutput()
		if err != nil || strings.Contains(string(out), "DATA RACE") {
			t.Fatalf("racy: %v (want exit 0 and the report in the session, not on stderr)\n%s", err, out)
		}
		if n := len(d.Races()); n != 1 {
			t.Fatalf("Races: %d, want 1; files: %v", n, must(filepath.Glob(filepath.Join(d.Dir(), raceDir, "*"))))
		}
	})
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "data race in") || !strings.Contains(rec.errs[0], "racy/main.go") {
		t.Fatalf("teardown reported: %q", rec.errs)
	}
}

func must[T any](v T, _ error) T { return v }

func TestLeftWithoutReply(t *testing.T) {
	noReply := func(msg string) dbus.Error {
		return dbus.Error{Name: "org.freedesktop.DBus.Error.NoReply", Body: []any{msg}}
	}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{noReply("Message recipient disconnected from message bus without replying"), true},
		{fmt.Errorf("wrapped: %w", noReply("recipient disconnected")), true},
		{noReply("Did not receive a reply."), false},
		{dbus.Error{Name: "org.freedesktop.DBus.Error.UnknownMethod", Body: []any{"disconnected"}}, false},
		{errors.New("disconnected"), false},
	} {
		if got := leftWithoutReply(tc.err); got != tc.want {
			t.Errorf("leftWithoutReply(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
