package tray

import (
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
	list  []ServerModel
	drawn time.Time // the minute of the last full rendering
}

// NewRenderer returns a Renderer for o.
func NewRenderer(o Options) *Renderer { return &Renderer{opts: o} }

// Render is Render(s, o), reusing the server rows that did not change.
// The returned Model's Servers.List is the Renderer's: it stays valid
// until the next call (Tray.Apply copies what it keeps).
func (r *Renderer) Render(s core.State) Model {
	return render(s, r.opts, r)
}

// servers updates the cached rows from sv and returns them with the
// indices that changed (all: every row may have).
func (r *Renderer) servers(sv core.Servers, now time.Time) (list []ServerModel, changed []int, all bool) {
	n := sv.List.Len()
	minute := now.Truncate(time.Minute)
	if sv.AllChanged || n != len(r.list) || !minute.Equal(r.drawn) {
		if cap(r.list) >= n {
			r.list = r.list[:n]
		} else {
			r.list = make([]ServerModel, n)
		}
		for i := range n {
			r.list[i] = renderServer(sv.List.Server(i), now)
		}
		r.drawn = minute
		return r.list, nil, true
	}
	for _, i := range sv.Changed {
		if i >= 0 && i < n {
			r.list[i] = renderServer(sv.List.Server(i), now)
		}
	}
	return r.list, sv.Changed, false
}

// noServerReachable: signed in, the last finished check listed servers,
// and none of them answered (IconNoServer; the tooltip says so). A check
// running meanwhile does not change it until it ends.
func noServerReachable(s core.State) bool {
	sv := s.Servers
	return s.Phase == core.SignedIn && sv.Err == nil && !sv.Checked.IsZero() &&
		sv.LastCounts.Servers > 0 && sv.LastCounts.Reachable == 0
}
