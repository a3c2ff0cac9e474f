package home

import (
	"context"
	"time"
)

// Trace lets whoever asked for a switch see what it is waiting for, the
// way net/http/httptrace does for a request: a person at a terminal or on
// a page is told that plex.tv asked to slow down, instead of waiting in
// silence. Attach it with WithTrace.
type Trace struct {
	// RateLimited is called when plex.tv answered 429 and Switch waits
	// wait before trying again; asked is plex.tv's Retry-After (0 when it
	// gave none), which may be longer than wait.
	RateLimited func(wait, asked time.Duration)
}

type traceKey struct{}

// WithTrace returns ctx carrying t for the switches made with it.
func WithTrace(ctx context.Context, t *Trace) context.Context {
	return context.WithValue(ctx, traceKey{}, t)
}

func traceOf(ctx context.Context) *Trace {
	t, _ := ctx.Value(traceKey{}).(*Trace)
	return t
}
