package servers

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/plextv"
)

func TestSelect(t *testing.T) {
	list := Plan([]plextv.Resource{
		server("Living Room", idA, true),
		server("Dad's Plex", idB, false),
		server("living room", "cccccccccccccccccccccccccccccccccccccccc", false),
		server("Cabin", "dddddddddddddddddddddddddddddddddddddddd", true),
	})
	for _, tc := range []struct {
		q    string
		want int
		how  Selection
	}{
		{"", 0, SelectedFirstOwned},
		{"dad's plex", 1, SelectedByName},
		{"  CABIN ", 3, SelectedByName},
		{idB, 1, SelectedByID},
		{strings.ToUpper(idB), 1, SelectedByID},
	} {
		i, how, err := Select(list, tc.q)
		if err != nil || i != tc.want || how != tc.how {
			t.Errorf("Select(%q) = %d %v %v, want %d %v", tc.q, i, how, err, tc.want, tc.how)
		}
	}
	var amb *AmbiguousError
	if _, _, err := Select(list, "LIVING ROOM"); !errors.As(err, &amb) || len(amb.Matches) != 2 ||
		!strings.Contains(err.Error(), idA) {
		t.Errorf("ambiguous: %v", err)
	}
	var unk *UnknownServerError
	if _, _, err := Select(list, "Attic"); !errors.As(err, &unk) || unk.Query != "Attic" {
		t.Errorf("unknown: %v", err)
	}
	if i, how, err := Select(list[1:2], ""); i != 0 || how != SelectedOnly || err != nil {
		t.Errorf("only: %d %v %v", i, how, err)
	}
	if _, _, err := Select(list[1:3], ""); !errors.As(err, &amb) {
		t.Errorf("no owned server, no query: %v", err)
	}
	if _, _, err := Select(nil, "x"); !errors.Is(err, ErrNoServers) {
		t.Errorf("no servers: %v", err)
	}
}

// Best returns at the decision: the fast local https wins while a remote
// hangs, a local answers only after a minute and the relay refuses; the
// hung and slow probes are cancelled, and nothing is left behind.
func TestBestDoesNotWaitForHungConnections(t *testing.T) {
	fast, _ := newPMS(t, idA, true)
	hung, _ := newHang(t, true, 0)
	slow, _ := newSlowPMS(t, idA, true, time.Minute)
	refused := "https://" + closedPort(t)
	p := newProber(t, Options{Timeout: time.Minute, RootCAs: pool(fast, hung, slow)})
	before := settleGoroutines(1 << 30)
	rs := []plextv.Resource{
		server("Other", idB, false),
		server("Living Room", idA, true,
			conn(hung.URL, false, false),
			conn(slow.URL, true, false),
			conn(fast.URL, true, false),
			conn(refused, false, true)),
	}
	got, err := p.Best(context.Background(), rs, "living room")
	if err != nil {
		t.Fatal(err)
	}
	if got.URI != fast.URL || got.Class != ClassLocal || got.Latency <= 0 || got.Index != 1 || got.Selected != SelectedByName ||
		got.Connection.URI != fast.URL || got.Connection.Protocol != "https" {
		t.Fatalf("Best = %+v", got)
	}
	if got.Server.Connections[0].State == TimedOut {
		t.Error("Best waited for the hung remote to time out")
	}
	if n := settleGoroutines(before); n > before {
		t.Errorf("%d goroutines after Best, %d before", n, before)
	}
}

func TestBestErrors(t *testing.T) {
	p := newProber(t, Options{DialContext: refuseDial})
	rs := []plextv.Resource{server("Cabin", idA, true, conn("http://127.0.0.1:9", true, false))}
	var nr *NotReachableError
	if _, err := p.Best(context.Background(), rs, ""); !errors.As(err, &nr) || nr.Server.Connections[0].State != Refused {
		t.Fatalf("unreachable: %v", err)
	}
	var unk *UnknownServerError
	if _, err := p.Best(context.Background(), rs, "Attic"); !errors.As(err, &unk) {
		t.Errorf("unknown: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Best(ctx, rs, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// Options.CheckTimeout ends a whole check: probes still running end
// TimedOut (overall deadline), whatever the per-probe timeout.
func TestCheckTimeout(t *testing.T) {
	hung, _ := newHang(t, false, 0)
	p := newProber(t, Options{Timeout: time.Hour, CheckTimeout: 50 * time.Millisecond})
	var nr *NotReachableError
	_, err := p.Best(context.Background(), []plextv.Resource{server("x", idA, true, conn(hung.URL, true, false))}, "")
	if !errors.As(err, &nr) {
		t.Fatalf("err %v", err)
	}
	if c := nr.Server.Connections[0]; c.State != TimedOut || c.Reason != ReasonCheckDeadline {
		t.Errorf("state %v (%s)", c.State, c.Reason)
	}
}

// A probe gives its concurrency slot back after Grace: with one slot, a
// dial that never ends does not keep the next probe from starting.
func TestHungProbeGivesSlotBack(t *testing.T) {
	second := make(chan struct{})
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if strings.HasSuffix(addr, ":1") { // hangs until the check is over
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	p := newProber(t, Options{Concurrency: 1, Grace: time.Millisecond, DialContext: dial, Timeout: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []Server)
	go func() {
		done <- p.Stream(ctx, []plextv.Resource{server("x", idA, true,
			conn("http://127.0.0.1:1", true, false), conn("http://127.0.0.1:2", true, false))}, func(e Event) {
			if e.Kind == ConnectionChecked && e.Conn == 1 {
				close(second)
			}
		})
	}()
	select {
	case <-second:
	case <-time.After(30 * time.Second):
		t.Fatal("the second probe never started while the first hung")
	}
	cancel()
	res := <-done
	if s := res[0].Connections; s[0].State != Cancelled || s[1].State != Refused {
		t.Errorf("states %v %v", s[0].State, s[1].State)
	}
}
