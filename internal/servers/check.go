package servers

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/plextray/plextray/internal/plextv"
)

// EventKind says what an Event reports.
type EventKind int

const (
	// ConnectionChecked: one connection reached its final state (Skipped
	// ones are reported first, at the start). Exactly one per connection.
	ConnectionChecked EventKind = iota + 1
	// BestDecided: the server's Best can no longer change (it may be ""
	// when nothing is reachable). Exactly one per server.
	BestDecided
	// ServerChecked: every connection of the server has its final state.
	// Exactly one per server, never before its BestDecided.
	ServerChecked
)

func (k EventKind) String() string {
	switch k {
	case ConnectionChecked:
		return "connection checked"
	case BestDecided:
		return "best decided"
	case ServerChecked:
		return "server checked"
	}
	return "unknown event"
}

// Event is one step of a check.
type Event struct {
	Kind    EventKind
	Index   int    // the server's index in Plan's (and the result's) order
	Conn    int    // the connection's index for ConnectionChecked, else -1
	Server  Server // a snapshot of the server after this step
	Elapsed time.Duration
}

// Check probes every connection of every server among resources and
// returns when each has a final state (or, after ctx is cancelled, as
// soon as the probes have stopped: unfinished ones are Cancelled). No
// goroutine or socket of the check is left when it returns.
func (p *Prober) Check(ctx context.Context, resources []plextv.Resource) []Server {
	return p.Stream(ctx, resources, nil)
}

// Stream is Check with progress: fn (if non-nil) is called for each
// Event, in order, from one goroutine; it should return quickly (hand the
// event to the UI, don't do I/O).
func (p *Prober) Stream(ctx context.Context, resources []plextv.Resource, fn func(Event)) []Server {
	r := newRun(p, ctx, Plan(resources), fn)
	return r.run()
}

// job is one probe: server si, connection ci.
type job struct {
	si, ci  int
	uri, id string
}

// msg is a worker's report: a probe started, or ended.
type msg struct {
	job
	start time.Time // started (and, for a result, when it started)
	done  bool
	out   outcome
	end   time.Time
}

// run is one check. Only the coordinator goroutine (run.run) touches
// servers, started, recheck, doneSent and events; workers talk to it
// through results.
type run struct {
	p        *Prober
	ctx      context.Context
	fn       func(Event)
	begin    time.Time
	servers  []Server
	started  [][]time.Time
	recheck  []time.Time
	pending  int // probes not yet ended
	doneSent []bool
	events   []Event
	sockets  sockets

	// mu orders probe ends against decisions: a worker takes a probe's
	// end time and queues its result while holding mu, and settle drains
	// the queue and reads the clock while holding mu. So when settle
	// decides at time now, every probe that ended before now is applied,
	// and every probe still pending will end after now (see decide).
	mu      sync.Mutex
	results chan msg
}

func newRun(p *Prober, ctx context.Context, servers []Server, fn func(Event)) *run {
	r := &run{p: p, ctx: ctx, fn: fn, begin: time.Now(), servers: servers}
	r.started = make([][]time.Time, len(servers))
	r.recheck = make([]time.Time, len(servers))
	r.doneSent = make([]bool, len(servers))
	for si := range servers {
		r.started[si] = make([]time.Time, len(servers[si].Connections))
	}
	return r
}

func (r *run) run() []Server {
	var jobs []job
	for si := range r.servers {
		for ci, c := range r.servers[si].Connections {
			if c.State == Pending {
				jobs = append(jobs, job{si: si, ci: ci, uri: c.URI, id: r.servers[si].ClientIdentifier})
			} else {
				r.emit(ConnectionChecked, si, ci)
			}
		}
	}
	// Better classes first: they decide servers soonest.
	slices.SortStableFunc(jobs, func(a, b job) int {
		return cmp.Compare(class(r.servers[a.si].Connections[a.ci]), class(r.servers[b.si].Connections[b.ci]))
	})
	r.pending = len(jobs)
	r.results = make(chan msg, 2*len(jobs)) // workers never block on it
	queue := make(chan job, len(jobs))
	for _, j := range jobs {
		queue <- j
	}
	close(queue)

	r.settle(time.Now()) // servers with nothing to probe are decided now
	r.flush()
	var wg sync.WaitGroup
	for range min(r.p.concurrency, len(jobs)) {
		wg.Go(func() { r.work(queue) })
	}
	r.loop()
	wg.Wait()
	r.p.transport.CloseIdleConnections()
	r.sockets.wait()
	return r.servers
}

// work runs probes from queue until it is empty.
func (r *run) work(queue <-chan job) {
	for j := range queue {
		if r.ctx.Err() != nil {
			r.finish(msg{job: j, done: true, out: outcome{state: Cancelled, detail: "check cancelled"}})
			continue
		}
		start := time.Now()
		r.results <- msg{job: j, start: start}
		out := r.p.probe(r.ctx, &r.sockets, j.uri, j.id)
		r.finish(msg{job: j, start: start, done: true, out: out})
	}
}

func (r *run) finish(m msg) {
	r.mu.Lock()
	m.end = time.Now()
	r.results <- m
	r.mu.Unlock()
}

// loop applies results until every probe has ended, waking for rechecks.
// (Since Go 1.23 Reset and Stop leave no stale tick in timer.C.)
func (r *run) loop() {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for r.pending > 0 {
		var wake <-chan time.Time
		if next := r.nextRecheck(); !next.IsZero() {
			timer.Reset(time.Until(next))
			wake = timer.C
		}
		select {
		case m := <-r.results:
			r.mu.Lock()
			r.apply(m)
			r.drain()
			now := time.Now()
			r.mu.Unlock()
			r.settle(now)
		case <-wake:
			r.mu.Lock()
			r.drain()
			now := time.Now()
			r.mu.Unlock()
			r.settle(now)
		}
		timer.Stop()
		r.flush()
	}
}

func (r *run) nextRecheck() time.Time {
	var next time.Time
	for _, t := range r.recheck {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	return next
}

func (r *run) drain() {
	for {
		select {
		case m := <-r.results:
			r.apply(m)
		default:
			return
		}
	}
}

// apply records one worker message.
func (r *run) apply(m msg) {
	if !m.done {
		r.started[m.si][m.ci] = m.start
		return
	}
	r.pending--
	c := &r.servers[m.si].Connections[m.ci]
	c.State, c.StatusCode, c.Detail = m.out.state, m.out.status, m.out.detail
	if c.State.answered() {
		c.Latency = m.end.Sub(m.start)
	}
	r.emit(ConnectionChecked, m.si, m.ci)
}

// settle decides every undecided server that can be, and emits
// ServerChecked for servers that just finished.
func (r *run) settle(now time.Time) {
	for si := range r.servers {
		s := &r.servers[si]
		if s.Decided {
			continue
		}
		best, final, recheck := decide(s.Connections, r.started[si], now)
		r.recheck[si] = recheck
		if !final {
			continue
		}
		r.recheck[si] = time.Time{}
		s.Decided, s.DecidedAt, s.DecidedAfter = true, now, now.Sub(r.begin)
		s.BestIndex = best
		if best >= 0 {
			s.Best = s.Connections[best].URI
		}
		r.emit(BestDecided, si, -1)
	}
	for si := range r.servers {
		if !r.doneSent[si] && r.servers[si].Decided && r.servers[si].Done() {
			r.doneSent[si] = true
			r.emit(ServerChecked, si, -1)
		}
	}
}

// emit queues an event with a snapshot of server si.
func (r *run) emit(k EventKind, si, ci int) {
	if r.fn == nil {
		return
	}
	r.events = append(r.events, Event{
		Kind:    k,
		Index:   si,
		Conn:    ci,
		Server:  r.servers[si].clone(),
		Elapsed: time.Since(r.begin),
	})
}

// flush hands queued events to fn.
func (r *run) flush() {
	for _, e := range r.events {
		r.fn(e)
	}
	clear(r.events)
	r.events = r.events[:0]
}
