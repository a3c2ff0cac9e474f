package tray

import (
	"context"
	"slices"
	"testing"

	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/servers"
)

func changedState(n int, changed []int, all bool, name string) core.State {
	list := make([]servers.Server, n)
	for i := range list {
		list[i] = servers.Server{ClientIdentifier: string(rune('a' + i)), Name: name}
	}
	return core.State{Username: name, Servers: core.Servers{List: servers.NewTable(list).Snapshot(), Changed: changed, AllChanged: all}}
}

// While the menu is busy with one State, the States put meanwhile are
// applied as one: the newest, naming every row changed in those skipped.
func TestLatestAppliesTheNewestWithEveryChangedRow(t *testing.T) {
	l := NewLatest()
	got := make(chan core.State)
	release := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go l.Run(ctx, func(st core.State) {
		got <- st
		<-release
	})
	l.Put(changedState(8, []int{0}, false, "first"))
	if st := <-got; st.Username != "first" {
		t.Fatalf("first: %+v", st)
	}
	// The menu is busy: these wait, and only the newest is applied.
	l.Put(changedState(8, []int{3}, false, "second"))
	l.Put(changedState(8, []int{5, 6}, false, "third"))
	release <- struct{}{}
	st := <-got
	if st.Username != "third" || st.Servers.AllChanged || !slices.Equal(st.Servers.Changed, []int{3, 5, 6}) {
		t.Fatalf("applied %q, changed %v all %v; want third, rows 3 5 6", st.Username, st.Servers.Changed, st.Servers.AllChanged)
	}
	// A whole-list change among the skipped ones makes the newest whole.
	l.Put(changedState(8, nil, true, "fourth"))
	l.Put(changedState(8, []int{1}, false, "fifth"))
	release <- struct{}{}
	if st := <-got; st.Username != "fifth" || !st.Servers.AllChanged {
		t.Fatalf("applied %q, all %v; want fifth, the whole list", st.Username, st.Servers.AllChanged)
	}
	release <- struct{}{}
}

func TestMergeChanged(t *testing.T) {
	l4 := changedState(4, []int{1, 2}, false, "")
	if rows, all := mergeChanged(l4.Servers, changedState(4, []int{0, 3, 1}, false, "").Servers); !all || rows != nil {
		t.Fatalf("more rows than the list: %v %v, want the whole list", rows, all)
	}
	if rows, all := mergeChanged(l4.Servers, changedState(4, []int{3}, false, "").Servers); all || !slices.Equal(rows, []int{1, 2, 3}) {
		t.Fatalf("%v %v", rows, all)
	}
}
