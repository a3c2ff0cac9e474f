package servers

import (
	"context"
	"net"
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/plextv"
)

// eventIndex returns the position of the first event matching f, or -1.
func eventIndex(evs []Event, f func(Event) bool) int {
	for i, e := range evs {
		if f(e) {
			return i
		}
	}
	return -1
}

// A fast local https answer decides the server while a remote still hangs:
// the decision comes first, and the hung probe is still pending then
// (cancelling at the decision turns it into Cancelled, not TimedOut).
func TestBestDecidedBeforeHungRemote(t *testing.T) {
	fast, _ := newPMS(t, idA, true)
	hung, _ := newHang(t, true, 0)
	refused := "https://" + closedPort(t)
	p := newProber(t, Options{Timeout: time.Minute, RootCAs: pool(fast, hung)})
	r := server("Living Room", idA, true,
		conn(hung.URL, false, false), // remote, hangs
		conn(fast.URL, true, false),  // local https, fast
		conn(refused, false, true),   // relay, refused
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, evs := collect(ctx, p, []plextv.Resource{r}, func(e Event) {
		if e.Kind == BestDecided {
			cancel()
		}
	})
	decided := eventIndex(evs, func(e Event) bool { return e.Kind == BestDecided })
	hungDone := eventIndex(evs, func(e Event) bool { return e.Kind == ConnectionChecked && e.Conn == 0 })
	if decided < 0 || hungDone < 0 || decided > hungDone {
		t.Fatalf("decided at %d, hung remote ended at %d: %v", decided, hungDone, evs)
	}
	if got := evs[decided].Server.Best; got != fast.URL {
		t.Fatalf("best %q, want the local https %q", got, fast.URL)
	}
	if res[0].Best != fast.URL || res[0].BestIndex != 1 {
		t.Errorf("final best %q (%d)", res[0].Best, res[0].BestIndex)
	}
	if st := res[0].Connections[0].State; st != Cancelled {
		t.Errorf("hung remote: %v, want cancelled (it was still pending at the decision)", st)
	}
}

// Two connections of the same class: the fast one wins as soon as the slow
// one has run longer than the winner's latency (a recheck, no new result).
func TestBestDecidedAgainstSameClassRival(t *testing.T) {
	fast, _ := newPMS(t, idA, true)
	hung, _ := newHang(t, true, 0)
	p := newProber(t, Options{Timeout: time.Minute, RootCAs: pool(fast, hung)})
	r := server("NAS", idA, true, conn(hung.URL, true, false), conn(fast.URL, true, false))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, evs := collect(ctx, p, []plextv.Resource{r}, func(e Event) {
		if e.Kind == BestDecided {
			cancel()
		}
	})
	decided := eventIndex(evs, func(e Event) bool { return e.Kind == BestDecided })
	if decided < 0 || evs[decided].Server.Best != fast.URL {
		t.Fatalf("events %v", evs)
	}
	if st := res[0].Connections[0].State; st != Cancelled {
		t.Errorf("same-class rival: %v, want cancelled", st)
	}
}

// A better class that is still pending blocks the decision: a remote
// answers fast, the local answers later and wins.
func TestBetterClassIsWaitedFor(t *testing.T) {
	remote, _ := newPMS(t, idA, false)
	local, _ := newSlowPMS(t, idA, false, 30*time.Millisecond)
	p := newProber(t, Options{})
	res, evs := collect(context.Background(), p, []plextv.Resource{
		server("x", idA, true, conn(remote.URL, false, false), conn(local.URL, true, false)),
	}, nil)
	if res[0].Best != local.URL {
		t.Fatalf("best %q, want local %q", res[0].Best, local.URL)
	}
	decided := eventIndex(evs, func(e Event) bool { return e.Kind == BestDecided })
	localDone := eventIndex(evs, func(e Event) bool { return e.Kind == ConnectionChecked && e.Conn == 1 })
	if decided < localDone {
		t.Errorf("decided (%d) before the local answer (%d)", decided, localDone)
	}
}

func TestEventsInvariants(t *testing.T) {
	a, _ := newPMS(t, idA, false)
	b, _ := newPMS(t, idB, true)
	refused := "http://" + closedPort(t)
	p := newProber(t, Options{RootCAs: pool(b), Timeout: 5 * time.Second})
	skipped := server("Skip", idB, true, conn(a.URL, true, false))
	skipped.HTTPSRequired = true
	rs := []plextv.Resource{
		server("A", idA, true, conn(a.URL, true, false), conn(refused, false, false), conn(b.URL, false, true)),
		server("B", idB, false, conn(b.URL, false, false), conn(a.URL, true, false), conn(refused, false, true)),
		skipped,
		server("Offline", idA, true, conn(refused, false, false)),
	}
	res, evs := collect(context.Background(), p, rs, nil)
	conns := map[[2]int]int{}
	decided := map[int]int{}
	uris := map[int]int{}
	done := map[int]int{}
	for i, e := range evs {
		switch e.Kind {
		case ConnectionChecked:
			conns[[2]int{e.Index, e.Conn}]++
			if !e.Server.Connections[e.Conn].State.Final() {
				t.Errorf("event %d: connection not final", i)
			}
		case BestDecided:
			decided[e.Index]++
			if !e.Server.Decided {
				t.Errorf("event %d: snapshot not decided", i)
			}
		case URIDecided:
			uris[e.Index]++
			if decided[e.Index] != 1 || done[e.Index] != 0 {
				t.Errorf("event %d: URI decided before the best or after the end", i)
			}
		case ServerChecked:
			done[e.Index]++
			if decided[e.Index] != 1 || uris[e.Index] != 1 || !e.Server.Done() {
				t.Errorf("event %d: server checked before decided/done", i)
			}
		}
	}
	for si, s := range res {
		if decided[si] != 1 || uris[si] != 1 || done[si] != 1 {
			t.Errorf("%s: %d decided, %d URI, %d checked events", s.Name, decided[si], uris[si], done[si])
		}
		if s.URI != s.Best || (s.Best != "" && s.URIKind != URIBest) {
			t.Errorf("%s: URI %q (%v), best %q", s.Name, s.URI, s.URIKind, s.Best)
		}
		for ci, c := range s.Connections {
			if conns[[2]int{si, ci}] != 1 || !c.State.Final() {
				t.Errorf("%s/%d: %d events, state %v", s.Name, ci, conns[[2]int{si, ci}], c.State)
			}
		}
	}
	want := []string{a.URL, b.URL, "", ""}
	for i, s := range res {
		if s.Best != want[i] {
			t.Errorf("%s: best %q, want %q", s.Name, s.Best, want[i])
		}
	}
	if got := res[1].Connections[1].State; got != Skipped {
		t.Errorf("shared local: %v", got)
	}
	if s := res[3]; !s.Decided || s.Best != "" || s.BestIndex != -1 {
		t.Errorf("offline server %+v", s)
	}
}

// Cancelling a check with every probe hung returns promptly, marks them
// Cancelled, and leaves no goroutine or socket behind (the hung handlers
// see their clients leave).
func TestCancelLeavesNothingBehind(t *testing.T) {
	const n = 12
	hungPlain, hp := newHang(t, false, n)
	hungTLS, ht := newHang(t, true, n)
	p := newProber(t, Options{Timeout: time.Hour, RootCAs: pool(hungTLS)})
	var rs []plextv.Resource
	for range n / 2 {
		rs = append(rs, server("s", idA, true, conn(hungPlain.URL, true, false), conn(hungTLS.URL, false, false)))
	}
	base := runtime.NumGoroutine()

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for range n / 2 {
			<-hp.arrived
			<-ht.arrived
		}
		cancel()
	}()
	res := p.Check(ctx, rs)
	for _, s := range res {
		for _, c := range s.Connections {
			if c.State != Cancelled {
				t.Fatalf("state %v (%s), want cancelled", c.State, c.Reason)
			}
		}
		if !s.Decided || s.Best != "" {
			t.Errorf("server %+v", s)
		}
	}
	// The helper goroutine above has returned once cancel ran.
	if got := settleGoroutines(base); got > base {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after cancel, %d before:\n%s", got, base, buf[:runtime.Stack(buf, true)])
	}
	if !eventually(func() bool { return hp.active.Load() == 0 && ht.active.Load() == 0 }) {
		t.Errorf("hung handlers still active: %d %d", hp.active.Load(), ht.active.Load())
	}
}

// A check that ends by timeouts also leaves nothing behind.
func TestTimeoutsLeaveNothingBehind(t *testing.T) {
	hung, h := newHang(t, true, 0)
	mute, open := silent(t)
	p := newProber(t, Options{Timeout: 50 * time.Millisecond, RootCAs: pool(hung)})
	base := runtime.NumGoroutine()
	res := p.Check(context.Background(), []plextv.Resource{
		server("a", idA, true, conn(hung.URL, true, false), conn(hung.URL, false, false)),
		server("b", idB, true, conn(hung.URL, false, true), conn("https://"+mute, true, false)),
	})
	for _, s := range res {
		for _, c := range s.Connections {
			if c.State != TimedOut {
				t.Fatalf("state %v", c.State)
			}
		}
	}
	if got := settleGoroutines(base); got > base {
		t.Fatalf("%d goroutines, %d before", got, base)
	}
	if !eventually(func() bool { return h.active.Load() == 0 }) {
		t.Errorf("hung handlers still active: %d", h.active.Load())
	}
	if !eventually(func() bool { return open.Load() == 0 }) {
		t.Errorf("%d sockets still open at the silent server", open.Load())
	}
}

// No more than MaxOpen probes are in flight (Concurrency slots are given
// back after Grace; MaxOpen is the hard bound). Each dial blocks until the
// test releases it; at every dial, dials so far ≤ released + limit.
func TestConcurrencyBound(t *testing.T) {
	const limit, total = 2, 7
	var dials atomic.Int64
	entered := make(chan int64)
	release := make(chan struct{})
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		entered <- dials.Add(1)
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	p := newProber(t, Options{Concurrency: limit, MaxOpen: limit, DialContext: dial, Timeout: time.Minute})
	var conns []plextv.Connection
	for range total {
		conns = append(conns, conn("http://127.0.0.1:9", true, false))
	}
	out := make(chan []Server)
	go func() { out <- p.Check(context.Background(), []plextv.Resource{server("x", idA, true, conns...)}) }()
	released := 0
	for got := 0; got < total; got++ {
		n := <-entered
		if n > int64(released+limit) {
			t.Fatalf("dial %d started with only %d released (limit %d)", n, released, limit)
		}
		if got+1-released == limit || got+1 == total {
			release <- struct{}{}
			released++
		}
	}
	for ; released < total; released++ {
		release <- struct{}{}
	}
	res := <-out
	for _, c := range res[0].Connections {
		if c.State != Refused {
			t.Errorf("state %v", c.State)
		}
	}
}

// Goroutines that run one probe after another (quick refusals, few slots)
// run every probe once and end with the check, whether it finishes or is
// cancelled halfway.
func TestReusedProbeGoroutinesEndWithTheCheck(t *testing.T) {
	const n = 300
	var conns []plextv.Connection
	for i := range n {
		conns = append(conns, conn("http://127.0.0.1:"+itoa(1000+i), true, false))
	}
	rs := []plextv.Resource{server("x", idA, true, conns...)}
	var dials atomic.Int64
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return refuseDial(ctx, network, addr)
	}
	p := newProber(t, Options{Concurrency: 2, MaxOpen: 3, DialContext: dial, Timeout: time.Minute})
	base := runtime.NumGoroutine()

	res := p.Check(context.Background(), rs)
	for _, c := range res[0].Connections {
		if c.State != Refused {
			t.Fatalf("state %v (%s), want refused", c.State, c.Reason)
		}
	}
	if d := dials.Load(); d != n {
		t.Errorf("%d dials, want %d", d, n)
	}
	if got := settleGoroutines(base); got > base {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after the check, %d before:\n%s", got, base, buf[:runtime.Stack(buf, true)])
	}

	ctx, cancel := context.WithCancel(context.Background())
	seen := 0
	res = p.Stream(ctx, rs, func(e Event) {
		if e.Kind == ConnectionChecked {
			if seen++; seen == n/2 {
				cancel()
			}
		}
	})
	refused, cancelled := 0, 0
	for _, c := range res[0].Connections {
		switch c.State {
		case Refused:
			refused++
		case Cancelled:
			cancelled++
		}
	}
	if refused+cancelled != n || refused < n/2 {
		t.Errorf("%d refused, %d cancelled of %d", refused, cancelled, n)
	}
	if got := settleGoroutines(base); got > base {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after the cancelled check, %d before:\n%s", got, base, buf[:runtime.Stack(buf, true)])
	}
}

// The slot queue: a slot comes back at once when its probe ends, is taken
// back from a probe past its Grace when another probe needs it, and a
// wait ends with the check.
func TestSlotQueue(t *testing.T) {
	q := newSlotQueue(1, 20*time.Millisecond)
	defer q.stop()
	ctx := context.Background()
	a, ok := q.acquire(ctx)
	if !ok {
		t.Fatal("no first slot")
	}
	a.release() // the probe ended
	b, ok := q.acquire(ctx)
	if !ok || !a.given.Load() {
		t.Fatal("no slot after the first probe ended")
	}
	// b never ends: the next acquire waits for its Grace, then takes its slot.
	c, ok := q.acquire(ctx)
	if !ok || !b.given.Load() || c.given.Load() {
		t.Fatalf("after Grace: ok %v, b given %v, c given %v", ok, b.given.Load(), c.given.Load())
	}
	if since := time.Since(b.deadline); since < 0 {
		t.Errorf("b's slot taken back %v before its Grace ended", -since)
	}
	c.release()
	c.release() // a second release (probe end after Grace) gives nothing back twice
	d, _ := q.acquire(ctx)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, ok := q.acquire(cancelled); ok {
		t.Error("acquire succeeded on a cancelled check")
	}
	if got := len(q.slots); got != 1 || d.given.Load() {
		t.Errorf("%d slots taken (want 1, d's), d given %v", got, d.given.Load())
	}
}
