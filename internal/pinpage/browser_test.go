//go:build linux

package pinpage_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/pinpage"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
	"golang.org/x/sys/unix"
)

// TestPINPageInChromium opens the page in a real headless Chromium (Debian's
// "chromium" package), types a wrong PIN, then the right one, and reads what
// the page says, while the page's Submit switches profiles at the plex.tv
// simulator through the real client. Chromium is driven over the DevTools
// protocol on a pipe (--remote-debugging-pipe), so no websocket library is
// needed.
func TestPINPageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no browser")
	}
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is required (apt-get install -y chromium): %v", err)
		}
		t.Skipf("chromium not installed (apt-get install -y chromium): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	// The plex.tv side: the demo account's Home, Teen with PIN 1234.
	sim := plextvsim.StartForTest(t, plextvsim.Options{})
	home, err := sim.AddDemoHome()
	if err != nil {
		t.Fatal(err)
	}
	client, err := plextv.New(sim.URL(), plextv.Info{Product: "plextray", ClientIdentifier: "pinpage-browser-test"})
	if err != nil {
		t.Fatal(err)
	}
	admin := plextv.Token(sim.DemoAccount().Token)
	teen := home.Profiles[1]
	var mu sync.Mutex
	var pins []string
	var teenTok plextv.Token
	submit := func(ctx context.Context, pin string) error {
		mu.Lock()
		pins = append(pins, pin)
		mu.Unlock()
		tok, err := client.SwitchHomeUser(ctx, admin, teen.UUID, pin)
		if err != nil {
			return err
		}
		mu.Lock()
		teenTok = tok
		mu.Unlock()
		return nil
	}
	pageURL, done, err := pinpage.Serve(ctx, pinpage.Options{Title: teen.Title, Submit: submit, Clock: clock.NewFake(time.Now())})
	if err != nil {
		t.Fatal(err)
	}

	b := startChromium(t, ctx, bin)
	s := b.newPage(ctx)
	s.navigate(ctx, pageURL)
	if text := s.text(ctx); !strings.Contains(text, "Switch to Teen") {
		t.Fatalf("page says %q", text)
	}

	s.typePINAndSubmit(ctx, "0000")
	if text := s.text(ctx); !strings.Contains(text, "Wrong PIN. Try again.") {
		t.Fatalf("after a wrong PIN the page says %q", text)
	}
	select {
	case r := <-done:
		t.Fatalf("the page stopped after a wrong PIN: %v", r.Err)
	default:
	}

	s.typePINAndSubmit(ctx, "1234")
	if text := s.text(ctx); !strings.Contains(text, "Switched to Teen — you can close this tab") {
		t.Fatalf("after the right PIN the page says %q", text)
	}
	select {
	case r := <-done:
		if r.Err != nil {
			t.Fatalf("result: %v", r.Err)
		}
	case <-ctx.Done():
		t.Fatal("the page did not stop after success")
	}

	mu.Lock()
	defer mu.Unlock()
	if strings.Join(pins, ",") != "0000,1234" {
		t.Fatalf("Submit got %q", pins)
	}
	u, err := client.User(ctx, teenTok)
	if err != nil || u.Title != "Teen" {
		t.Fatalf("the switched token is %+v, %v", u, err)
	}
}

// browser is a Chromium driven over the DevTools protocol on a pipe:
// JSON messages, each ended by a NUL byte; we write fd 3, it writes fd 4.
type browser struct {
	t   *testing.T
	out io.Writer

	mu      sync.Mutex
	nextID  int
	pending map[int]chan cdpMessage
	loads   map[string]chan struct{} // session → Page.loadEventFired
}

type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

func startChromium(t *testing.T, ctx context.Context, bin string) *browser {
	t.Helper()
	toChrome, cmdIn, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmdOut, fromChrome, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// Chromium's helpers outlive its main process for a moment; as their
	// subreaper this test process reaps them, instead of leaving zombies.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Logf("PR_SET_CHILD_SUBREAPER: %v", err)
	}
	cmd := exec.Command(bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--remote-debugging-pipe", "--user-data-dir="+t.TempDir(),
		"--no-first-run", "--no-default-browser-check", "--disable-extensions",
		// Nothing leaves this machine: no background traffic, no DNS, and
		// a dead proxy for anything that is not loopback.
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--no-pings", "--disable-domain-reliability", "--dns-prefetch-disable",
		"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--proxy-server=127.0.0.1:9",
		"about:blank")
	cmd.ExtraFiles = []*os.File{toChrome, fromChrome} // fd 3, fd 4
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	toChrome.Close()
	fromChrome.Close()
	b := &browser{t: t, out: cmdIn, pending: map[int]chan cdpMessage{}, loads: map[string]chan struct{}{}}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		b.read(cmdOut)
	}()
	t.Cleanup(func() {
		// Ask politely, then end the process group we started.
		closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, _ = b.call(closeCtx, "", "Browser.close", nil)
		cancel()
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		// Leftover helpers of the group we started: end and reap them.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		for {
			var ws syscall.WaitStatus
			if _, err := syscall.Wait4(-cmd.Process.Pid, &ws, 0, nil); err != nil {
				break
			}
		}
		cmdIn.Close()
		<-readDone
		cmdOut.Close()
		if t.Failed() {
			t.Logf("chromium output:\n%s", stderr.String())
		}
	})
	return b
}

func (b *browser) read(r io.Reader) {
	br := bufio.NewReader(r)
	for {
		raw, err := br.ReadBytes(0)
		if err != nil {
			b.mu.Lock()
			for id, ch := range b.pending {
				close(ch)
				delete(b.pending, id)
			}
			b.mu.Unlock()
			return
		}
		var m cdpMessage
		if json.Unmarshal(raw[:len(raw)-1], &m) != nil {
			continue
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch, ok := b.pending[m.ID]; ok {
				ch <- m
				delete(b.pending, m.ID)
			}
		} else if m.Method == "Page.loadEventFired" {
			if ch, ok := b.loads[m.SessionID]; ok {
				select {
				case ch <- struct{}{}:
				default:
				}
			}
		}
		b.mu.Unlock()
	}
}

// call sends one command (to a page when session is set) and waits for its answer.
func (b *browser) call(ctx context.Context, session, method string, params any) (json.RawMessage, error) {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	if _, err := b.out.Write(append(data, 0)); err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return nil, fmt.Errorf("%s: chromium went away", method)
		}
		if m.Error != nil {
			return nil, fmt.Errorf("%s: %s", method, m.Error.Message)
		}
		return m.Result, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

func (b *browser) must(ctx context.Context, session, method string, params any, out any) {
	b.t.Helper()
	res, err := b.call(ctx, session, method, params)
	if err != nil {
		b.t.Fatal(err)
	}
	if out != nil {
		if err := json.Unmarshal(res, out); err != nil {
			b.t.Fatalf("%s: %v", method, err)
		}
	}
}

// tab is one page target, attached in flat mode.
type tab struct {
	b       *browser
	session string
	loaded  chan struct{}
}

func (b *browser) newPage(ctx context.Context) *tab {
	b.t.Helper()
	var target struct{ TargetID string }
	b.must(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var att struct{ SessionID string }
	b.must(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	p := &tab{b: b, session: att.SessionID, loaded: make(chan struct{}, 1)}
	b.mu.Lock()
	b.loads[p.session] = p.loaded
	b.mu.Unlock()
	b.must(ctx, p.session, "Page.enable", nil, nil)
	return p
}

// waitLoad waits for the next load event of the page.
func (p *tab) waitLoad(ctx context.Context) {
	p.b.t.Helper()
	select {
	case <-p.loaded:
	case <-ctx.Done():
		p.b.t.Fatalf("page never loaded: %v", ctx.Err())
	}
}

func (p *tab) navigate(ctx context.Context, u string) {
	p.b.t.Helper()
	var nav struct{ ErrorText string }
	p.b.must(ctx, p.session, "Page.navigate", map[string]any{"url": u}, &nav)
	if nav.ErrorText != "" {
		p.b.t.Fatalf("navigating to the page: %s", nav.ErrorText)
	}
	p.waitLoad(ctx)
}

func (p *tab) eval(ctx context.Context, expr string) json.RawMessage {
	p.b.t.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct{ Text string } `json:"exceptionDetails"`
	}
	p.b.must(ctx, p.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &res)
	if res.ExceptionDetails != nil {
		p.b.t.Fatalf("evaluating %q: %s", expr, res.ExceptionDetails.Text)
	}
	return res.Result.Value
}

func (p *tab) text(ctx context.Context) string {
	p.b.t.Helper()
	var s string
	if err := json.Unmarshal(p.eval(ctx, "document.body.innerText"), &s); err != nil {
		p.b.t.Fatal(err)
	}
	return s
}

// typePINAndSubmit focuses the PIN field, types pin as keyboard input and
// presses the Switch button, then waits for the answer page to load.
func (p *tab) typePINAndSubmit(ctx context.Context, pin string) {
	p.b.t.Helper()
	if ok := string(p.eval(ctx, `(() => { const i = document.querySelector('input[name=pin]'); if (!i) return false; i.value = ''; i.focus(); return document.activeElement === i; })()`)); ok != "true" {
		p.b.t.Fatalf("no PIN field to type into: %s", p.text(ctx))
	}
	p.b.must(ctx, p.session, "Input.insertText", map[string]any{"text": pin}, nil)
	if got := string(p.eval(ctx, `document.querySelector('input[name=pin]').value`)); got != `"`+pin+`"` {
		p.b.t.Fatalf("the field holds %s", got)
	}
	select { // forget a stale load event, if any
	case <-p.loaded:
	default:
	}
	p.eval(ctx, `document.querySelector('button[type=submit]').click()`)
	p.waitLoad(ctx)
}
