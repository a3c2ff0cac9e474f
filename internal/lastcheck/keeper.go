package lastcheck

import (
	"context"
	"sync"
)

// Keeper keeps the record in a config folder for a tray: Put and Clear
// never wait for the disk, and only the latest of them is carried out,
// in order, by Run.
type Keeper struct {
	dir  string
	warn func(msg string, args ...any)
	// Network is what a check records as its network (default Network).
	Network func() string

	mu   sync.Mutex
	next *Record // nil with due: remove
	due  bool
	wake chan struct{}
}

// NewKeeper keeps the record in dir; warn is told what could not be
// written (nil: nothing).
func NewKeeper(dir string, warn func(msg string, args ...any)) *Keeper {
	if warn == nil {
		warn = func(string, ...any) {}
	}
	return &Keeper{dir: dir, warn: warn, Network: Network, wake: make(chan struct{}, 1)}
}

// Put makes r the record.
func (k *Keeper) Put(r Record) { k.set(&r) }

// Clear removes the record: no check is current any more.
func (k *Keeper) Clear() { k.set(nil) }

func (k *Keeper) set(r *Record) {
	k.mu.Lock()
	k.next, k.due = r, true
	k.mu.Unlock()
	select {
	case k.wake <- struct{}{}:
	default:
	}
}

// Run writes what Put and Clear ask for until ctx ends, then removes the
// record: with the tray gone, nothing keeps it current. It starts by
// removing a record an earlier tray left (one that crashed): until this
// tray's first check, none is current.
func (k *Keeper) Run(ctx context.Context) {
	k.mu.Lock()
	if !k.due {
		k.next, k.due = nil, true
		select {
		case k.wake <- struct{}{}:
		default:
		}
	}
	k.mu.Unlock()
	for {
		select {
		case <-k.wake:
			k.mu.Lock()
			r, due := k.next, k.due
			k.next, k.due = nil, false
			k.mu.Unlock()
			if due {
				k.apply(r)
			}
		case <-ctx.Done():
			if err := Remove(k.dir); err != nil {
				k.warn("last server check not removed", "err", err)
			}
			return
		}
	}
}

func (k *Keeper) apply(r *Record) {
	var err error
	if r == nil {
		err = Remove(k.dir)
	} else {
		err = Write(k.dir, *r)
	}
	if err != nil {
		k.warn("last server check not shared with the command line", "err", err)
	}
}
