//go:build linux

package chromiumtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Browser is a running Chromium. The test's cleanup stops it.
type Browser struct {
	t   testing.TB
	out io.Writer

	mu      sync.Mutex
	nextID  int
	pending map[int]chan message
	loads   map[string]chan struct{} // session → Page.loadEventFired
}

// message is one DevTools protocol message: JSON ended by a NUL byte.
type message struct {
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

// Binary finds chromium on PATH. With -short the test is skipped; without
// chromium it is skipped, or fails when CI=true.
func Binary(t testing.TB) string {
	t.Helper()
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
	return bin
}

// Start starts a headless Chromium for t (see Binary for when it skips).
// Commands wait at most until ctx ends.
func Start(t testing.TB, ctx context.Context) *Browser {
	t.Helper()
	bin := Binary(t)
	toChrome, cmdIn, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmdOut, fromChrome, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// Chromium's helpers outlive its main process for a moment; as their
	// subreaper this test process reaps them instead of leaving zombies.
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
	cmd.ExtraFiles = []*os.File{toChrome, fromChrome} // fd 3: commands in, fd 4: answers out
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	toChrome.Close()
	fromChrome.Close()
	b := &Browser{t: t, out: cmdIn, pending: map[int]chan message{}, loads: map[string]chan struct{}{}}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		b.read(cmdOut)
	}()
	t.Cleanup(func() {
		// Ask politely, then end the process group we started and reap it.
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

func (b *Browser) read(r io.Reader) {
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
		var m message
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

// call sends one command (to a page when session is set) and waits for
// its answer.
func (b *Browser) call(ctx context.Context, session, method string, params any) (json.RawMessage, error) {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan message, 1)
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

// Call sends a DevTools command to the browser (session "") or a tab and
// decodes its result into out (if non-nil); failures fail the test.
func (b *Browser) Call(ctx context.Context, session, method string, params, out any) {
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

// Tab is one page, attached in flat mode.
type Tab struct {
	b       *Browser
	session string
	loaded  chan struct{}
}

// Open opens url in a new tab and waits for it to load.
func (b *Browser) Open(ctx context.Context, url string) *Tab {
	b.t.Helper()
	var target struct{ TargetID string }
	b.Call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var att struct{ SessionID string }
	b.Call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	p := &Tab{b: b, session: att.SessionID, loaded: make(chan struct{}, 1)}
	b.mu.Lock()
	b.loads[p.session] = p.loaded
	b.mu.Unlock()
	b.Call(ctx, p.session, "Page.enable", nil, nil)
	var nav struct{ ErrorText string }
	b.Call(ctx, p.session, "Page.navigate", map[string]any{"url": url}, &nav)
	if nav.ErrorText != "" {
		b.t.Fatalf("opening %s: %s", url, nav.ErrorText)
	}
	p.waitLoad(ctx)
	return p
}

func (p *Tab) waitLoad(ctx context.Context) {
	p.b.t.Helper()
	select {
	case <-p.loaded:
	case <-ctx.Done():
		p.b.t.Fatalf("the page never loaded: %v", ctx.Err())
	}
}

// Eval evaluates a JavaScript expression in the page and returns its
// value as JSON.
func (p *Tab) Eval(ctx context.Context, expr string) json.RawMessage {
	p.b.t.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct{ Text string } `json:"exceptionDetails"`
	}
	p.b.Call(ctx, p.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &res)
	if res.ExceptionDetails != nil {
		p.b.t.Fatalf("evaluating %q: %s", expr, res.ExceptionDetails.Text)
	}
	return res.Result.Value
}

// Text is the page's visible text.
func (p *Tab) Text(ctx context.Context) string {
	p.b.t.Helper()
	var s string
	if err := json.Unmarshal(p.Eval(ctx, "document.body ? document.body.innerText : ''"), &s); err != nil {
		p.b.t.Fatal(err)
	}
	return s
}

// Type empties the field matching selector, focuses it and types text as
// keyboard input.
func (p *Tab) Type(ctx context.Context, selector, text string) {
	p.b.t.Helper()
	sel, _ := json.Marshal(selector)
	focus := fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) return false; e.value = ''; e.focus(); return document.activeElement === e; })()`, sel)
	if ok := string(p.Eval(ctx, focus)); ok != "true" {
		p.b.t.Fatalf("no field %s to type into; the page says %q", selector, p.Text(ctx))
	}
	p.b.Call(ctx, p.session, "Input.insertText", map[string]any{"text": text}, nil)
	want, _ := json.Marshal(text)
	if got := p.Eval(ctx, fmt.Sprintf(`document.querySelector(%s).value`, sel)); string(got) != string(want) {
		p.b.t.Fatalf("field %s holds %s after typing", selector, got)
	}
}

// Click clicks the element matching selector and waits for the page it
// leads to (a form's answer) to load.
func (p *Tab) Click(ctx context.Context, selector string) {
	p.b.t.Helper()
	select { // forget a stale load event, if any
	case <-p.loaded:
	default:
	}
	sel, _ := json.Marshal(selector)
	if ok := string(p.Eval(ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) return false; e.click(); return true; })()`, sel))); ok != "true" {
		p.b.t.Fatalf("nothing to click at %s; the page says %q", selector, p.Text(ctx))
	}
	p.waitLoad(ctx)
}

// WaitText waits until the page's visible text contains want (a page may
// move on by itself: a redirect, a refresh) and returns the text; at
// ctx's end it fails the test with what the page says.
func (p *Tab) WaitText(ctx context.Context, want string) string {
	p.b.t.Helper()
	last := "(nothing read)" // what the page said when last read
	for {
		if raw, err := p.b.call(ctx, p.session, "Runtime.evaluate", map[string]any{"expression": "document.body ? document.body.innerText : ''", "returnByValue": true}); err == nil {
			var res struct {
				Result struct {
					Value string `json:"value"`
				} `json:"result"`
			}
			if json.Unmarshal(raw, &res) == nil {
				last = res.Result.Value
			}
		} else if ctx.Err() == nil {
			last = "(not read: " + err.Error() + ")"
		}
		if bytes.Contains([]byte(last), []byte(want)) {
			return last
		}
		select {
		case <-ctx.Done():
			p.b.t.Fatalf("the page never said %q; when last read it said %q", want, last)
		case <-time.After(50 * time.Millisecond): // polling a condition, bounded by ctx
		}
	}
}

// Reload reloads the page and waits for it to load.
func (p *Tab) Reload(ctx context.Context) {
	p.b.t.Helper()
	select { // forget a stale load event, if any
	case <-p.loaded:
	default:
	}
	p.b.Call(ctx, p.session, "Page.reload", map[string]any{"ignoreCache": true}, nil)
	p.waitLoad(ctx)
}

// Screenshot returns a PNG of the page at width×height CSS pixels.
func (p *Tab) Screenshot(ctx context.Context, width, height int) []byte {
	p.b.t.Helper()
	p.b.Call(ctx, p.session, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false,
	}, nil)
	var shot struct {
		Data []byte `json:"data"` // base64 in JSON
	}
	p.b.Call(ctx, p.session, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot)
	return shot.Data
}
