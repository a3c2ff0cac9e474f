package tray

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/servers"
)

// many lists n servers in plex.tv's order: every third shared, names
// descending so that name order is not list order; reachable ones are
// those for which reach(i).
func many(n int, reach func(int) bool) []servers.Server {
	list := make([]servers.Server, n)
	for i := range list {
		name := fmt.Sprintf("srv %04d", n-i)
		if reach(i) {
			list[i] = up(name, fmt.Sprint("id", i), true)
		} else {
			list[i] = down(name, fmt.Sprint("id", i), now)
		}
		list[i].Owned = i%3 != 0
	}
	return list
}

func titles(list []ServerModel) []string {
	var out []string
	for _, s := range list {
		out = append(out, strings.SplitN(s.Row.Title, " — ", 2)[0])
	}
	return out
}

// Above MaxServerRows the submenu shows the most relevant servers (owned,
// then reachable, then by name) in the list's order, and a last row with
// how many more; the tooltip still counts them all.
func TestServersMenuIsCapped(t *testing.T) {
	n := MaxServerRows + 30
	// Reachable: the shared servers 0, 3, …, 27 and the owned 40 to 49.
	reach := func(i int) bool { return (i%3 == 0 && i < 30) || (i >= 40 && i < 50) }
	st := signedIn(many(n, reach)...)
	m := Render(st, Options{})
	if len(m.Servers.List) != MaxServerRows {
		t.Fatalf("%d rows, want %d", len(m.Servers.List), MaxServerRows)
	}
	if !m.Servers.More.Visible || m.Servers.More.Title != "30 more… ('plextray servers' lists all)" || m.Servers.More.Enabled {
		t.Fatalf("last row %+v", m.Servers.More)
	}
	// The oracle: sort by relevance, take the first MaxServerRows, list order.
	list := many(n, reach)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	key := func(i int) string {
		return fmt.Sprintf("%t %t %s %04d", !list[i].Owned, list[i].Best == "", strings.ToLower(list[i].Name), i)
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(key(a), key(b)) })
	want := idx[:MaxServerRows]
	slices.Sort(want)
	var got []int
	for _, s := range m.Servers.List {
		var i int
		fmt.Sscanf(s.ID, "id%d", &i)
		got = append(got, i)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	prev := -1
	for _, s := range m.Servers.List {
		var i int
		fmt.Sscanf(s.ID, "id%d", &i)
		if i <= prev {
			t.Fatalf("rows not in the list's order: %v", titles(m.Servers.List))
		}
		prev = i
	}
	if !strings.Contains(m.Tooltip, fmt.Sprint(n)) {
		t.Fatalf("the tooltip does not count every server: %q", m.Tooltip)
	}
	// At the cap or below: every server, no last row.
	if m := Render(signedIn(many(MaxServerRows, reach)...), Options{}); len(m.Servers.List) != MaxServerRows || m.Servers.More.Visible {
		t.Fatalf("%d rows, last row %+v", len(m.Servers.List), m.Servers.More)
	}
}

// The Renderer redraws a changed row only if it is shown; a server that
// becomes reachable and so more relevant than a shown one takes its
// place.
func TestRendererKeepsTheMostRelevant(t *testing.T) {
	n := MaxServerRows + 10
	list := many(n, func(int) bool { return false })
	for i := range list {
		list[i].Owned = true
	}
	tab := servers.NewTable(list)
	st := signedIn()
	st.Servers.List, st.Servers.AllChanged = tab.Snapshot(), true
	r := NewRenderer(Options{})
	m := r.Render(st)
	if !m.Servers.All || len(m.Servers.List) != MaxServerRows || m.Servers.List[0].ID != "id10" {
		t.Fatalf("first rendering: all %v, %d rows, first %s (want the %d lowest names: id10…)", m.Servers.All, len(m.Servers.List), m.Servers.List[0].ID, MaxServerRows)
	}
	apply := func(i int, s servers.Server) core.State {
		if tab.Apply(servers.Event{Index: i, Server: s}) != i {
			t.Fatalf("Apply %d", i)
		}
		st.Servers.List, st.Servers.Changed, st.Servers.AllChanged = tab.Snapshot(), tab.Dirty(), false
		return st
	}
	// A hidden server changes but stays unreachable: nothing to redraw.
	s := list[0]
	s.Connections = append([]servers.Connection(nil), s.Connections...)
	s.Connections[0].Err = "x"
	if m := r.Render(apply(0, s)); m.Servers.All || len(m.Servers.Changed) != 0 {
		t.Fatalf("hidden row redrawn: all %v changed %v", m.Servers.All, m.Servers.Changed)
	}
	// A shown one changes: its row only.
	if m := r.Render(apply(12, list[12])); m.Servers.All || len(m.Servers.Changed) != 1 || m.Servers.Changed[0] != 2 {
		t.Fatalf("shown row 2 (server 12): all %v changed %v", m.Servers.All, m.Servers.Changed)
	}
	// The hidden server 3 becomes reachable: it is shown, in list order,
	// and the least relevant shown one (the highest name: server 10)
	// makes room.
	m = r.Render(apply(3, up(list[3].Name, list[3].ClientIdentifier, true)))
	if !m.Servers.All || len(m.Servers.List) != MaxServerRows || m.Servers.List[0].ID != "id3" || m.Servers.List[1].ID != "id11" {
		t.Fatalf("after server 3 answered: all %v, rows %v", m.Servers.All, titles(m.Servers.List[:3]))
	}
	if !m.Servers.More.Visible || !strings.HasPrefix(m.Servers.More.Title, "10 more") {
		t.Fatalf("last row %+v", m.Servers.More)
	}
}
