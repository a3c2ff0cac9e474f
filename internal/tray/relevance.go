package tray

import (
	"cmp"
	"slices"
	"strings"

	"github.com/plextray/plextray/internal/servers"
)

// MaxServerRows is how many servers the Servers submenu shows at most: a
// longer menu cannot be read. Above it, the menu shows the most relevant
// (owned first, then reachable, then by name), in the list's order, and
// a last row says how many more there are. The tooltip and the icon still
// count every server.
const MaxServerRows = 50

// relevance orders a server list for picking the rows to show. Names and
// ownership are fixed for a list; reachability is updated per changed
// server, so a new pick costs a pass over the list, never a sort.
type relevance struct {
	byName []int // list indices by name (case-folded), then index
	owned  []bool
	reach  []bool // has a best URI
}

func newRelevance(l servers.Snapshot) relevance {
	n := l.Len()
	r := relevance{byName: make([]int, n), owned: make([]bool, n), reach: make([]bool, n)}
	names := make([]string, n)
	for i := range n {
		s := l.Server(i)
		r.byName[i], names[i] = i, strings.ToLower(s.Name)
		r.owned[i], r.reach[i] = s.Owned, s.Best != ""
	}
	slices.SortFunc(r.byName, func(a, b int) int {
		return cmp.Or(strings.Compare(names[a], names[b]), cmp.Compare(a, b))
	})
	return r
}

// update records server i as s and reports whether its relevance changed.
func (r *relevance) update(i int, s servers.Server) bool {
	reach := s.Best != ""
	if r.reach[i] == reach {
		return false
	}
	r.reach[i] = reach
	return true
}

// pick returns the indices of the k most relevant servers (all of them
// when there are no more than k), in list order.
func (r *relevance) pick(k int) []int {
	n := len(r.byName)
	if n <= k {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := make([]int, 0, k)
	for _, class := range [4][2]bool{{true, true}, {true, false}, {false, true}, {false, false}} {
		for _, i := range r.byName {
			if len(out) == k {
				break
			}
			if r.owned[i] == class[0] && r.reach[i] == class[1] {
				out = append(out, i)
			}
		}
	}
	slices.Sort(out)
	return out
}
