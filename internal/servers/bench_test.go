package servers

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/plextv"
)

// Benchmarks against loopback servers (helpers_test.go). Run with
//
//	go test -bench . -run '^$' ./internal/servers/
//
// Results and targets: docs/benchmarks.md.

// BenchmarkBestURI: one server with a hung remote, a local https that
// answers after 2 s, a fast local https and a refused relay. Measures the
// time until the best URI is decided (ms-to-best); the fast local https
// must win. The check is cancelled at the decision, as a menu that only
// wants the best URI would.
func BenchmarkBestURI(b *testing.B) {
	hung, _ := newHang(b, true, 0)
	slow, _ := newSlowPMS(b, idA, true, 2*time.Second)
	fast, _ := newPMS(b, idA, true)
	refused := "https://" + closedPort(b)
	p := newProber(b, Options{RootCAs: pool(hung, slow, fast)})
	rs := []plextv.Resource{server("Living Room", idA, true,
		conn(hung.URL, false, false),
		conn(slow.URL, true, false),
		conn(fast.URL, true, false),
		conn(refused, false, true),
	)}
	base := runtime.NumGoroutine()
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
		if best != fast.URL {
			b.Fatalf("best %q, want the fast local https %q", best, fast.URL)
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
	reportGoroutines(b, base)
}

// BenchmarkUnreachable: a server whose only connection hangs, with the
// default 3 s timeout. Measures the time until it is decided offline.
func BenchmarkUnreachable(b *testing.B) {
	hung, _ := newHang(b, true, 0)
	p := newProber(b, Options{RootCAs: pool(hung)})
	rs := []plextv.Resource{server("Old NAS", idA, true, conn(hung.URL, true, false))}
	base := runtime.NumGoroutine()
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
	if limit := DefaultTimeout + DefaultTimeout/10; worst > limit {
		b.Errorf("unreachable after %v, target ≤ %v", worst, limit)
	}
	reportGoroutines(b, base)
}

// BenchmarkFullReport: 50 servers × 4 connections (local https, local
// http, remote https: answering; relay: refused), one connection of each
// server hung instead (a quarter of all, rotating through the four
// slots), default timeout and concurrency. Measures the time to the full
// report, the median time to each server's decision, allocations, and
// goroutines left after the check (must be none).
func BenchmarkFullReport(b *testing.B) {
	const servers = 50
	fastTLS, _ := newPMS(b, "", true)
	fastPlain, _ := newPMS(b, "", false)
	hung, _ := newHang(b, true, 0)
	refused := "https://" + closedPort(b)
	p := newProber(b, Options{RootCAs: pool(fastTLS, hung)})

	var rs []plextv.Resource
	for i := range servers {
		id := fmt.Sprintf("%040x", i+1)
		conns := []plextv.Connection{
			conn(fastTLS.URL+"/"+id, true, false),
			conn(fastPlain.URL+"/"+id, true, false),
			conn(fastTLS.URL+"/"+id, false, false),
			conn(refused, false, true),
		}
		conns[i%4] = conn(hung.URL+"/"+id, conns[i%4].Local, conns[i%4].Relay)
		rs = append(rs, server(fmt.Sprintf("server %02d", i), id, true, conns...))
	}

	base := runtime.NumGoroutine()
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
	reportGoroutines(b, base)
}

// reportGoroutines reports goroutines left above base once sockets and
// handlers have wound down, and fails if any are.
func reportGoroutines(b *testing.B, base int) {
	b.Helper()
	left := max(settleGoroutines(base)-base, 0)
	b.ReportMetric(float64(left), "goroutines-left")
	if left > 0 {
		buf := make([]byte, 1<<20)
		b.Fatalf("%d goroutines left after the check:\n%s", left, buf[:runtime.Stack(buf, true)])
	}
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
