//go:build linux

package pinpage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/localpage"
	"github.com/plextray/plextray/internal/pinpage"
	"github.com/plextray/plextray/internal/pinpage/chromiumtest"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

// TestPINPageInChromium opens the page's launch file in a real headless
// Chromium (Debian's "chromium" package), follows it to the page, types a
// wrong PIN, then the right one, reads what the page says and reloads it,
// while the page's Submit switches profiles at the plex.tv simulator
// through the real client. Chromium is driven over the DevTools
// protocol on a pipe (package chromiumtest).
func TestPINPageInChromium(t *testing.T) {
	chromiumtest.Binary(t) // skip or fail early, before starting anything
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
	srv, err := localpage.Listen(filepath.Join(t.TempDir(), "pages"))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	launch, done, err := pinpage.Serve(ctx, pinpage.Options{Title: teen.Title, Submit: submit, Clock: clock.NewFake(time.Now()), Server: srv})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(launch, "file:///") {
		t.Fatalf("the browser would be given %q, want the launch file", launch)
	}

	// The browser is given the launch file; it goes on to the page.
	tab := chromiumtest.Start(t, ctx).Open(ctx, launch)
	tab.WaitText(ctx, "Enter Teen's PIN")
	var at string
	if err := json.Unmarshal(tab.Eval(ctx, "location.href"), &at); err != nil || !strings.HasPrefix(at, "http://127.0.0.1:") {
		t.Fatalf("the tab is at %q (%v)", at, err)
	}
	// A visible label, and the small print saying where the PIN goes.
	var label string
	_ = json.Unmarshal(tab.Eval(ctx, `(() => { const l = document.querySelector('label[for=pin]'); return l && l.offsetHeight > 0 ? l.innerText : ''; })()`), &label)
	if label != "Teen's 4-digit PIN" {
		t.Fatalf("the field's visible label is %q", label)
	}
	tab.WaitText(ctx, "This page is served by plextray on this computer; your PIN goes only to plex.tv; it expires in 2 minutes.")
	shot(t, tab, "pin-page.png")

	tab.Type(ctx, "input[name=pin]", "0000")
	tab.Click(ctx, "button[type=submit]")
	tab.WaitText(ctx, "Wrong PIN. 4 tries left.")
	select {
	case r := <-done:
		t.Fatalf("the page ended after a wrong PIN: %v", r.Err)
	default:
	}

	tab.Type(ctx, "input[name=pin]", "1234")
	tab.Click(ctx, "button[type=submit]")
	tab.WaitText(ctx, "plextray now uses Teen's token. You can close this tab.")
	shot(t, tab, "pin-page-done.png")
	select {
	case r := <-done:
		if r.Err != nil {
			t.Fatalf("result: %v", r.Err)
		}
	case <-ctx.Done():
		t.Fatal("the page did not end after success")
	}
	// Reloading after success shows the success again.
	tab.Reload(ctx)
	tab.WaitText(ctx, "Switched to Teen")

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

// shot takes a screenshot of the tab, checks it is a PNG of the size asked
// for, and with PLEXTRAY_SCREENSHOTS=DIR (scripts/screenshot.sh) keeps it
// there for the README.
func shot(t *testing.T, tab *chromiumtest.Tab, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b := tab.Screenshot(ctx, 640, 440)
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil || img.Bounds().Dx() != 640 || img.Bounds().Dy() != 440 {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if dir := os.Getenv("PLEXTRAY_SCREENSHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
