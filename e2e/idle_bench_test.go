//go:build linux

package e2e

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/e2e/desktop"
	"github.com/plextray/plextray/internal/plextvsim"
)

// idleWindow is how long BenchmarkIdleWakeups watches each process
// (PLEXTRAY_BENCH_IDLE_WINDOW, default 60s).
func idleWindow(b *testing.B) time.Duration {
	if v := os.Getenv("PLEXTRAY_BENCH_IDLE_WINDOW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		return d
	}
	return time.Minute
}

// contextSwitches sums the voluntary and involuntary context switches of
// every thread of pid (/proc/PID/task/*/status). A thread that sleeps and
// is woken adds one voluntary switch: the sum counts the process's
// wakeups (and its preemptions, which an idle process has none of).
func contextSwitches(b *testing.B, pid int) (total int64, threads int) {
	b.Helper()
	dirs, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if err != nil || len(dirs) == 0 {
		b.Fatalf("no threads of %d: %v", pid, err)
	}
	for _, f := range dirs {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // the thread ended
		}
		for line := range strings.Lines(string(data)) {
			k, v, ok := strings.Cut(line, ":")
			if ok && (k == "voluntary_ctxt_switches" || k == "nonvoluntary_ctxt_switches") {
				n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				total += n
			}
		}
		threads++
	}
	return total, threads
}

// measureIdle lets pid settle, then counts its context switches over the
// window and reports them per second.
func measureIdle(b *testing.B, pid int) {
	b.Helper()
	time.Sleep(5 * time.Second) // a benchmark: let start-up work end
	window := idleWindow(b)
	b.ResetTimer()
	before, _ := contextSwitches(b, pid)
	time.Sleep(window)
	after, threads := contextSwitches(b, pid)
	b.StopTimer()
	b.ReportMetric(float64(after-before)/window.Seconds(), "wakeups/s")
	b.ReportMetric(float64(threads), "threads")
}

// storeToken puts tok into the session's keyring where plextray looks for
// it, so the tray starts signed in.
func storeToken(b *testing.B, d *desktop.Desktop, tok string) {
	b.Helper()
	cmd := exec.Command("secret-tool", "store", "--label=plextray", "service", "plextray", "username", "plex-token")
	cmd.Env, cmd.Stdin = d.Env(), strings.NewReader(tok)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("secret-tool store: %v %s", err, out)
	}
}

// BenchmarkIdleWakeups counts how often a whole tray process wakes up
// while nothing happens, over a minute (PLEXTRAY_BENCH_IDLE_WINDOW), in a
// desktop session of the e2e harness (private session bus, a panel
// stand-in that does not poll, gnome-keyring, Xvfb):
//
//   - bare-systray: the floor, a fyne.io/systray program with a menu and
//     nothing else (e2e/desktop/testdata/minitray);
//   - signed-out: plextray, signed out;
//   - signed-in: plextray signed in from the keyring, the simulator's four
//     demo servers checked and listed.
//
// Release builds (no race detector). No system bus is given (the e2e
// harness has none); the rtnetlink socket is open while signed in.
//
//	go test -run '^$' -bench IdleWakeups -benchtime 1x ./e2e/
func BenchmarkIdleWakeups(b *testing.B) {
	if testing.Short() {
		b.Skip("end-to-end benchmark: skipped with -short")
	}
	tray := desktop.Build(b, "github.com/plextray/plextray/cmd/tray")
	bare := desktop.Build(b, "github.com/plextray/plextray/e2e/desktop/testdata/minitray")
	noSystemBus := "DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/system_bus_socket"

	b.Run("bare-systray", func(b *testing.B) {
		d := desktop.Start(b, desktop.Options{})
		app := d.StartApp(b, bare, nil)
		app.Tray(b, wait).WaitFor(b, "the menu", func(m desktop.MenuItem) bool { return m.Find("Quit") != nil }, wait)
		measureIdle(b, app.PID())
	})
	b.Run("signed-out", func(b *testing.B) {
		sim := plextvsim.StartForTest(b, plextvsim.Options{})
		d := desktop.Start(b, desktop.Options{})
		app := d.StartApp(b, tray, nil, "PLEXTRAY_PLEXTV_URL="+sim.URL(), "PLEXTRAY_APP_URL="+sim.URL(), noSystemBus)
		app.Tray(b, wait).WaitFor(b, "signed out", has("Sign in with a code…"), wait)
		measureIdle(b, app.PID())
	})
	b.Run("signed-in", func(b *testing.B) {
		sim, ca, tok := demoAccount(b)
		d := desktop.Start(b, desktop.Options{})
		storeToken(b, d, tok)
		app := d.StartApp(b, tray, nil, "PLEXTRAY_PLEXTV_URL="+sim.URL(), "PLEXTRAY_APP_URL="+sim.URL(),
			"SSL_CERT_FILE="+ca, "PLEXTRAY_PROBE_TIMEOUT=1s", noSystemBus)
		app.Tray(b, wait).WaitFor(b, "servers checked and listed", func(m desktop.MenuItem) bool {
			return has("Checked at ")(m) && m.Find("Living Room — ") != nil && m.Find("checking again") == nil
		}, wait)
		measureIdle(b, app.PID())
	})
}

// BenchmarkNetworkChangeToRecheck measures the time from an address
// appearing on an interface (`ip addr add` on the loopback interface of a
// network namespace the benchmark makes) to the start of the re-check it
// causes: the resources request reaching the simulated plex.tv (its
// request log's time). Each iteration adds one address and waits for the
// check to end. The signed-in tray (release build) has no system bus:
// the kernel's rtnetlink notification is the only event, and 1 s of it is
// the debounce.
//
//	go test -run '^$' -bench NetworkChangeToRecheck -benchtime 5x ./e2e/
func BenchmarkNetworkChangeToRecheck(b *testing.B) {
	if !inOwnNetns(b, "-test.run=^$", "-test.bench=^BenchmarkNetworkChangeToRecheck$", "-test.benchtime="+benchtime()) {
		return
	}
	bin := desktop.Build(b, "github.com/plextray/plextray/cmd/tray")
	sim, ca, tok := demoAccount(b)
	log, stateEnv := newTrayLog(b)
	d := desktop.Start(b, desktop.Options{})
	storeToken(b, d, tok)
	app := d.StartApp(b, bin, nil, "PLEXTRAY_PLEXTV_URL="+sim.URL(), "PLEXTRAY_APP_URL="+sim.URL(),
		"SSL_CERT_FILE="+ca, "PLEXTRAY_PROBE_TIMEOUT=1s", "PLEXTRAY_RECHECK_INTERVAL=1h", stateEnv,
		"DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/system_bus_socket")
	tr := app.Tray(b, wait)
	idle := func(m desktop.MenuItem) bool {
		return has("Checked at ")(m) && m.Find("checking again") == nil && m.Find("checking…") == nil
	}
	tr.WaitFor(b, "servers checked", idle, wait)
	log.waitLine(b, 0, addrListens)
	resources := func() []time.Time {
		var at []time.Time
		for _, r := range sim.Requests() {
			if strings.HasPrefix(r.Path, "/api/v2/resources") {
				at = append(at, r.Time)
			}
		}
		return at
	}
	var lat []time.Duration
	b.ResetTimer()
	for range b.N {
		before := len(resources())
		start := time.Now()
		addAddress(b, nextAddr)
		nextAddr++
		var at []time.Time
		tr.WaitFor(b, "the re-check's resources request", func(desktop.MenuItem) bool {
			at = resources()
			return len(at) > before
		}, wait)
		lat = append(lat, at[before].Sub(start))
		tr.WaitFor(b, "the re-check ended", idle, wait)
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2])/float64(time.Millisecond), "ms-median")
	b.ReportMetric(float64(lat[len(lat)-1])/float64(time.Millisecond), "ms-max")
}

// nextAddr is the next loopback address's last byte (127.0.0.n): the
// benchmark function runs more than once in one namespace.
var nextAddr = 2

// benchtime is this run's -test.benchtime, for the copy in a namespace.
func benchtime() string {
	if f := flag.Lookup("test.benchtime"); f != nil {
		return f.Value.String()
	}
	return "1s"
}

// demoAccount starts the simulator with the demo servers and returns it,
// its CA certificate's file (for SSL_CERT_FILE) and a token of the demo
// account.
func demoAccount(tb testing.TB) (sim *plextvsim.Sim, ca, tok string) {
	tb.Helper()
	sim = plextvsim.StartForTest(tb, plextvsim.Options{})
	if err := sim.AddDemoServers(); err != nil {
		tb.Fatal(err)
	}
	ca = filepath.Join(tb.TempDir(), "ca.pem")
	if err := plextvsim.WriteCACert(ca); err != nil {
		tb.Fatal(err)
	}
	tok, err := sim.NewToken("")
	if err != nil {
		tb.Fatal(err)
	}
	return sim, ca, tok
}
