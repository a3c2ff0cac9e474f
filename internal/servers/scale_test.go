package servers

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/plextv"
)

// 200 servers × 5 connections, half of them hung: every connection gets a
// final state, every server its best, and nothing is left running.
//
// Independent of machine speed: the probe timeout is a minute, and the
// hung connections are the better class (local), so they are started
// first and, with 16 slots, would keep the answering (remote) ones from
// starting at all if a hung probe held its slot until it ended. Once every
// other connection has ended, the test drops the hung ones (their server
// aborts them). How long a real check takes is a benchmark figure
// (BenchmarkHalfHung200x5), not an assertion here.
func TestHalfHungAtScale(t *testing.T) {
	const servers, hungN = 200, 500
	release := make(chan struct{})
	var once sync.Once
	drop := func() { once.Do(func() { close(release) }) }
	hung := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
			panic(http.ErrAbortHandler) // close the connection, no answer
		}
	}), false, nil)
	t.Cleanup(drop)
	fast, _ := newPMS(t, idA, false)
	refused := "http://" + closedPort(t)
	p := newProber(t, Options{Timeout: time.Minute, Concurrency: 16})
	var rs []plextv.Resource
	for i := range servers {
		cs := []plextv.Connection{
			conn(hung.URL, true, false), conn(hung.URL, true, false), conn(fast.URL, false, false),
			conn(refused, false, false), conn(refused, false, true),
		}
		if i%2 == 1 {
			cs[3] = conn(hung.URL, true, false)
		}
		rs = append(rs, server(fmt.Sprintf("s%03d", i), idA, true, cs...))
	}
	before := settleGoroutines(1 << 30)
	tab := NewTable(Plan(rs))
	others := servers*5 - hungN
	res := p.Stream(context.Background(), rs, func(e Event) {
		tab.Apply(e)
		if e.Kind == ConnectionChecked && e.Server.Connections[e.Conn].URI != hung.URL {
			if others--; others == 0 {
				drop()
			}
		}
	})
	dropped := 0
	for _, s := range res {
		if !s.Done() || s.Best != fast.URL {
			t.Fatalf("%s: done %v best %q: %+v", s.Name, s.Done(), s.Best, s.Connections)
		}
		for _, c := range s.Connections {
			if c.URI == hung.URL && c.State != Reachable && c.State != TimedOut {
				dropped++
			}
		}
	}
	if dropped != hungN {
		t.Errorf("%d hung connections ended when dropped, want %d", dropped, hungN)
	}
	if c := tab.Counts(); c.Done != servers || c.Reachable != servers {
		t.Errorf("table counts %+v", c)
	}
	if n := settleGoroutines(before); n > before {
		t.Errorf("%d goroutines after the check, %d before:\n%s", n, before, allStacks())
	}
}
