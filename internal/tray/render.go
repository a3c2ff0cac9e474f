package tray

import (
	"slices"
	"time"

	"github.com/plextray/plextray/internal/core"
)

// Renderer is Render with memory: it keeps the server rows it rendered
// last, so a State whose Servers.Changed names one server costs that one
// server's rendering, not the whole list's (2 000 servers × 4 probes
// would otherwise render the list 8 000 times). It is used from one
// goroutine (the one running Latest.Run). Rows that say "last seen N days ago" or
// other time-relative words are rendered again once the minute changes.
type Renderer struct {
	opts  Options
	list  []ServerModel // the rows shown, in menu order
	shown []int         // the list index of each row
	row   []int         // the row of each list index, or -1 if not shown
	rel   relevance     // which rows to show (MaxServerRows)
	n     int           // the list's length; -1: nothing drawn
	drawn time.Time     // the minute of the last full rendering
	asOf  time.Time     // the rows' "as of" time (staleSince) at that rendering
}

// NewRenderer returns a Renderer for o.
func NewRenderer(o Options) *Renderer { return &Renderer{opts: o, n: -1} }

// Render is Render(s, o), reusing the server rows that did not change.
// The returned Model's Servers.List is the Renderer's: it stays valid
// until the next call (Tray.Apply copies what it keeps).
func (r *Renderer) Render(s core.State) Model {
	return render(s, r.opts, r)
}

// servers updates the cached rows from sv and returns them with the rows
// that changed (all: every row may have, or other servers are shown).
func (r *Renderer) servers(sv core.Servers, now time.Time) (list []ServerModel, changed []int, all bool) {
	n := sv.List.Len()
	if sv.AllChanged || n != r.n || !staleSince(sv).Equal(r.asOf) {
		r.rel, r.n = newRelevance(sv.List), n
		return r.redraw(sv, now, r.rel.pick(MaxServerRows))
	}
	pickAgain := false
	for _, i := range sv.Changed {
		if i >= 0 && i < n && r.rel.update(i, sv.List.Server(i)) {
			pickAgain = true
		}
	}
	if pickAgain {
		if sel := r.rel.pick(MaxServerRows); !slices.Equal(sel, r.shown) {
			return r.redraw(sv, now, sel)
		}
	}
	if !now.Truncate(time.Minute).Equal(r.drawn) {
		return r.redraw(sv, now, r.shown)
	}
	for _, i := range sv.Changed {
		if i >= 0 && i < n && r.row[i] >= 0 {
			r.list[r.row[i]] = renderServer(sv.List.Server(i), now, r.asOf, r.opts)
			changed = append(changed, r.row[i])
		}
	}
	return r.list, changed, false
}

// redraw renders the servers sel (list indices, in menu order) as the
// rows.
func (r *Renderer) redraw(sv core.Servers, now time.Time, sel []int) ([]ServerModel, []int, bool) {
	r.shown = sel
	if cap(r.row) >= r.n {
		r.row = r.row[:r.n]
	} else {
		r.row = make([]int, r.n)
	}
	for i := range r.row {
		r.row[i] = -1
	}
	r.list = r.list[:0]
	r.asOf = staleSince(sv)
	for p, i := range sel {
		r.row[i] = p
		r.list = append(r.list, renderServer(sv.List.Server(i), now, r.asOf, r.opts))
	}
	r.drawn = now.Truncate(time.Minute)
	return r.list, nil, true
}

// forget makes the next rendering draw every row (no list is shown).
func (r *Renderer) forget() {
	r.list, r.shown, r.n = r.list[:0], nil, -1
}

// staleSince is when the rows were checked, while plex.tv fails to list
// the servers again (the rows are that check's); zero otherwise.
func staleSince(sv core.Servers) time.Time {
	if sv.Err != nil {
		return sv.Checked
	}
	return time.Time{}
}
