//go:build unix

package tray

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
	"github.com/plextray/plextray/internal/servers"
)

// BenchmarkCoreAndMenu2000x4 is the tray path at scale, end to end but
// for the panel: 2 000 servers × 4 connections, every one a refused port,
// listed by the simulated plex.tv; the core (signed in from a stored
// token) fetches them, probes them with the real prober, applies every
// probe event (a servers.Table) and publishes; each published State goes
// through the tray's Renderer, as internal/launch wires it. One iteration is
// one "Check again". Measures process CPU time per check (cpu-ms, target
// ≤ 2 s: the path before the Renderer took 124.7 s) and the server rows
// rendered per check (rows: 8 000 events should cost about one row each,
// plus whole-list renderings at the start and end of a check).
//
//	go test -run '^$' -bench CoreAndMenu -benchtime 3x ./internal/tray/
func BenchmarkCoreAndMenu2000x4(b *testing.B) {
	const n, conns = 2000, 4
	sim := plextvsim.StartForTest(b, plextvsim.Options{})
	var refused [conns]string
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
	raw, _ := sim.NewToken("")
	kc := &keychain.Memory{}
	kc.Set(context.Background(), plextv.Token(raw))
	client, err := plextv.New(sim.URL(), plextv.Info{Product: "plextray", Version: "bench", ClientIdentifier: "bench-client"})
	if err != nil {
		b.Fatal(err)
	}
	prober := servers.New(servers.Options{Timeout: 3 * time.Second})
	defer prober.Close()

	r := NewRenderer(Options{Version: "bench"})
	done := make(chan time.Time, 1)
	rows, publishes := 0, 0 // only the core's goroutine touches them while a check runs
	var last time.Time
	c := core.New(core.Config{
		Services: core.Services{PlexTV: client, Keychain: kc, Checker: core.ProberChecker{Prober: prober}},
		OnChange: func(st core.State) {
			m := r.Render(st)
			publishes++
			if m.Servers.All {
				rows += len(m.Servers.List)
			} else {
				rows += len(m.Servers.Changed)
			}
			sv := st.Servers
			if !sv.Checking && sv.Counts.Done == n && sv.Checked != last {
				last = sv.Checked
				select {
				case done <- last:
				default:
				}
			}
		},
	})
	go c.Run()
	defer c.Quit()
	waitDone := func() {
		select {
		case <-done:
		case <-time.After(2 * time.Minute):
			b.Fatal("no finished check")
		}
	}
	waitDone() // the first check, at start
	var cpu time.Duration
	var rowsTotal, pubs int
	iters := 0
	for b.Loop() {
		c0 := cpuTime()
		rows, publishes = 0, 0 // the core is idle between checks
		c.CheckServers()
		waitDone()
		cpu += cpuTime() - c0
		rowsTotal += rows
		pubs += publishes
		iters++
	}
	b.ReportMetric(float64(cpu.Milliseconds())/float64(iters), "cpu-ms")
	b.ReportMetric(float64(rowsTotal)/float64(iters), "rows")
	b.ReportMetric(float64(pubs)/float64(iters), "publishes")
	if cpu/time.Duration(iters) > 2*time.Second {
		b.Errorf("CPU %v per check, target ≤ 2 s", cpu/time.Duration(iters))
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
