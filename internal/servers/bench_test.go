package servers

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

// Benchmarks against the project's simulator (internal/plextvsim) over
// loopback: every server is a fake Plex Media Server of the simulator on
// 127.0.0.1 (https with the simulator CA's certificate, or plain http),
// listed as a resource of the simulator's demo account, and the resource
// list is fetched from the simulated plex.tv through the real client
// (internal/plextv), as the app does. Refused connections are ports
// nothing listens on (plextvsim.ClosedPortURL). Run with
//
//	go test -run '^$' -bench . -benchtime 3x -count 3 ./internal/servers/
//
// Results and targets: docs/benchmarks.md. The unit tests keep their own
// small loopback helpers (helpers_test.go).

// BenchmarkBestURI: one server with a hung remote https, a local https
// that answers after 2 s, a fast local https and a refused relay.
// Measures the time until the best URI is decided (ms-to-best); the fast
// local https must win. The check is cancelled at the decision, as a menu
// that only wants the best URI would.
func BenchmarkBestURI(b *testing.B) {
	before := steadyGoroutines()
	sim := startSim(b)
	id := fmt.Sprintf("%040x", 0xa)
	hung := startPMS(b, sim, plextvsim.PMSOptions{Name: "Living Room (remote)", MachineIdentifier: id, TLS: true,
		Behavior: plextvsim.PMSBehavior{Hang: true}})
	slow := startPMS(b, sim, plextvsim.PMSOptions{Name: "Living Room (slow)", MachineIdentifier: id, TLS: true,
		Behavior: plextvsim.PMSBehavior{Delay: 2 * time.Second}})
	fast := startPMS(b, sim, plextvsim.PMSOptions{Name: "Living Room", MachineIdentifier: id, TLS: true})
	addServer(b, sim, plextvsim.ServerSpec{Name: "Living Room", MachineIdentifier: id, Owned: true, Connections: []plextvsim.ConnSpec{
		{PMS: hung},              // remote, hangs
		{PMS: slow, Local: true}, // local https, answers after 2 s
		{PMS: fast, Local: true}, // local https, fast
		{URI: refusedURL(b, "https"), Relay: true},
	}})
	rs := fetchServers(b, sim, 1, 4)
	p := newProber(b, Options{RootCAs: simCAs(b)})
	idle := steadyGoroutines()

	var total, worst time.Duration
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		var best string
		var after time.Duration
		p.Stream(ctx, rs, func(e Event) {
			if e.Kind == BestDecided {
				best, after = e.Server.Best, e.Server.DecidedAfter
				cancel()
			}
		})
		cancel()
		if best != fast.URL() {
			b.Fatalf("best %q, want the fast local https %q", best, fast.URL())
		}
		total += after
		worst = max(worst, after)
		n++
	}
	b.ReportMetric(msf(total)/float64(n), "ms-to-best")
	b.ReportMetric(msf(worst), "ms-to-best-max")
	if worst >= 100*time.Millisecond {
		b.Errorf("best decided after %v, target < 100 ms", worst)
	}
	reportGoroutines(b, sim, before, idle)
}

// BenchmarkUnreachable: a server whose only connection (local https)
// hangs, with a 3 s timeout. Measures the time until it is decided
// offline.
func BenchmarkUnreachable(b *testing.B) {
	const timeout = 3 * time.Second
	before := steadyGoroutines()
	sim := startSim(b)
	hung := startPMS(b, sim, plextvsim.PMSOptions{Name: "Old NAS", TLS: true, Behavior: plextvsim.PMSBehavior{Hang: true}})
	addServer(b, sim, plextvsim.ServerSpec{Name: "Old NAS", Owned: true, Connections: []plextvsim.ConnSpec{{PMS: hung, Local: true}}})
	rs := fetchServers(b, sim, 1, 1)
	p := newProber(b, Options{Timeout: timeout, RootCAs: simCAs(b)})
	idle := steadyGoroutines()

	var total, worst time.Duration
	n := 0
	for b.Loop() {
		res := p.Check(context.Background(), rs)
		s := res[0]
		if c := s.Connections[0]; c.State != TimedOut || !s.Decided || s.Best != "" {
			b.Fatalf("state %v decided %v best %q", c.State, s.Decided, s.Best)
		}
		total += s.DecidedAfter
		worst = max(worst, s.DecidedAfter)
		n++
	}
	b.ReportMetric(msf(total)/float64(n), "ms-to-unreachable")
	if limit := timeout + timeout/10; worst > limit {
		b.Errorf("unreachable after %v, target ≤ %v", worst, limit)
	}
	reportGoroutines(b, sim, before, idle)
}

// BenchmarkFullReport: 50 servers × 4 connections (local https, local
// http, remote https: fake PMSs that answer; relay https: a refused
// port), one connection of each server replaced by a hung fake PMS of
// the same scheme (a quarter of all, rotating through the four slots).
// Every connection is a PMS or port of its own (162 PMSs, 38 refused
// ports). Default timeout (3 s) and concurrency (64). Measures the time
// to the full report, the median time to each server's decision,
// allocations, and goroutines left after the check (must be none).
func BenchmarkFullReport(b *testing.B) {
	const servers = 50
	before := steadyGoroutines()
	sim := startSim(b)
	specs := make([]plextvsim.ServerSpec, servers)
	for i := range specs {
		id := fmt.Sprintf("%040x", i+1)
		name := fmt.Sprintf("server %02d", i)
		pms := func(slot string, tls, hang bool) *plextvsim.PMS {
			return startPMS(b, sim, plextvsim.PMSOptions{Name: name + " " + slot, MachineIdentifier: id, TLS: tls,
				Behavior: plextvsim.PMSBehavior{Hang: hang}})
		}
		hung := i % 4
		specs[i] = plextvsim.ServerSpec{Name: name, MachineIdentifier: id, Owned: true, Connections: []plextvsim.ConnSpec{
			{PMS: pms("local https", true, hung == 0), Local: true},
			{PMS: pms("local http", false, hung == 1), Local: true},
			{PMS: pms("remote https", true, hung == 2)},
			{Relay: true}, // refused, or hung (below)
		}}
		if hung == 3 {
			specs[i].Connections[3].PMS = pms("relay https", true, true)
		}
	}
	// Closed ports are taken once every listener is up, so that none of
	// them can be handed to a PMS afterwards.
	for i := range specs {
		if c := &specs[i].Connections[3]; c.PMS == nil {
			c.URI = refusedURL(b, "https")
		}
		addServer(b, sim, specs[i])
	}
	rs := fetchServers(b, sim, servers, 4)
	p := newProber(b, Options{RootCAs: simCAs(b)})
	idle := steadyGoroutines()

	var total, worst, medians time.Duration
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		res := p.Check(context.Background(), rs)
		took := time.Since(start)
		var decided []time.Duration
		for i, s := range res {
			hungSlot := i % 4
			want := 0 // local https
			if hungSlot == 0 {
				want = 1 // local http
			}
			if s.BestIndex != want || s.Connections[hungSlot].State != TimedOut {
				b.Fatalf("%s: best %d (want %d), hung slot %v", s.Name, s.BestIndex, want, s.Connections[hungSlot].State)
			}
			if hungSlot != 3 && s.Connections[3].State != Refused {
				b.Fatalf("%s: relay %v, want refused", s.Name, s.Connections[3].State)
			}
			decided = append(decided, s.DecidedAfter)
		}
		slices.Sort(decided)
		medians += decided[len(decided)/2]
		total += took
		worst = max(worst, took)
		n++
	}
	b.ReportMetric(msf(total)/float64(n), "ms-full-report")
	b.ReportMetric(msf(medians)/float64(n), "ms-median-decided")
	if limit := DefaultTimeout + 500*time.Millisecond; worst > limit {
		b.Errorf("full report after %v, target ≤ %v", worst, limit)
	}
	reportGoroutines(b, sim, before, idle)
}

// startSim starts a plex.tv simulator; it (and every PMS it started) is
// closed when the benchmark ends, if reportGoroutines has not done it.
func startSim(b *testing.B) *plextvsim.Sim {
	b.Helper()
	sim, err := plextvsim.Start(plextvsim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sim.Close() })
	return sim
}

func startPMS(b *testing.B, sim *plextvsim.Sim, o plextvsim.PMSOptions) *plextvsim.PMS {
	b.Helper()
	p, err := sim.StartPMS(o)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func addServer(b *testing.B, sim *plextvsim.Sim, spec plextvsim.ServerSpec) {
	b.Helper()
	if _, err := sim.AddServer(spec); err != nil {
		b.Fatal(err)
	}
}

func refusedURL(b *testing.B, scheme string) string {
	b.Helper()
	u, err := plextvsim.ClosedPortURL(scheme)
	if err != nil {
		b.Fatal(err)
	}
	return u
}

// simCAs is a pool holding only the simulator CA, which signs every TLS
// PMS's certificate (for 127.0.0.1).
func simCAs(b *testing.B) *x509.CertPool {
	b.Helper()
	p, err := plextvsim.CACertPool()
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// fetchServers lists the demo account's servers as the app does: GET
// /api/v2/resources from the simulated plex.tv through the real client
// (relay and IPv6 connections included), keeping the servers. It checks
// that there are servers of conns connections each. The client's
// transport keeps no connection, so no goroutine of it outlives the call.
func fetchServers(b *testing.B, sim *plextvsim.Sim, servers, conns int) []plextv.Resource {
	b.Helper()
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	c, err := plextv.New(sim.URL(), testInfo, plextv.WithHTTPClient(&http.Client{Transport: tr, Timeout: 10 * time.Second}))
	if err != nil {
		b.Fatal(err)
	}
	all, err := c.Resources(context.Background(), plextv.Token(sim.DemoAccount().Token))
	if err != nil {
		b.Fatal(err)
	}
	rs := plextv.Servers(all)
	if len(rs) != servers {
		b.Fatalf("simulator lists %d servers, want %d", len(rs), servers)
	}
	for _, r := range rs {
		if len(r.Connections) != conns {
			b.Fatalf("%s: %d connections, want %d", r.Name, len(r.Connections), conns)
		}
	}
	return rs
}

// steadyGoroutines returns the number of goroutines once it has not
// changed for 50 ms (at most 5 s): the baseline of a quiet process.
func steadyGoroutines() int {
	n, same := runtime.NumGoroutine(), 0
	for deadline := time.Now().Add(5 * time.Second); same < 25 && time.Now().Before(deadline); {
		time.Sleep(2 * time.Millisecond)
		if m := runtime.NumGoroutine(); m == n {
			same++
		} else {
			n, same = m, 0
		}
	}
	return n
}

// reportGoroutines checks, after the last check, that nothing is left
// running, in two steps, and fails if anything is:
//
//  1. With the simulator still up, the count must come back (polling up
//     to 5 s while sockets wind down) to idle, the count taken with the
//     simulator's listeners up and quiet and the prober made, just before
//     the first check. The simulator's per-connection goroutines,
//     including the handlers of hung PMSs, end only when the prober has
//     closed its side, so any goroutine above idle is the prober's or one
//     it keeps alive. Reported as goroutines-left.
//  2. After closing the simulator (every PMS: listeners and any handler
//     still waiting), the count must come back to before, taken before the
//     simulator started. This also catches goroutines the simulator
//     itself would leave.
func reportGoroutines(b *testing.B, sim *plextvsim.Sim, before, idle int) {
	b.Helper()
	left := max(settleGoroutines(idle)-idle, 0)
	b.ReportMetric(float64(left), "goroutines-left")
	if left > 0 {
		b.Fatalf("%d goroutines left after the check (simulator still up):\n%s", left, allStacks())
	}
	sim.Close()
	if after := max(settleGoroutines(before)-before, 0); after > 0 {
		b.Fatalf("%d goroutines left after closing the simulator:\n%s", after, allStacks())
	}
}

func allStacks() []byte {
	buf := make([]byte, 1<<20)
	return buf[:runtime.Stack(buf, true)]
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
