package core

import (
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/netwatch"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
	"github.com/plextray/plextray/internal/servers"
)

// fakeWatch is a netwatch stand-in the test fires by hand.
type fakeWatch struct {
	c       chan netwatch.Trigger
	mu      sync.Mutex
	checked int
}

func (w *fakeWatch) C() <-chan netwatch.Trigger { return w.c }
func (w *fakeWatch) Checked() {
	w.mu.Lock()
	w.checked++
	w.mu.Unlock()
}

// cancelCounter is the real prober, counting checks that ended
// cancelled (a newer trigger arrived). With hold set, the next check
// waits until it is cancelled (and says on held that it is waiting).
type cancelCounter struct {
	ProberChecker
	mu        sync.Mutex
	cancelled int
	hold      bool
	held      chan struct{}
}

func (c *cancelCounter) Check(ctx context.Context, rs []plextv.Resource, update func(servers.Event)) []servers.Server {
	c.mu.Lock()
	hold := c.hold
	c.hold = false
	c.mu.Unlock()
	if hold {
		close(c.held)
		<-ctx.Done()
	}
	list := c.ProberChecker.Check(ctx, rs, update)
	if ctx.Err() != nil {
		c.mu.Lock()
		c.cancelled++
		c.mu.Unlock()
	}
	return list
}

type watchFixture struct {
	*harness
	w    *fakeWatch
	chk  *cancelCounter
	dir  string
	out  *outside
	pubs struct {
		sync.Mutex
		list []Servers
	}
}

// outside runs functions on a goroutine started outside every bubble.
// The demo PMSs are real HTTP servers: one started (or brought back up)
// from inside a bubble would leave its accept loop in the bubble, which
// keeps it busy for ever, so synthetic time would never move and the
// bubble would never end. do waits (in real time, like a request) until
// f has run.
type outside struct {
	fs   chan func()
	done chan struct{}
}

// newOutside starts the goroutine; call it before bubble.
func newOutside(t *testing.T) *outside {
	o := &outside{fs: make(chan func()), done: make(chan struct{})}
	go func() {
		for f := range o.fs {
			f()
			o.done <- struct{}{}
		}
	}()
	t.Cleanup(func() { close(o.fs) })
	return o
}

func (o *outside) do(f func()) {
	o.fs <- f
	<-o.done
}

// watched runs test in a bubble, against a signed-in core that watches
// the simulator's demo servers (Living Room, Dad's Plex, Cabin) with the
// real prober.
func watched(t *testing.T, test func(t *testing.T, f *watchFixture)) {
	t.Helper()
	out := newOutside(t)
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) { test(t, startWatched(t, sim, out)) })
}

// hangDeadline ends a probe of a PMS that hangs by design (Living Room's
// remote connection), in real time. Inside a bubble the probe's own
// timeout never fires while a goroutine waits on the network (synthetic
// time stands still then), so without it that probe, and the check,
// would wait for ever. A connection's deadline is relative (time.Until)
// and the runtime's poller counts it in real time. Only hanging PMSs
// get one: a reachable server's answer cannot time out however busy the
// machine is.
const hangDeadline = 200 * time.Millisecond

// hangAwareDial dials like the prober's own dialer and gives connections
// to a PMS whose behaviour is Hang a real-time deadline of hangDeadline.
func hangAwareDial(sim *plextvsim.Sim) func(ctx context.Context, network, address string) (net.Conn, error) {
	d := &net.Dialer{KeepAlive: -1}
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, address)
		if err != nil {
			return nil, err
		}
		for _, p := range sim.PMSs() {
			if u, err := url.Parse(p.URL()); err == nil && u.Host == address && p.Behavior().Hang {
				conn.SetDeadline(time.Now().Add(hangDeadline))
			}
		}
		return conn, nil
	}
}

// startWatched starts the core inside the bubble; the demo servers are
// started by out, outside it.
func startWatched(t *testing.T, sim *plextvsim.Sim, out *outside, tweaks ...func(*Config)) *watchFixture {
	t.Helper()
	pool, err := plextvsim.CACertPool()
	if err != nil {
		t.Fatal(err)
	}
	f := &watchFixture{w: &fakeWatch{c: make(chan netwatch.Trigger)}, dir: t.TempDir(), out: out}
	// The prober turns keep-alives off itself (servers.Options.Transport),
	// so no idle connection keeps a goroutine reading inside the bubble.
	f.chk = &cancelCounter{ProberChecker: ProberChecker{servers.New(servers.Options{
		Timeout: 2 * time.Second, RootCAs: pool, DialContext: hangAwareDial(sim),
	})}}
	f.harness = start(t, sim, &keychain.Memory{}, func(c *Config) {
		c.Checker = f.chk
		c.ConfigDir = f.dir
		c.Watch = func(context.Context) Watch { return f.w }
		record := c.OnChange
		c.OnChange = func(s State) {
			f.pubs.Lock()
			f.pubs.list = append(f.pubs.list, s.Servers)
			f.pubs.Unlock()
			record(s)
		}
		for _, tw := range tweaks {
			tw(c)
		}
	})
	out.do(func() { err = sim.AddDemoServers() })
	if err != nil {
		t.Fatal(err)
	}
	f.wait("signed out", phase(SignedOut))
	f.link(f.signIn())
	f.checked("first check", func(s servers.Server) bool { return s.Name == "Living Room" && s.Best != "" })
	return f
}

// setPMS sets the named demo PMS's behaviour, outside the bubble (coming
// back up starts a listener).
func (f *watchFixture) setPMS(name string, b plextvsim.PMSBehavior) {
	f.t.Helper()
	var err error
	f.out.do(func() { err = f.sim.FindPMS(name).SetBehavior(b) })
	if err != nil {
		f.t.Fatal(err)
	}
}

// trigger fires why once synthetic time has moved on, so the check it
// starts ends at a new State.Servers.Checked.
func (f *watchFixture) trigger(why netwatch.Trigger) time.Time {
	time.Sleep(time.Minute) // synthetic: returns once the bubble is idle
	f.w.c <- why
	return time.Now()
}

// checked waits for a finished check (at or after since) in which some
// server satisfies pred, and returns the State.
func (f *watchFixture) checked(desc string, pred func(servers.Server) bool, since ...time.Time) State {
	f.t.Helper()
	return f.settle(desc, func(s State) bool {
		if s.Servers.Checking || s.Servers.Checked.IsZero() || len(since) > 0 && s.Servers.Checked.Before(since[0]) {
			return false
		}
		for i := range s.Servers.List.Len() {
			if pred(s.Servers.List.Server(i)) {
				return true
			}
		}
		return false
	})
}

func (f *watchFixture) serverNotices() []Notice {
	_, notes, _ := f.desk.get()
	var out []Notice
	for _, n := range notes {
		if n.Kind >= NoticeServerOffline {
			out = append(out, n)
		}
	}
	return out
}

func named(name string, up bool) func(servers.Server) bool {
	return func(s servers.Server) bool { return s.Name == name && s.Decided && (s.Best != "") == up }
}

func TestNetworkMoveRechecksAndNotifiesOnce(t *testing.T) {
	watched(t, func(t *testing.T, f *watchFixture) {
		if n := f.serverNotices(); len(n) != 0 {
			t.Fatalf("notified before anything changed: %+v", n)
		}
		// Dad's Plex goes down: the next network change finds out, without
		// a click, and says so once.
		f.setPMS("Dad's Plex", plextvsim.PMSBehavior{Down: true})
		at := f.trigger(netwatch.NetworkChanged)
		st := f.checked("Dad's Plex offline", named("Dad's Plex", false), at)
		if st.Servers.Trigger != netwatch.NetworkChanged {
			t.Fatalf("trigger %v", st.Servers.Trigger)
		}
		f.settle("one notification", func(State) bool { return len(f.serverNotices()) == 1 })
		n := f.serverNotices()[0]
		if n.Kind != NoticeServerOffline || n.Title != "Dad's Plex" || n.FromClass != servers.ClassRelay {
			t.Fatalf("%+v", n)
		}

		// Nothing changed: no notification.
		at = f.trigger(netwatch.Woke)
		f.checked("checked again", named("Dad's Plex", false), at)
		// Back within the gap: shown in the menu, not notified.
		f.setPMS("Dad's Plex", plextvsim.PMSBehavior{})
		at = f.trigger(netwatch.Periodic)
		f.checked("Dad's Plex back", named("Dad's Plex", true), at)
		if n := f.serverNotices(); len(n) != 1 {
			t.Fatalf("notifications: %+v", n)
		}
		// Past the gap, a change is notified again.
		time.Sleep(ServerNotifyGap) // synthetic
		f.setPMS("Dad's Plex", plextvsim.PMSBehavior{Down: true})
		at = f.trigger(netwatch.NetworkChanged)
		f.checked("Dad's Plex offline again", named("Dad's Plex", false), at)
		f.settle("second notification", func(State) bool { return len(f.serverNotices()) == 2 })
		if got := f.serverNotices()[1]; got.Kind != NoticeServerOffline {
			t.Fatalf("%+v", got)
		}
	})
}

func TestClassChangeIsNotified(t *testing.T) {
	watched(t, func(t *testing.T, f *watchFixture) {
		// A network move: plex.tv no longer calls Living Room's fast
		// connection local, so its best is now remote.
		if err := f.sim.SetConnection("Living Room", 0, plextvsim.ConnChange{Local: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		at := f.trigger(netwatch.NetworkChanged)
		f.checked("Living Room remote", func(s servers.Server) bool {
			c, ok := s.BestConnection()
			return s.Name == "Living Room" && ok && servers.ClassOf(c) == servers.ClassRemote
		}, at)
		f.settle("a notification", func(State) bool { return len(f.serverNotices()) == 1 })
		if n := f.serverNotices()[0]; n.Kind != NoticeServerClass || n.FromClass != servers.ClassLocal || n.Class != servers.ClassRemote {
			t.Fatalf("%+v", n)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestNewerTriggerCancelsRunningCheck(t *testing.T) {
	watched(t, func(t *testing.T, f *watchFixture) {
		// The first check holds until something cancels it.
		f.chk.mu.Lock()
		f.chk.hold, f.chk.held = true, make(chan struct{})
		f.chk.mu.Unlock()
		f.w.c <- netwatch.NetworkChanged
		<-f.chk.held
		f.w.c <- netwatch.Woke
		f.settle("first check cancelled", func(State) bool {
			f.chk.mu.Lock()
			defer f.chk.mu.Unlock()
			return f.chk.cancelled >= 1
		})
		st := f.settle("second check done", func(s State) bool { return !s.Servers.Checking && s.Servers.Trigger == netwatch.Woke })
		if st.Servers.List.Len() != 3 || st.Servers.Counts.Reachable != 2 {
			t.Fatalf("after the newer check: %+v", st.Servers.Counts)
		}
		// "Check again" (not a trigger) restarts the watcher's idle timer.
		f.w.mu.Lock()
		before := f.w.checked
		f.w.mu.Unlock()
		f.c.CheckServers()
		f.settle("watcher told", func(State) bool {
			f.w.mu.Lock()
			defer f.w.mu.Unlock()
			return f.w.checked > before
		})
	})
}

// warnTo logs a warning (a message and slog-style key/value pairs) to t.
func warnTo(t *testing.T) func(string, ...any) {
	return func(msg string, args ...any) { t.Log(append([]any{msg}, args...)...) }
}

func TestServerNotificationsToggleIsRemembered(t *testing.T) {
	watched(t, func(t *testing.T, f *watchFixture) {
		if !f.cur().Servers.Notify {
			t.Fatal("notifications are on by default")
		}
		f.c.ToggleServerNotifications()
		f.settle("off", func(s State) bool { return !s.Servers.Notify })
		path := filepath.Join(f.dir, ServerPrefsFile)
		f.settle("saved", func(State) bool { b, _ := os.ReadFile(path); return string(b) == "{\"notify\":false}\n" })
		if !readServerPrefs(t.TempDir(), warnTo(t)) || readServerPrefs(f.dir, warnTo(t)) {
			t.Fatal("read back")
		}
		// Off: a change is shown, not notified.
		f.setPMS("Dad's Plex", plextvsim.PMSBehavior{Down: true})
		at := f.trigger(netwatch.NetworkChanged)
		f.checked("Dad's Plex offline", named("Dad's Plex", false), at)
		if n := f.serverNotices(); len(n) != 0 {
			t.Fatalf("notified while off: %+v", n)
		}
		// A damaged file leaves them on.
		os.WriteFile(path, []byte("{"), 0o600)
		if !readServerPrefs(f.dir, warnTo(t)) {
			t.Fatal("damaged file turned notifications off")
		}
	})
}

func TestCopyServerTokenIsCleared(t *testing.T) {
	watched(t, func(t *testing.T, f *watchFixture) {
		var dad plextvsim.Resource
		for _, r := range f.sim.Resources() {
			if r.Name == "Dad's Plex" {
				dad = r
			}
		}
		f.c.CopyServerToken(dad.ClientIdentifier)
		st := f.settle("copied", func(s State) bool { return s.Notice.Kind == NoticeTokenCopied })
		if st.Notice.What != CopiedServerToken || st.Notice.Wait != defaultClipTTL {
			t.Fatalf("%+v", st.Notice)
		}
		if _, _, clip := f.desk.get(); clip != dad.AccessToken || clip == "" {
			t.Fatalf("clipboard %q, want Dad's Plex's own token", clip)
		}
		f.wait("cleared", notice(NoticeTokenCleared))
		if _, _, clip := f.desk.get(); clip != "" {
			t.Fatalf("clipboard still %q", clip)
		}
		// An unknown server copies nothing.
		seq := f.cur().Notice.Seq
		f.c.CopyServerToken("nope")
		f.c.CheckServers()
		f.settle("next", func(s State) bool { return s.Servers.Checking })
		if f.cur().Notice.Seq != seq {
			t.Fatalf("notice %+v", f.cur().Notice)
		}
	})
}

// Probe events reach the front end as the changed rows only: a published
// State names the servers changed since the State before it, each once
// (events queued together are one State), unless the whole list was
// replaced (a new check's plan, a finished check).
func TestPublishedChangesAreTheChangedServers(t *testing.T) {
	watched(t, func(t *testing.T, f *watchFixture) {
		f.pubs.Lock()
		f.pubs.list = nil
		f.pubs.Unlock()
		at := f.trigger(netwatch.NetworkChanged)
		f.checked("checked", named("Living Room", true), at)
		f.pubs.Lock()
		defer f.pubs.Unlock()
		rows := map[int]bool{}
		for _, p := range f.pubs.list {
			if p.AllChanged {
				continue
			}
			seen := map[int]bool{}
			for _, i := range p.Changed {
				if seen[i] {
					t.Fatalf("row %d named twice in one State: %+v", i, p.Changed)
				}
				seen[i], rows[i] = true, true
			}
		}
		// Probe events (Living Room 3 connections, Dad's 1, Cabin 2)
		// name the servers' rows, never one past the list; those that
		// arrive with the check's end are in its whole-list State.
		if len(rows) == 0 {
			t.Fatal("no State named a changed row")
		}
		for i := range rows {
			if i < 0 || i > 2 {
				t.Fatalf("row %d named; the list has 3", i)
			}
		}
	})
}

// A network change while plex.tv was unreachable asks plex.tv again at
// once, not only when the backoff ends: the new network may reach it.
func TestNetworkChangeVerifiesAnUnverifiedToken(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		kc := &keychain.Memory{}
		kc.Set(context.Background(), storedToken(t, sim))
		sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointUser, Count: 1, Status: 503})
		w := &fakeWatch{c: make(chan netwatch.Trigger)}
		h := start(t, sim, kc, func(c *Config) { c.Watch = func(context.Context) Watch { return w } })
		h.wait("unverified", func(s State) bool { return s.Phase == SignedIn && s.Unverified && s.Notice.Kind == NoticeUnreachable })
		moved := time.Now() // synthetic time
		w.c <- netwatch.NetworkChanged
		h.wait("verified", func(s State) bool { return s.Phase == SignedIn && !s.Unverified && s.Username != "" })
		if waited := time.Since(moved); waited >= firstRecheck {
			t.Fatalf("verified %s after the network change: the backoff (%s) ran out first", waited, firstRecheck)
		}
	})
}

// The watcher runs exactly while signed in: not while signed out (an
// idle tray must not wake for nothing), started once on sign-in — a check
// for another reason ("Check again") only tells it to restart its idle
// timer — and stopped on sign-out (its context ends), started afresh on
// the next sign-in.
func TestWatcherRunsOnlyWhileSignedIn(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		w := &fakeWatch{c: make(chan netwatch.Trigger)}
		var mu sync.Mutex
		var ctxs []context.Context
		started := func() []context.Context {
			mu.Lock()
			defer mu.Unlock()
			return slices.Clone(ctxs)
		}
		h := start(t, sim, &keychain.Memory{}, func(c *Config) {
			c.Checker = ProberChecker{servers.New(servers.Options{Timeout: time.Second})}
			c.Watch = func(ctx context.Context) Watch {
				mu.Lock()
				ctxs = append(ctxs, ctx)
				mu.Unlock()
				return w
			}
		})
		h.wait("signed out", phase(SignedOut))
		synctest.Wait()
		if n := len(started()); n != 0 {
			t.Fatalf("watcher started %d times while signed out", n)
		}
		h.link(h.signIn())
		h.wait("first check", func(s State) bool { return !s.Servers.Checking && !s.Servers.Checked.IsZero() })
		h.c.CheckServers()
		h.wait("check again reported", func(s State) bool {
			w.mu.Lock()
			defer w.mu.Unlock()
			return !s.Servers.Checking && w.checked >= 1
		})
		if n := len(started()); n != 1 {
			t.Fatalf("Config.Watch called %d times while signed in, want once", n)
		}
		h.c.SignOut()
		h.wait("signed out again", phase(SignedOut))
		if ctx := started()[0]; ctx.Err() == nil {
			t.Fatal("the watcher's context still runs after sign-out")
		}
		h.link(h.signIn())
		h.wait("signed in again", phase(SignedIn))
		if c := started(); len(c) != 2 || c[1].Err() != nil {
			t.Fatalf("after signing in again: %d watchers started, want a second one running", len(c))
		}
	})
}

// Health tells the truth: a server plex.tv reports online that nothing
// reaches from here, and plex.tv failing mid-session (the list then
// stays the last good check's, with its time), each change it; all good
// again once both are fixed. Servers plex.tv reports offline (Cabin)
// never do.
func TestHealthFollowsTheServersAndPlexTV(t *testing.T) {
	watched(t, func(t *testing.T, f *watchFixture) {
		if h := f.cur().Health(); h != HealthGood {
			t.Fatalf("first check: health %v; want good (Cabin is offline at plex.tv)", h)
		}
		f.setPMS("Dad's Plex", plextvsim.PMSBehavior{Down: true})
		at := f.trigger(netwatch.NetworkChanged)
		st := f.checked("Dad's Plex unreachable", named("Dad's Plex", false), at)
		if h := st.Health(); h != HealthSomeUnreachable || st.Servers.LastCounts.Unreachable != 1 {
			t.Fatalf("health %v, counts %+v; want one online server unreachable", h, st.Servers.LastCounts)
		}
		f.settle("a notification", func(State) bool { return len(f.serverNotices()) == 1 })
		if n := f.serverNotices()[0]; n.Server == nil || n.Server.Outcome().Verdict != servers.ServerUnreachable {
			t.Fatalf("the notice does not say how the menu words it: %+v", n)
		}

		// plex.tv fails mid-session: the list and its time stay the last
		// good check's.
		good := st.Servers.Checked
		if err := f.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointResources, Status: 503}); err != nil {
			t.Fatal(err)
		}
		f.trigger(netwatch.Periodic)
		st = f.settle("plex.tv failing", func(s State) bool { return !s.Servers.Checking && s.Servers.Err != nil })
		if h := st.Health(); h != HealthPlexTV || !st.Servers.Checked.Equal(good) || st.Servers.List.Len() != 3 {
			t.Fatalf("health %v, checked %v (want %v), %d servers", h, st.Servers.Checked, good, st.Servers.List.Len())
		}
		// Another try that fails the same way does not clear it meanwhile:
		// no State published while it runs says all is well.
		f.pubs.Lock()
		from := len(f.pubs.list)
		f.pubs.Unlock()
		f.c.CheckServers()
		f.settle("tried again", func(s State) bool {
			f.pubs.Lock()
			defer f.pubs.Unlock()
			return len(f.pubs.list) > from+1 && !s.Servers.Checking && s.Servers.Err != nil
		})
		f.pubs.Lock()
		for _, sv := range f.pubs.list[from:] {
			if sv.Err == nil {
				f.pubs.Unlock()
				t.Fatalf("a State while trying again forgot that plex.tv fails: %+v", sv)
			}
		}
		f.pubs.Unlock()

		f.sim.ClearFaults()
		f.setPMS("Dad's Plex", plextvsim.PMSBehavior{})
		at = f.trigger(netwatch.NetworkChanged)
		st = f.checked("all back", named("Dad's Plex", true), at)
		if h := st.Health(); h != HealthGood || st.Servers.Err != nil {
			t.Fatalf("health %v, err %v; want good again", h, st.Servers.Err)
		}
	})
}
