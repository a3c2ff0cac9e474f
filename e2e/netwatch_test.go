//go:build linux

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/e2e/desktop"
	"github.com/plextray/plextray/internal/lastcheck"
	"github.com/plextray/plextray/internal/netwatch/netwatchtest"
)

// The tray learns of network changes and wake-ups as events (rtnetlink,
// the system bus), never by polling. These tests give the tray a system
// bus of their own (a second dbus-daemon) and, for address changes, a
// network namespace of their own, so nothing of the machine's network or
// its real logind is touched.

// trayLog is the tray's log file under the XDG_STATE_HOME the test gives it.
type trayLog string

func newTrayLog(t testing.TB) (trayLog, string) {
	dir := t.TempDir()
	return trayLog(filepath.Join(dir, "plextray", "plextray.log")), "XDG_STATE_HOME=" + dir
}

func (l trayLog) lines() []string {
	b, _ := os.ReadFile(string(l))
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

// waitLine waits for a line after the first from lines that contains
// every part, and returns its index.
func (l trayLog) waitLine(t testing.TB, from int, parts ...string) int {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		ls := l.lines()
		for i := from; i < len(ls); i++ {
			if containsAll(ls[i], parts) {
				return i
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q after line %d:\n%s", parts, from, strings.Join(ls, "\n"))
		}
		time.Sleep(20 * time.Millisecond) // polling a file for a condition, bounded
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

const (
	recheckLine = "checking the servers again"
	whyWoke     = "why=woke"
	whyNetwork  = `why="network changed"`
	busListens  = "listening for network and wake signals on the system bus"
	addrListens = "listening for address changes"
)

// TestWakeSignalOnlyFromLogind: a PrepareForSleep(false) from another
// connection of the system bus is ignored; the same signal from the owner
// of org.freedesktop.login1 makes the tray check its servers again
// (fetching the list from plex.tv, in the simulator's request log).
func TestWakeSignalOnlyFromLogind(t *testing.T) {
	w := newWorld(t, desktop.Options{}, "PLEXTRAY_RECHECK_INTERVAL=1h")
	bus := netwatchtest.Bus(t)
	logind := netwatchtest.Peer(t, bus, "org.freedesktop.login1", "org.freedesktop.NetworkManager")
	forger := netwatchtest.Peer(t, bus)
	log, stateEnv := newTrayLog(t)
	w.env = append(w.env, "DBUS_SYSTEM_BUS_ADDRESS="+bus, stateEnv)
	app, tr := w.start()
	w.signIn(tr)
	tr.WaitFor(t, "servers checked", has("Checked at "), wait)
	mark := log.waitLine(t, 0, busListens, "logind=true")
	before := w.resourceRequests()

	// The forgery, then a genuine network change from NetworkManager's
	// owner: had the forgery passed, its re-check ("woke") would be
	// logged before the network change's, which waits a 1 s debounce.
	netwatchtest.Resumed(t, forger)
	if err := logind.Emit("/org/freedesktop/NetworkManager", "org.freedesktop.NetworkManager.StateChanged", uint32(70)); err != nil {
		t.Fatal(err)
	}
	at := log.waitLine(t, mark, recheckLine, whyNetwork)
	for _, l := range log.lines()[mark:at] {
		if containsAll(l, []string{recheckLine, whyWoke}) {
			t.Fatalf("a forged PrepareForSleep started a re-check: %s", l)
		}
	}
	tr.WaitFor(t, "the network change's check in plex.tv's log", func(desktop.MenuItem) bool { return w.resourceRequests() > before }, wait)

	// logind's own signal is honoured.
	before = w.resourceRequests()
	netwatchtest.Resumed(t, logind)
	log.waitLine(t, at, recheckLine, whyWoke)
	tr.WaitFor(t, "the wake-up's check in plex.tv's log", func(desktop.MenuItem) bool { return w.resourceRequests() > before }, wait)
	quit(t, app, tr)
}

// inNetnsEnv marks the copy of the e2e test binary that runs inside its
// own network namespace.
const inNetnsEnv = "PLEXTRAY_E2E_IN_NETNS"

// inOwnNetns runs the test (or benchmark) named by run again in a new
// network namespace (unshare --net: root) with the tray binary already
// built, and reports false: the caller returns. In that copy it reports
// true, with the loopback interface up.
func inOwnNetns(tb testing.TB, run ...string) bool {
	tb.Helper()
	if os.Getenv(inNetnsEnv) != "" {
		if out, err := exec.Command("ip", "link", "set", "lo", "up").CombinedOutput(); err != nil {
			tb.Fatalf("ip link set lo up: %v %s", err, out)
		}
		return true
	}
	if testing.Short() {
		tb.Skip("end-to-end test: skipped with -short")
	}
	unshare, err := exec.LookPath("unshare")
	if err == nil {
		err = exec.Command(unshare, "--net", "ip", "link", "set", "lo", "up").Run()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("no network namespace of its own (unshare --net as root, ip from iproute2): %v", err)
		}
		tb.Skipf("no network namespace of its own (unshare --net as root, ip from iproute2): %v", err)
	}
	var bin string
	if t, ok := tb.(*testing.T); ok {
		bin = binary(t)
	} else {
		bin = desktop.Build(tb, "github.com/plextray/plextray/cmd/tray")
	}
	args := append([]string{"--net", os.Args[0], "-test.count=1", "-test.v=" + fmt.Sprint(testing.Verbose())}, run...)
	cmd := exec.Command(unshare, args...)
	cmd.Env = append(os.Environ(), inNetnsEnv+"=1", desktop.BinaryEnv+"="+bin)
	out, err := cmd.CombinedOutput()
	if _, bench := tb.(*testing.B); bench || testing.Verbose() || err != nil {
		fmt.Fprintf(os.Stdout, "--- in its own network namespace:\n%s", out)
	}
	if err != nil {
		tb.Fatalf("in its own network namespace: %v", err)
	}
	return false
}

// addAddress adds 127.0.0.n/8 to the loopback interface of the test's
// own network namespace.
func addAddress(tb testing.TB, n int) {
	tb.Helper()
	if out, err := exec.Command("ip", "addr", "add", fmt.Sprintf("127.0.0.%d/8", n), "dev", "lo").CombinedOutput(); err != nil {
		tb.Fatalf("ip addr add: %v %s", err, out)
	}
}

// TestNetworkChangeIsAnEvent: an address added to an interface makes the
// signed-in tray check its servers again, without a click, a poll or a
// system bus: the kernel's rtnetlink notification is the event. It runs
// in a network namespace of its own and changes only that namespace's
// loopback interface.
func TestNetworkChangeIsAnEvent(t *testing.T) {
	if !inOwnNetns(t, "-test.run=^TestNetworkChangeIsAnEvent$") {
		return
	}
	log, stateEnv := newTrayLog(t)
	w := newWorld(t, desktop.Options{}, "PLEXTRAY_RECHECK_INTERVAL=1h", stateEnv,
		"DBUS_SYSTEM_BUS_ADDRESS=unix:path="+filepath.Join(t.TempDir(), "no-system-bus"))
	app, tr := w.start()
	w.signIn(tr)
	tr.WaitFor(t, "servers checked", has("Checked at "), wait)
	first := w.lastCheck("the first check shared", func(lastcheck.Record) bool { return true })
	mark := log.waitLine(t, 0, addrListens)
	before := w.resourceRequests()
	// Not a loopback address (127.0.0.n): those are the same on every
	// network, and the shared check's network leaves them out.
	if out, err := exec.Command("ip", "addr", "add", "192.0.2.2/24", "dev", "lo").CombinedOutput(); err != nil {
		t.Fatalf("ip addr add: %v %s", err, out)
	}
	log.waitLine(t, mark, recheckLine, whyNetwork)
	tr.WaitFor(t, "the re-check in plex.tv's log", func(desktop.MenuItem) bool { return w.resourceRequests() > before }, wait)
	// The check shared with `plextray uri` is the new network's.
	w.lastCheck("the new network's check shared", func(r lastcheck.Record) bool {
		return r.Network != first.Network && r.Network == lastcheck.Network()
	})
	quit(t, app, tr)
	if _, err := os.Stat(filepath.Join(w.configDir(), lastcheck.File)); !os.IsNotExist(err) {
		t.Fatalf("the shared check outlived the tray: %v", err)
	}
}
