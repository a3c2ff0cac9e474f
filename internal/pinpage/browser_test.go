//go:build linux

package pinpage_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/pinpage"
	"github.com/plextray/plextray/internal/pinpage/chromiumtest"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

// TestPINPageInChromium opens the page in a real headless Chromium (Debian's
// "chromium" package), types a wrong PIN, then the right one, and reads what
// the page says, while the page's Submit switches profiles at the plex.tv
// simulator through the real client. Chromium is driven over the DevTools
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
	pageURL, done, err := pinpage.Serve(ctx, pinpage.Options{Title: teen.Title, Submit: submit, Clock: clock.NewFake(time.Now())})
	if err != nil {
		t.Fatal(err)
	}

	tab := chromiumtest.Start(t, ctx).Open(ctx, pageURL)
	if text := tab.Text(ctx); !strings.Contains(text, "Switch to Teen") {
		t.Fatalf("page says %q", text)
	}

	tab.Type(ctx, "input[name=pin]", "0000")
	tab.Click(ctx, "button[type=submit]")
	if text := tab.Text(ctx); !strings.Contains(text, "Wrong PIN. Try again.") {
		t.Fatalf("after a wrong PIN the page says %q", text)
	}
	select {
	case r := <-done:
		t.Fatalf("the page stopped after a wrong PIN: %v", r.Err)
	default:
	}

	tab.Type(ctx, "input[name=pin]", "1234")
	tab.Click(ctx, "button[type=submit]")
	if text := tab.Text(ctx); !strings.Contains(text, "Switched to Teen — you can close this tab") {
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
