package logging

import (
	"context"
	"encoding"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Redacted replaces secrets in log output.
const Redacted = "****"

// MinSecretLen is the shortest value RegisterSecret accepts: scrubbing
// shorter strings would mangle ordinary text.
const MinSecretLen = 6

// RegisterSecret makes every handler from NewRedactingHandler replace s with
// **** wherever it occurs in a record from now on, including in attributes
// attached earlier with Logger.With. Register a token as soon as it is known
// (read from the keychain or returned by sign-in). Values shorter than
// MinSecretLen are ignored. Safe for concurrent use.
func RegisterSecret(s string) { defaultSecrets.add(s) }

var defaultSecrets = &secretSet{}

// secretSet is a list of secret strings and a Replacer for them.
type secretSet struct {
	mu      sync.Mutex
	list    []string
	repl    atomic.Pointer[strings.Replacer]
	version atomic.Uint64 // bumped on every change, after repl is stored
}

func (s *secretSet) add(v string) {
	if len(v) < MinSecretLen {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.Contains(s.list, v) {
		return
	}
	s.list = append(s.list, v)
	// Longest first: a Replacer tries its pairs in order at each position,
	// so a secret containing another is replaced whole.
	slices.SortFunc(s.list, func(a, b string) int { return len(b) - len(a) })
	var pairs []string
	for _, x := range s.list {
		pairs = append(pairs, x, Redacted)
	}
	s.repl.Store(strings.NewReplacer(pairs...))
	s.version.Add(1)
}

func (s *secretSet) scrub(v string) string {
	if r := s.repl.Load(); r != nil {
		return r.Replace(v)
	}
	return v
}

// NewRedactingHandler wraps next so that no record reaching it holds a
// secret: attributes whose key contains "token" (any case) — and everything
// inside a group whose name does — become ****, and registered secrets are
// replaced in the message and in every attribute value (strings, groups,
// errors, Stringers and other values, as next would print them).
func NewRedactingHandler(next slog.Handler) slog.Handler {
	return newRedactor(next, defaultSecrets)
}

func newRedactor(next slog.Handler, secrets *secretSet) *redactor {
	return &redactor{next: next, secrets: secrets, built: new(atomic.Pointer[builtHandler])}
}

// redactor keeps the WithAttrs/WithGroup calls made on it and applies them
// to next, redacted, when the set of secrets has changed since it last did,
// so that attributes attached before a secret was registered are scrubbed too.
type redactor struct {
	next    slog.Handler
	secrets *secretSet
	ops     []op
	built   *atomic.Pointer[builtHandler]
}

// op is one WithGroup (group != "") or WithAttrs call.
type op struct {
	group string
	attrs []slog.Attr
}

type builtHandler struct {
	version uint64
	h       slog.Handler
}

func (r *redactor) Enabled(ctx context.Context, l slog.Level) bool {
	return r.next.Enabled(ctx, l)
}

func (r *redactor) Handle(ctx context.Context, rec slog.Record) error {
	h := r.handler()
	force := r.inTokenGroup()
	out := slog.NewRecord(rec.Time, rec.Level, r.secrets.scrub(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(r.redact(a, force))
		return true
	})
	return h.Handle(ctx, out)
}

func (r *redactor) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return r
	}
	return r.with(op{attrs: slices.Clone(attrs)})
}

func (r *redactor) WithGroup(name string) slog.Handler {
	if name == "" {
		return r
	}
	return r.with(op{group: name})
}

func (r *redactor) with(o op) *redactor {
	return &redactor{
		next:    r.next,
		secrets: r.secrets,
		ops:     append(slices.Clip(r.ops), o),
		built:   new(atomic.Pointer[builtHandler]),
	}
}

// handler returns next with the ops applied, rebuilt when secrets changed.
func (r *redactor) handler() slog.Handler {
	if len(r.ops) == 0 {
		return r.next
	}
	v := r.secrets.version.Load()
	if b := r.built.Load(); b != nil && b.version == v {
		return b.h
	}
	h, force := r.next, false
	for _, o := range r.ops {
		if o.group != "" {
			h = h.WithGroup(o.group)
			force = force || isTokenKey(o.group)
			continue
		}
		attrs := make([]slog.Attr, len(o.attrs))
		for i, a := range o.attrs {
			attrs[i] = r.redact(a, force)
		}
		h = h.WithAttrs(attrs)
	}
	r.built.Store(&builtHandler{version: v, h: h})
	return h
}

func (r *redactor) inTokenGroup() bool {
	return slices.ContainsFunc(r.ops, func(o op) bool { return isTokenKey(o.group) })
}

func isTokenKey(k string) bool {
	return strings.Contains(strings.ToLower(k), "token")
}

// redact returns a with secrets removed; force redacts the whole value.
func (r *redactor) redact(a slog.Attr, force bool) slog.Attr {
	a.Key = r.secrets.scrub(a.Key)
	if force || isTokenKey(a.Key) {
		return slog.String(a.Key, Redacted)
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(r.secrets.scrub(v.String()))
	case slog.KindGroup:
		attrs := v.Group()
		out := make([]slog.Attr, len(attrs))
		for i, x := range attrs {
			out[i] = r.redact(x, false)
		}
		a.Value = slog.GroupValue(out...)
	case slog.KindAny:
		// Keep the value (a JSON handler may print its structure) unless
		// its text, as a handler would print it, holds a secret.
		text := anyText(v.Any())
		if s := r.secrets.scrub(text); s != text {
			a.Value = slog.StringValue(s)
		} else {
			a.Value = v
		}
	default:
		a.Value = v
	}
	return a
}

// anyText is how slog's handlers print a KindAny value.
func anyText(v any) string {
	switch x := v.(type) {
	case error:
		return x.Error()
	case encoding.TextMarshaler:
		b, err := x.MarshalText()
		if err != nil {
			return fmt.Sprintf("%+v", v)
		}
		return string(b)
	case []byte:
		return string(x)
	}
	return fmt.Sprintf("%+v", v)
}
