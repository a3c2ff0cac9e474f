package servers

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/plextray/plextray/internal/plextv"
)

func TestTableApply(t *testing.T) {
	fast, _ := newPMS(t, idA, false)
	p := newProber(t, Options{})
	rs := []plextv.Resource{
		server("Living Room", idA, true, conn(fast.URL, true, false), conn("http://"+closedPort(t), false, false)),
		server("Cabin", idB, true, conn("http://"+closedPort(t), true, false)),
	}
	plan := Plan(rs)
	tab := NewTable(plan)
	if c := tab.Counts(); c != (Counts{Servers: 2}) {
		t.Fatalf("initial counts %+v", c)
	}
	first := tab.Snapshot()
	var changed []int
	res := p.Stream(context.Background(), rs, func(e Event) {
		if i := tab.Apply(e); i != e.Index {
			t.Errorf("Apply(%v of %d) = %d", e.Kind, e.Index, i)
		}
		changed = append(changed, tab.Dirty()...)
	})
	if len(changed) == 0 || tab.Dirty() != nil {
		t.Errorf("dirty: %v, then %v", changed, tab.Dirty())
	}
	got := tab.Snapshot().List()
	for i := range res {
		res[i].DecidedAt, got[i].DecidedAt = res[i].DecidedAt.Round(0), got[i].DecidedAt.Round(0)
	}
	if !reflect.DeepEqual(got, res) {
		t.Errorf("table after every event differs from the check's result:\n%+v\n%+v", got, res)
	}
	// Cabin: plex.tv reports it online, nothing reaches it from here.
	if c := tab.Counts(); c != (Counts{Servers: 2, Decided: 2, Reachable: 1, Unreachable: 1, Done: 2}) {
		t.Errorf("counts %+v", c)
	}
	// Offline at plex.tv: not this machine's problem, not counted.
	off := tab.Server(1)
	off.Presence = false
	if c := NewTable([]Server{tab.Server(0), off}).Counts(); c.Unreachable != 0 || c.Reachable != 1 {
		t.Errorf("counts with Cabin offline at plex.tv %+v", c)
	}
	if first.Server(0).Decided || first.Version() != 0 || tab.Snapshot().Version() == 0 {
		t.Error("an earlier snapshot changed")
	}
	if i, ok := tab.Index(idB); !ok || i != 1 || tab.Server(i).Name != "Cabin" || tab.Len() != 2 {
		t.Errorf("Index(idB) = %d %v", i, ok)
	}
	// An event of another list does not fit.
	if i := tab.Apply(Event{Kind: BestDecided, Index: 1, Server: Server{ClientIdentifier: "other"}}); i != -1 {
		t.Errorf("foreign event applied at %d", i)
	}
	if i := tab.Apply(Event{Index: 7}); i != -1 {
		t.Errorf("out-of-range event applied at %d", i)
	}
}

// Snapshots share the table's blocks of pointers until the table changes
// one: each snapshot keeps the list as it was when taken.
func TestSnapshotsShareUntilChanged(t *testing.T) {
	const n = 3*block + 5
	list := make([]Server, n)
	for i := range list {
		list[i] = Server{ClientIdentifier: fmt.Sprint(i), Name: "v0"}
	}
	tab := NewTable(list)
	set := func(i int, name string) {
		if tab.Apply(Event{Index: i, Server: Server{ClientIdentifier: fmt.Sprint(i), Name: name}}) != i {
			t.Fatalf("Apply %d", i)
		}
	}
	s0 := tab.Snapshot()
	set(block+6, "v1")
	s1 := tab.Snapshot()
	set(block+6, "v2")
	set(5, "v2")
	set(n-1, "v2")
	s2 := tab.Snapshot()
	for _, c := range []struct {
		s    Snapshot
		i    int
		want string
	}{
		{s0, block + 6, "v0"}, {s0, 5, "v0"}, {s0, n - 1, "v0"},
		{s1, block + 6, "v1"}, {s1, 5, "v0"}, {s1, n - 1, "v0"},
		{s2, block + 6, "v2"}, {s2, 5, "v2"}, {s2, n - 1, "v2"}, {s2, 2 * block, "v0"},
	} {
		if got := c.s.Server(c.i).Name; got != c.want || c.s.Len() != n {
			t.Errorf("snapshot %d: server %d is %q (len %d), want %q", c.s.Version(), c.i, got, c.s.Len(), c.want)
		}
	}
	if l := s1.List(); len(l) != n || l[block+6].Name != "v1" || l[n-1].Name != "v0" {
		t.Errorf("List of the second snapshot: %d servers, %q %q", len(l), l[block+6].Name, l[n-1].Name)
	}
}
