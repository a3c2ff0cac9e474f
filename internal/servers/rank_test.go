package servers

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func mk(local, relay bool, proto string) Connection {
	return Connection{Local: local, Relay: relay, Protocol: proto}
}

func TestClassOrder(t *testing.T) {
	order := []Connection{
		mk(true, false, "https"),
		mk(true, false, "http"),
		mk(false, false, "https"),
		mk(false, false, "http"),
		mk(false, true, "https"),
		mk(false, true, "http"),
	}
	for i, c := range order {
		if class(c) != i {
			t.Errorf("%+v: class %d, want %d", c, class(c), i)
		}
	}
	// A relay flagged local is still a relay.
	if class(mk(true, true, "https")) != 4 {
		t.Error("local relay not ranked as relay")
	}
}

func reach(c Connection, lat time.Duration) Connection {
	c.State, c.Latency = Reachable, lat
	return c
}

func failed(c Connection) Connection { c.State = Refused; return c }

func TestPickBest(t *testing.T) {
	ms := time.Millisecond
	lh, lp := mk(true, false, "https"), mk(true, false, "http")
	rh, ry := mk(false, false, "https"), mk(false, true, "https")
	tests := []struct {
		name  string
		conns []Connection
		want  int
	}{
		{"none", nil, -1},
		{"nothing reachable", []Connection{failed(lh), failed(rh)}, -1},
		{"local beats faster remote", []Connection{reach(rh, 1*ms), reach(lh, 50*ms)}, 1},
		{"remote beats faster relay", []Connection{reach(ry, 1*ms), reach(rh, 90*ms)}, 1},
		{"https beats faster http", []Connection{reach(lp, 1*ms), reach(lh, 9*ms)}, 1},
		{"same class: lower latency", []Connection{reach(lh, 9*ms), reach(lh, 3*ms)}, 1},
		{"tie: earlier", []Connection{reach(lh, 3*ms), reach(lh, 3*ms)}, 0},
		{"wrong server never best", []Connection{{Local: true, Protocol: "https", State: WrongServer, Latency: ms}, reach(ry, 80*ms)}, 1},
	}
	for _, tt := range tests {
		if got := pickBest(tt.conns); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestDecide(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	ms := time.Millisecond
	lh, rh, ry := mk(true, false, "https"), mk(false, false, "https"), mk(false, true, "https")
	pend := func(c Connection) Connection { c.State = Pending; return c }
	tests := []struct {
		name    string
		conns   []Connection
		started []time.Time
		now     time.Time
		best    int
		final   bool
		recheck time.Time
	}{
		{"all pending", []Connection{pend(lh), pend(rh)}, []time.Time{at(0), at(0)}, at(5), -1, false, time.Time{}},
		{"all failed", []Connection{failed(lh), failed(rh)}, []time.Time{at(0), at(0)}, at(5), -1, true, time.Time{}},
		{"local answered, remote hangs", []Connection{pend(rh), reach(lh, 4*ms)}, []time.Time{at(0), at(0)}, at(4), 1, true, time.Time{}},
		{"remote answered, local pending", []Connection{reach(rh, 4*ms), pend(lh)}, []time.Time{at(0), at(0)}, at(4), 0, false, time.Time{}},
		{"relay answered, remote not started", []Connection{reach(ry, 4*ms), pend(rh)}, []time.Time{at(0), {}}, at(4), 0, false, time.Time{}},
		{"same class rival started later: recheck", []Connection{reach(lh, 4*ms), pend(lh)}, []time.Time{at(0), at(2)}, at(4), 0, false, at(6)},
		{"same class rival ran long enough", []Connection{reach(lh, 4*ms), pend(lh)}, []time.Time{at(0), at(2)}, at(6), 0, true, time.Time{}},
		{"same class rival not started", []Connection{reach(lh, 4*ms), pend(lh)}, []time.Time{at(0), {}}, at(4), 0, false, time.Time{}},
		{"same class rival started together", []Connection{pend(lh), reach(lh, 4*ms)}, []time.Time{at(0), at(0)}, at(4), 1, true, time.Time{}},
		{"two rivals: recheck at the later", []Connection{reach(rh, 4*ms), pend(rh), pend(rh), pend(ry)}, []time.Time{at(0), at(1), at(3), {}}, at(4), 0, false, at(7)},
		{"skipped better class is no obstacle", []Connection{{Local: true, Protocol: "https", State: Skipped}, reach(rh, 4*ms), pend(ry)}, []time.Time{{}, at(0), at(0)}, at(4), 1, true, time.Time{}},
	}
	for _, tt := range tests {
		best, final, recheck := decide(tt.conns, tt.started, tt.now)
		if best != tt.best || final != tt.final || !recheck.Equal(tt.recheck) {
			t.Errorf("%s: best %d final %v recheck %v, want %d %v %v", tt.name, best, final, recheck.Sub(t0), tt.best, tt.final, tt.recheck.Sub(t0))
		}
	}
}

// TestDecideNeverChangesItsMind simulates many random checks (random
// classes, start times, answers and failures) on a virtual clock, calling
// decide the way run does: after applying every event up to now, and at
// each recheck. Once decide says final, the best must equal the best at
// the very end; and the decision must come no later than the end.
func TestDecideNeverChangesItsMind(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Unix(0, 0)
	kinds := []Connection{mk(true, false, "https"), mk(true, false, "http"), mk(false, false, "https"), mk(false, false, "http"), mk(false, true, "https")}
	for trial := range 5000 {
		n := 1 + rng.IntN(6)
		type plan struct {
			start, end int
			ok         bool
		}
		plans := make([]plan, n)
		conns := make([]Connection, n)
		for i := range n {
			conns[i] = kinds[rng.IntN(len(kinds))]
			s := 0
			if rng.IntN(3) == 0 {
				s = rng.IntN(20) // queued behind others
			}
			plans[i] = plan{start: s, end: s + 1 + rng.IntN(30), ok: rng.IntN(2) == 0}
		}
		started := make([]time.Time, n)
		var times []int
		for _, p := range plans {
			times = append(times, p.start, p.end)
		}
		slices.Sort(times)
		times = slices.Compact(times)

		decidedBest, decidedAt := -2, -1
		apply := func(now int) {
			for i, p := range plans {
				if p.start <= now && started[i].IsZero() {
					started[i] = t0.Add(time.Duration(p.start))
				}
				if p.end <= now && conns[i].State == Pending {
					if p.ok {
						conns[i] = reach(conns[i], time.Duration(p.end-p.start))
					} else {
						conns[i] = failed(conns[i])
					}
				}
			}
		}
		for k := 0; k < len(times); k++ {
			now := times[k]
			apply(now)
			best, final, recheck := decide(conns, started, t0.Add(time.Duration(now)))
			if final {
				decidedBest, decidedAt = best, now
				break
			}
			if !recheck.IsZero() {
				r := int(recheck.Sub(t0))
				if r <= now {
					t.Fatalf("trial %d: recheck %d not after now %d", trial, r, now)
				}
				if !slices.Contains(times, r) {
					times = append(times, r)
					slices.Sort(times)
				}
			}
		}
		if decidedAt < 0 {
			t.Fatalf("trial %d: never decided", trial)
		}
		apply(1 << 30)
		if want := pickBest(conns); decidedBest != want {
			t.Fatalf("trial %d: decided %d at %d, but the best at the end is %d\nplans %+v\nconns %+v", trial, decidedBest, decidedAt, want, plans, conns)
		}
	}
}
