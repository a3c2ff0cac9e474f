package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/slogtest"
)

const secret = "S3cr3t-T0ken-xyz"

// newTestLogger logs JSON into buf through a redactor with its own secrets.
func newTestLogger(buf *bytes.Buffer) (*slog.Logger, *secretSet) {
	s := &secretSet{}
	h := slog.NewJSONHandler(buf, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})
	return slog.New(newRedactor(h, s)), s
}

func lastLine(t *testing.T, buf *bytes.Buffer) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &m); err != nil {
		t.Fatalf("%v: %s", err, buf)
	}
	return m
}

func TestRedactsTokenKeys(t *testing.T) {
	var buf bytes.Buffer
	log, _ := newTestLogger(&buf)
	log.Info("m",
		"token", "a", "authToken", "b", "X-Plex-Token", "c", "TOKEN", 42, "tokenizer", true,
		"other", "kept",
		slog.Group("req", "plexToken", "d", "url", "u"),
		slog.Group("tokens", "first", "e"),
	)
	got := lastLine(t, &buf)
	for _, k := range []string{"token", "authToken", "X-Plex-Token", "TOKEN", "tokenizer", "tokens"} {
		if got[k] != Redacted {
			t.Errorf("%s = %v", k, got[k])
		}
	}
	if got["other"] != "kept" {
		t.Errorf("other = %v", got["other"])
	}
	req := got["req"].(map[string]any)
	if req["plexToken"] != Redacted || req["url"] != "u" {
		t.Errorf("req = %v", req)
	}

	// With and WithGroup.
	buf.Reset()
	log.With("userToken", "f").WithGroup("token").Info("m", "inner", "g")
	got = lastLine(t, &buf)
	if got["userToken"] != Redacted || got["token"].(map[string]any)["inner"] != Redacted {
		t.Errorf("got %v", got)
	}
	if out := buf.String(); strings.Contains(out, `"f"`) || strings.Contains(out, `"g"`) {
		t.Errorf("leaked: %s", out)
	}
}

type stringer struct{ v string }

func (s stringer) String() string { return "stringer(" + s.v + ")" }

type textM struct{ v string }

func (m textM) MarshalText() ([]byte, error) { return []byte("text:" + m.v), nil }

type valuer struct{ v string }

func (v valuer) LogValue() slog.Value { return slog.StringValue("valuer " + v.v) }

func TestRedactsRegisteredSecrets(t *testing.T) {
	var buf bytes.Buffer
	log, s := newTestLogger(&buf)

	// Attached before the secret is known: scrubbed anyway.
	early := log.With("early", "early:"+secret).WithGroup("g").With("early2", secret)
	log.Info("before registering " + secret)
	if !strings.Contains(buf.String(), secret) {
		t.Fatal("unregistered value was scrubbed")
	}
	s.add(secret)
	buf.Reset()

	log.Info("message with "+secret+" inside",
		"s", "url?X-Plex-Token="+secret+"&x=1",
		"err", fmt.Errorf("GET failed: %w", errors.New("bad "+secret)),
		"stringer", stringer{secret},
		"text", textM{secret},
		"bytes", []byte("b "+secret),
		"valuer", valuer{secret},
		"struct", struct{ A, B string }{"x", secret},
		"n", 7,
		slog.Group("outer", slog.Group("inner", "deep", secret)),
		secret, "secret as a key",
	)
	early.Info("late", "x", secret)
	out := buf.String()
	if strings.Contains(out, secret) {
		t.Fatalf("secret leaked:\n%s", out)
	}
	for _, want := range []string{
		`"msg":"message with **** inside"`,
		`"s":"url?X-Plex-Token=****&x=1"`,
		`"err":"GET failed: bad ****"`,
		`"stringer":"stringer(****)"`,
		`"text":"text:****"`,
		`"bytes":"b ****"`,
		`"valuer":"valuer ****"`,
		`"struct":"{A:x B:****}"`,
		`"n":7`,
		`"outer":{"inner":{"deep":"****"}}`,
		`"****":"secret as a key"`,
		`"early":"early:****","g":{"early2":"****","x":"****"}`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in\n%s", want, out)
		}
	}
}

func TestUntouchedValuesKeepTheirType(t *testing.T) {
	var buf bytes.Buffer
	log, s := newTestLogger(&buf)
	s.add(secret)
	log.Info("m", "struct", struct{ A int }{1}, "err", errors.New("plain"))
	if out := buf.String(); !strings.Contains(out, `"struct":{"A":1}`) || !strings.Contains(out, `"err":"plain"`) {
		t.Errorf("got %s", out)
	}
}

func TestSecretSet(t *testing.T) {
	s := &secretSet{}
	s.add("short") // below MinSecretLen: ignored
	s.add("")
	if got := s.scrub("a short text"); got != "a short text" {
		t.Errorf("short secret scrubbed: %q", got)
	}
	s.add("abcdef")
	s.add("xxabcdefxx") // contains the other: replaced whole
	s.add("abcdef")     // duplicate
	if got := s.scrub("1 xxabcdefxx 2 abcdef 3"); got != "1 **** 2 **** 3" {
		t.Errorf("scrub = %q", got)
	}
	if v := s.version.Load(); v != 2 {
		t.Errorf("version = %d, want 2", v)
	}
}

func TestRegisterSecretIsGlobal(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewRedactingHandler(slog.NewTextHandler(&buf, nil)))
	const v = "global-secret-value-1"
	RegisterSecret(v)
	log.Info("x " + v)
	if strings.Contains(buf.String(), v) || !strings.Contains(buf.String(), "x ****") {
		t.Errorf("got %s", buf.String())
	}
}

// TestHandlerConformance runs slog's own handler tests through the redactor.
func TestHandlerConformance(t *testing.T) {
	var buf bytes.Buffer
	h := newRedactor(slog.NewJSONHandler(&buf, nil), &secretSet{})
	results := func() []map[string]any {
		var ms []map[string]any
		for _, line := range bytes.Split(buf.Bytes(), []byte{'\n'}) {
			if len(line) == 0 {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal(line, &m); err != nil {
				t.Fatal(err)
			}
			ms = append(ms, m)
		}
		return ms
	}
	if err := slogtest.TestHandler(h, results); err != nil {
		t.Error(err)
	}
}

// TestConcurrentLogging logs from many goroutines through With-loggers while
// secrets are being registered (run with -race). A secret registered before
// the goroutines start never shows.
func TestConcurrentLogging(t *testing.T) {
	var buf lockedBuffer
	s := &secretSet{}
	h := slog.NewTextHandler(&buf, nil)
	log := slog.New(newRedactor(h, s))
	s.add(secret)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			l := log.With("g", g, "tok", secret).WithGroup("grp")
			for i := range 200 {
				l.Info("msg "+secret, "i", i, "v", secret)
			}
		})
	}
	wg.Go(func() {
		for i := range 50 {
			s.add(fmt.Sprintf("another-secret-%03d", i))
		}
	})
	wg.Wait()
	out := buf.String()
	if strings.Contains(out, secret) {
		t.Fatal("secret leaked")
	}
	if n := strings.Count(out, "\n"); n != 8*200 {
		t.Errorf("%d lines, want %d", n, 8*200)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestEnabledFollowsNext(t *testing.T) {
	h := NewRedactingHandler(slog.NewTextHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if h.Enabled(context.Background(), slog.LevelInfo) || !h.Enabled(context.Background(), slog.LevelError) {
		t.Error("Enabled does not follow the wrapped handler")
	}
	if h.WithGroup("") != h || h.WithAttrs(nil) != h {
		t.Error("empty WithGroup/WithAttrs should return the receiver")
	}
}
