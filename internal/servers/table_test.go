package servers

import (
	"context"
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
	if c := tab.Counts(); c != (Counts{Servers: 2, Decided: 2, Reachable: 1, Done: 2}) {
		t.Errorf("counts %+v", c)
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
