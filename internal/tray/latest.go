package tray

import (
	"context"
	"sync"

	"github.com/plextray/plextray/internal/core"
)

// Latest is a one-slot mailbox between the core and the menu: Put (the
// core's OnChange) never waits, and Run renders and applies only the
// newest State, so a slow panel or D-Bus never holds the core back. The
// servers changed in the States Run skipped are added to the newest
// one's Servers.Changed, so no changed row is missed.
type Latest struct {
	mu   sync.Mutex
	st   core.State
	full bool
	wake chan struct{}
}

// NewLatest returns an empty mailbox.
func NewLatest() *Latest { return &Latest{wake: make(chan struct{}, 1)} }

// Put replaces the State waiting, if any, with st.
func (l *Latest) Put(st core.State) {
	l.mu.Lock()
	if l.full {
		st.Servers.Changed, st.Servers.AllChanged = mergeChanged(l.st.Servers, st.Servers)
	}
	l.st, l.full = st, true
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Run calls apply with the newest State each time one is waiting, one
// call at a time, until ctx is done.
func (l *Latest) Run(ctx context.Context, apply func(core.State)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.wake:
		}
		l.mu.Lock()
		st, ok := l.st, l.full
		l.st, l.full = core.State{}, false
		l.mu.Unlock()
		if ok {
			apply(st)
		}
	}
}

// mergeChanged is what changed from before older to newer: the rows of
// both, or the whole list (all) when either says so, or when the rows
// named would outnumber the list.
func mergeChanged(older, newer core.Servers) (rows []int, all bool) {
	if older.AllChanged || newer.AllChanged || len(older.Changed)+len(newer.Changed) > newer.List.Len() {
		return nil, true
	}
	rows = make([]int, 0, len(older.Changed)+len(newer.Changed))
	return append(append(rows, older.Changed...), newer.Changed...), false
}
