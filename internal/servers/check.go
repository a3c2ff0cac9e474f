package servers

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
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
	// URIDecided: the server's URI (the one to hand out, see uri.go) can
	// no longer change. Exactly one per server, after its BestDecided
	// (at once when Best is usable here) and never after its
	// ServerChecked.
	URIDecided
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
	case URIDecided:
		return "URI decided"
	case ServerChecked:
		return "server checked"
	}
	return "unknown event"
}

// Event is one step of a check. It names what changed (Index, Conn) and
// carries a snapshot of that one server, so a consumer applies it in time
// proportional to that server's connections, never to the whole list (see
// Table).
type Event struct {
	Kind    EventKind
	Index   int    // the server's index in Plan's (and the result's) order
	ID      string // the server's clientIdentifier
	Conn    int    // the connection's index for ConnectionChecked, else -1
	Server  Server // a snapshot of the server after this step (owned by the receiver)
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
	si, ci           int
	uri, id, address string
}

// msg is a worker's report: a probe started, or ended; or (dnsHost set)
// the DNS check of a plex.direct name ended.
type msg struct {
	job
	start time.Time // started (and, for a result, when it started)
	done  bool
	out   outcome
	end   time.Time

	dnsHost string
	dns     DNSStatus
}

// run is one check. Only the coordinator goroutine (run.loop) touches
// servers, started, recheck, touched, doneSent and events; probes talk to
// it through results. Each step costs time in proportion to the servers
// it touched, not to the whole list.
type run struct {
	p        *Prober
	ctx      context.Context
	fn       func(Event)
	begin    time.Time
	servers  []Server
	started  [][]time.Time
	recheck  []time.Time
	wakeups  recheckHeap
	touched  []int
	isDirty  []bool
	pending  int // probes and DNS checks not yet ended
	doneSent []bool
	uriSent  []bool
	// dnsConns lists, per plex.direct name being checked, the connections
	// that use it; dnsWait counts per server the names not yet checked.
	dnsConns map[string][][2]int
	dnsWait  []int
	events   []Event
	sockets  sockets

	// mu orders probe ends against decisions: a probe takes its end time
	// and queues its result while holding mu, and the loop drains the
	// queue and reads the clock while holding mu. So when settle decides
	// at time now, every probe that ended before now is applied, and
	// every probe still pending will end after now (see decide).
	mu      sync.Mutex
	results chan msg
}

func newRun(p *Prober, ctx context.Context, servers []Server, fn func(Event)) *run {
	r := &run{p: p, ctx: ctx, fn: fn, begin: time.Now(), servers: servers}
	r.started = make([][]time.Time, len(servers))
	r.recheck = make([]time.Time, len(servers))
	r.doneSent = make([]bool, len(servers))
	r.uriSent = make([]bool, len(servers))
	r.dnsWait = make([]int, len(servers))
	r.isDirty = make([]bool, len(servers))
	for si := range servers {
		r.started[si] = make([]time.Time, len(servers[si].Connections))
	}
	return r
}

func (r *run) run() []Server {
	if r.p.checkTimeout > 0 {
		var cancel context.CancelFunc
		r.ctx, cancel = context.WithTimeoutCause(r.ctx, r.p.checkTimeout, errCheckDeadline)
		defer cancel()
	}
	var jobs []job
	for si := range r.servers {
		r.touch(si)
		for ci, c := range r.servers[si].Connections {
			if c.State == Pending {
				jobs = append(jobs, job{si: si, ci: ci, uri: c.URI, id: r.servers[si].ClientIdentifier, address: c.Address})
			} else {
				r.emit(ConnectionChecked, si, ci)
			}
		}
	}
	// Better classes first: they decide servers soonest.
	slices.SortStableFunc(jobs, func(a, b job) int {
		return cmp.Compare(class(r.servers[a.si].Connections[a.ci]), class(r.servers[b.si].Connections[b.ci]))
	})
	r.planDNS(jobs)
	r.pending = len(jobs) + len(r.dnsConns)
	r.results = make(chan msg, 2*len(jobs)+len(r.dnsConns)) // senders never block on it

	r.settle(time.Now()) // servers with nothing to probe are decided now
	r.flush()
	var wg sync.WaitGroup
	if len(jobs) > 0 {
		wg.Go(func() { r.dispatch(jobs, &wg) })
	}
	if len(r.dnsConns) > 0 {
		wg.Go(func() { r.checkDNS(&wg) })
	}
	r.loop()
	wg.Wait()
	r.p.transport.CloseIdleConnections()
	r.sockets.wait()
	return r.servers
}

// dispatch starts every probe. A probe holds one of Concurrency slots
// until it ends or Grace has passed, whichever is first, and one of
// MaxOpen places until it ends. So a hung connection slows the start of
// the next probes by at most Grace, while MaxOpen still bounds the sockets
// open at once.
//
// Each probe runs on a goroutine of its own while it runs; a goroutine
// whose probe has ended offers to run the next one (idle), and a new one
// is started only when none is free. Most probes of a large check end in
// microseconds (refused), so a few goroutines run thousands of probes
// instead of one goroutine, and one stack grown for the dial, per probe.
// The idle ones end with dispatch.
func (r *run) dispatch(jobs []job, wg *sync.WaitGroup) {
	slots := newSlotQueue(r.p.concurrency, r.p.grace)
	defer slots.stop()
	open := make(chan struct{}, max(r.p.maxOpen, r.p.concurrency))
	idle := make(chan probeJob)
	defer close(idle)
	for _, j := range jobs {
		slot, ok := slots.acquire(r.ctx)
		if !ok {
			r.finish(msg{job: j, done: true, out: stopped(r.ctx)})
			continue
		}
		if !acquire(r.ctx, open) {
			slot.release()
			r.finish(msg{job: j, done: true, out: stopped(r.ctx)})
			continue
		}
		pj := probeJob{j, slot}
		select {
		case idle <- pj:
		default:
			wg.Go(func() {
				for pj, ok := pj, true; ok; pj, ok = <-idle {
					r.runProbe(pj, open)
				}
			})
		}
	}
}

// probeJob is a job that holds a concurrency slot.
type probeJob struct {
	job
	slot *slotHold
}

// runProbe runs pj, which holds a place in open: it gives its slot back
// at its end (unless the dispatcher took it back after Grace) and the
// place at its end.
func (r *run) runProbe(pj probeJob, open chan struct{}) {
	start := time.Now()
	r.results <- msg{job: pj.job, start: start}
	out := r.p.probe(r.ctx, &r.sockets, pj.uri, pj.id, pj.address)
	pj.slot.release()
	<-open
	r.finish(msg{job: pj.job, start: start, done: true, out: out})
}

// slotQueue hands out the Concurrency slots. A probe holds its slot until
// it ends or Grace has passed; rather than a timer per probe, the queue
// takes back the slot of a probe past its Grace itself, when it needs one
// (probes start in order, so the oldest hold is the first past Grace).
type slotQueue struct {
	slots chan struct{}
	held  []*slotHold // in start order, so in deadline order
	grace time.Duration
	timer *time.Timer
}

// slotHold is one probe's slot, given back once: at the probe's end or
// when its Grace has passed, whichever comes first.
type slotHold struct {
	deadline time.Time
	given    atomic.Bool
	slots    chan struct{}
}

func (h *slotHold) release() {
	if h.given.CompareAndSwap(false, true) {
		<-h.slots
	}
}

func newSlotQueue(n int, grace time.Duration) *slotQueue {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &slotQueue{slots: make(chan struct{}, n), grace: grace, timer: t}
}

func (q *slotQueue) stop() { q.timer.Stop() }

// acquire takes a slot unless ctx ends first, taking back slots held past
// their Grace while it waits.
func (q *slotQueue) acquire(ctx context.Context) (*slotHold, bool) {
	if ctx.Err() != nil {
		return nil, false
	}
	for {
		for len(q.held) > 0 && q.held[0].given.Load() {
			q.held[0] = nil
			q.held = q.held[1:]
		}
		select {
		case q.slots <- struct{}{}:
			return q.hold(), true
		default:
		}
		var wake <-chan time.Time
		if len(q.held) > 0 {
			q.timer.Reset(time.Until(q.held[0].deadline))
			wake = q.timer.C
		}
		select {
		case q.slots <- struct{}{}:
			q.timer.Stop()
			return q.hold(), true
		case <-wake:
			q.held[0].release()
		case <-ctx.Done():
			q.timer.Stop()
			return nil, false
		}
	}
}

// hold records a slot just taken.
func (q *slotQueue) hold() *slotHold {
	h := &slotHold{deadline: time.Now().Add(q.grace), slots: q.slots}
	q.held = append(q.held, h)
	return h
}

// acquire takes a place in sem unless ctx ends first.
func acquire(ctx context.Context, sem chan struct{}) bool {
	if ctx.Err() != nil {
		return false
	}
	select {
	case sem <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// stopped is the outcome of a probe that never started because the check
// ended: its overall deadline, or the caller's cancellation.
func stopped(ctx context.Context) outcome {
	if errors.Is(context.Cause(ctx), errCheckDeadline) {
		return outcome{state: TimedOut, reason: ReasonCheckDeadline}
	}
	return outcome{state: Cancelled, reason: ReasonCancelled}
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
		if next, ok := r.wakeups.next(r.recheck); ok {
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
			r.due(now)
			r.settle(now)
		case <-wake:
			r.mu.Lock()
			r.drain()
			now := time.Now()
			r.mu.Unlock()
			r.due(now)
			r.settle(now)
		}
		timer.Stop()
		r.flush()
	}
}

// due touches every server whose recheck time has come.
func (r *run) due(now time.Time) {
	for {
		si, ok := r.wakeups.popDue(r.recheck, now)
		if !ok {
			return
		}
		r.touch(si)
	}
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

func (r *run) touch(si int) {
	if !r.isDirty[si] {
		r.isDirty[si] = true
		r.touched = append(r.touched, si)
	}
}

// apply records one probe message.
func (r *run) apply(m msg) {
	if m.dnsHost != "" {
		r.applyDNS(m)
		return
	}
	r.touch(m.si)
	if !m.done {
		r.started[m.si][m.ci] = m.start
		return
	}
	r.pending--
	c := &r.servers[m.si].Connections[m.ci]
	c.State, c.StatusCode = m.out.state, m.out.status
	c.Reason, c.Err, c.Found = m.out.reason, m.out.err, m.out.found
	// The run's DNS check may have answered first: a probe that ended
	// without a DNS answer of its own does not erase that one.
	if m.out.dns != DNSNotChecked {
		c.DNS = m.out.dns
	}
	c.ViaAddress = m.out.viaAddress
	if c.State.answered() {
		c.Latency = m.end.Sub(m.start)
	}
	r.emit(ConnectionChecked, m.si, m.ci)
}

// settle decides every touched server that can be decided, and emits
// ServerChecked for touched servers that just finished.
func (r *run) settle(now time.Time) {
	for _, si := range r.touched {
		s := &r.servers[si]
		if s.Decided {
			r.settleURI(si, chooseURI(s, r.dnsWait[si] > 0))
			continue
		}
		best, final, recheck := decide(s.Connections, r.started[si], now)
		r.recheck[si] = recheck
		if !final {
			if !recheck.IsZero() {
				r.wakeups.push(si, recheck)
			}
			continue
		}
		r.recheck[si] = time.Time{}
		s.Decided, s.DecidedAt, s.DecidedAfter = true, now, now.Sub(r.begin)
		s.BestIndex = best
		if best >= 0 {
			s.Best = s.Connections[best].URI
		}
		uriFinal := chooseURI(s, r.dnsWait[si] > 0)
		r.emit(BestDecided, si, -1)
		r.settleURI(si, uriFinal)
	}
	for _, si := range r.touched {
		r.isDirty[si] = false
		if s := &r.servers[si]; !r.doneSent[si] && s.Decided && s.Done() && r.dnsWait[si] == 0 {
			// The URI may use connections that ended after the decision
			// (another usable one); every answer is in now.
			r.settleURI(si, chooseURI(s, false))
			r.doneSent[si] = true
			r.emit(ServerChecked, si, -1)
		}
	}
	r.touched = r.touched[:0]
}

// settleURI emits URIDecided for server si once its URI is final.
func (r *run) settleURI(si int, final bool) {
	if final && !r.uriSent[si] {
		r.uriSent[si] = true
		r.emit(URIDecided, si, -1)
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
		ID:      r.servers[si].ClientIdentifier,
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

// recheckHeap orders servers by recheck time. Entries whose time no longer
// equals the server's current recheck are stale and skipped.
type recheckHeap []recheckAt

type recheckAt struct {
	at time.Time
	si int
}

func (h *recheckHeap) push(si int, at time.Time) {
	*h = append(*h, recheckAt{at, si})
	// sift up
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s[i].at.Before(s[p].at) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *recheckHeap) pop() recheckAt {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < len(s) && s[l].at.Before(s[m].at) {
			m = l
		}
		if l+1 < len(s) && s[l+1].at.Before(s[m].at) {
			m = l + 1
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// dropStale removes stale entries from the top.
func (h *recheckHeap) dropStale(current []time.Time) {
	for len(*h) > 0 {
		top := (*h)[0]
		if current[top.si].Equal(top.at) {
			return
		}
		h.pop()
	}
}

// next is the earliest live recheck time.
func (h *recheckHeap) next(current []time.Time) (time.Time, bool) {
	h.dropStale(current)
	if len(*h) == 0 {
		return time.Time{}, false
	}
	return (*h)[0].at, true
}

// popDue removes and returns a live entry due at now.
func (h *recheckHeap) popDue(current []time.Time, now time.Time) (int, bool) {
	h.dropStale(current)
	if len(*h) == 0 || (*h)[0].at.After(now) {
		return 0, false
	}
	e := h.pop()
	current[e.si] = time.Time{}
	return e.si, true
}
