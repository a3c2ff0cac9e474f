//go:build linux

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/plextray/plextray/e2e/desktop"
	"github.com/plextray/plextray/internal/plextvsim"
)

// BenchmarkTrayProcess measures the whole tray process, fyne.io/systray
// included, at scale: the built binary (a release build, no race
// detector) starts signed in (its token in the session's gnome-keyring)
// against the simulator listing N owned servers × 4 connections, every
// one a refused port, in a private desktop session whose watcher and
// panel stand-in read the menu as a panel does (every LayoutUpdated: the
// whole layout again; NewToolTip, NewIcon: the property). It waits until
// the tooltip counts the N servers checked and the process has used no
// CPU for 2 s, then reports the process's CPU time from start to then
// (cpu-s: user + system, /proc/PID/stat), its peak RSS (peak-MB: VmHWM),
// how many layouts the panel read and how many times the tray fetched the
// server list (checks). Targets (docs/benchmarks.md):
// 2 000 × 4 ≤ 1 s CPU and ≤ 80 MB, 4 000 ≤ 2.2 × 2 000.
//
//	go test -run '^$' -bench TrayProcess -benchtime 1x -count 3 ./e2e/
//
// PLEXTRAY_E2E_BINARY=/abs/path/to/plextray measures another build.
func BenchmarkTrayProcess(b *testing.B) {
	if testing.Short() {
		b.Skip("starts a desktop session")
	}
	bin := desktop.Build(b, "github.com/plextray/plextray/cmd/tray")
	ca := b.TempDir() + "/ca.pem"
	if err := plextvsim.WriteCACert(ca); err != nil {
		b.Fatal(err)
	}
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("servers=%d", n), func(b *testing.B) {
			var cpu, peak, layouts, checks float64
			for b.Loop() {
				r := trayProcessOnce(b, bin, ca, n)
				cpu, peak, layouts, checks = cpu+r.cpu, max(peak, r.peak), layouts+r.layouts, checks+r.checks
			}
			b.ReportMetric(cpu/float64(b.N), "cpu-s")
			b.ReportMetric(peak, "peak-MB")
			b.ReportMetric(layouts/float64(b.N), "layouts")
			b.ReportMetric(checks/float64(b.N), "checks")
		})
	}
}

// trayRun is one tray process's figures: CPU seconds, peak RSS in MB, the
// layouts the panel read and the server lists fetched (checks).
type trayRun struct{ cpu, peak, layouts, checks float64 }

func trayProcessOnce(b *testing.B, bin, ca string, n int) trayRun {
	sim := plextvsim.StartForTest(b, plextvsim.Options{})
	var refused [4]string
	for i := range refused {
		u, err := plextvsim.ClosedPortURL("https")
		if err != nil {
			b.Fatal(err)
		}
		refused[i] = u
	}
	for i := range n {
		if _, err := sim.AddServer(plextvsim.ServerSpec{Name: fmt.Sprintf("server %04d", i), MachineIdentifier: fmt.Sprintf("%040x", i+1), Owned: true,
			Connections: []plextvsim.ConnSpec{{URI: refused[0], Local: true}, {URI: refused[1], Local: true}, {URI: refused[2]}, {URI: refused[3], Relay: true}}}); err != nil {
			b.Fatal(err)
		}
	}
	tok, err := sim.NewToken("")
	if err != nil {
		b.Fatal(err)
	}
	d := desktop.Start(b, desktop.Options{})
	store := exec.Command("secret-tool", "store", "--label=Plex token", "service", "plextray", "username", "plex-token")
	store.Env, store.Stdin = d.Env(), strings.NewReader(tok)
	if out, err := store.CombinedOutput(); err != nil {
		b.Fatalf("secret-tool store: %v\n%s", err, out)
	}
	app := d.StartApp(b, bin, nil, "PLEXTRAY_PLEXTV_URL="+sim.URL(), "PLEXTRAY_APP_URL="+sim.URL(), "SSL_CERT_FILE="+ca)
	tr := app.Tray(b, time.Minute)
	reads := panelStandIn(b, d, tr)
	// The tooltip counts every server once they are checked ("none of
	// your 2000 servers is reachable"); one server it names without a
	// number ("your server is not reachable").
	want := "none of your " + strconv.Itoa(n) + " servers"
	if n == 1 {
		want = "your server is not reachable"
	}
	tr.WaitLook(b, "the tooltip counting every server", func(l desktop.Look) bool {
		return strings.Contains(l.Tooltip, want) && !strings.Contains(l.Tooltip, "checking")
	}, 5*time.Minute)
	ticks := idleTicks(b, app.PID(), 2*time.Second, 5*time.Minute)
	peak := vmHWM(b, app.PID())
	app.Stop()
	checks := 0
	for _, r := range sim.Requests() {
		if strings.HasPrefix(r.Path, "/api/v2/resources") {
			checks++
		}
	}
	return trayRun{cpu: float64(ticks) / 100, peak: float64(peak) / 1024, layouts: float64(reads.Load()), checks: float64(checks)}
}

// panelStandIn reads the item's menu and properties as a panel does, until
// the test ends, and counts the layouts it read.
func panelStandIn(b *testing.B, d *desktop.Desktop, tr *desktop.Tray) *atomic.Int64 {
	conn, err := dbus.Connect(d.BusAddress())
	if err != nil {
		b.Fatal(err)
	}
	if err := conn.AddMatchSignal(dbus.WithMatchSender(tr.Service)); err != nil {
		b.Fatal(err)
	}
	v, err := tr.Property("Menu")
	if err != nil {
		b.Fatal(err)
	}
	menuPath, _ := v.(dbus.ObjectPath)
	sigs := make(chan *dbus.Signal, 4096)
	conn.Signal(sigs)
	item, menu := conn.Object(tr.Service, tr.Path), conn.Object(tr.Service, menuPath)
	var reads atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	b.Cleanup(func() { cancel(); conn.Close(); <-done })
	getLayout := func() {
		var rev uint32
		var lay struct {
			ID       int32
			Props    map[string]dbus.Variant
			Children []dbus.Variant
		}
		if menu.CallWithContext(ctx, "com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &lay) == nil {
			reads.Add(1)
		}
	}
	go func() {
		defer close(done)
		getLayout() // a panel reads the menu once the item is registered
		for {
			var s *dbus.Signal
			select {
			case s = <-sigs:
			case <-ctx.Done():
				return
			}
			// A panel handles what is queued together, once.
			layout, props := false, map[string]bool{}
			for s != nil {
				switch s.Name {
				case "com.canonical.dbusmenu.LayoutUpdated":
					layout = true
				case "org.kde.StatusNotifierItem.NewToolTip":
					props["ToolTip"] = true
				case "org.kde.StatusNotifierItem.NewIcon":
					props["IconPixmap"] = true
				case "org.kde.StatusNotifierItem.NewTitle":
					props["Title"] = true
				}
				select {
				case s = <-sigs:
				default:
					s = nil
				}
			}
			for p := range props {
				item.CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, "org.kde.StatusNotifierItem", p)
			}
			if layout {
				getLayout()
			}
		}
	}()
	return &reads
}

// idleTicks waits until pid has used no CPU for quiet and returns its CPU
// time then, in clock ticks (user + system).
func idleTicks(b *testing.B, pid int, quiet, timeout time.Duration) int64 {
	deadline := time.Now().Add(timeout)
	last, since := cpuTicks(b, pid), time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond) // sampling the process's CPU time
		now := cpuTicks(b, pid)
		if now != last {
			last, since = now, time.Now()
		} else if time.Since(since) >= quiet {
			return last
		}
	}
	b.Fatalf("pid %d still busy after %v", pid, timeout)
	return 0
}

// cpuTicks reads utime + stime (fields 14 and 15) of /proc/PID/stat.
func cpuTicks(b *testing.B, pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from 3 on
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st
}

// vmHWM is the process's peak resident set, in kB.
func vmHWM(b *testing.B, pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	b.Fatal("no VmHWM")
	return 0
}

// benchSizes are the server counts BenchmarkTrayProcess runs, or those of
// PLEXTRAY_BENCH_SERVERS (comma-separated).
func benchSizes() []int {
	sizes := []int{500, 1000, 2000, 4000}
	if v := os.Getenv("PLEXTRAY_BENCH_SERVERS"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
				sizes = append(sizes, n)
			}
		}
	}
	return sizes
}
