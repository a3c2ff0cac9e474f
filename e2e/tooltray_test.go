//go:build linux

package e2e

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/e2e/desktop"
)

// TestTrayToolTokens: the tray's "Tokens for tools" submenu lists a tool
// the command line made, within seconds; "New token for a tool…" opens a
// one-time local page that makes a token plex.tv accepts and shows it
// once, and the submenu lists that tool too; Revoke… kills exactly that
// tool's token at plex.tv.
func TestTrayToolTokens(t *testing.T) {
	w := newWorld(t, desktop.Options{})
	app, tr := w.start()
	w.signIn(tr)
	own := w.storedToken()

	tr.WaitFor(t, "the empty submenu", func(m desktop.MenuItem) bool {
		tools := m.Find("Tokens for tools")
		return tools != nil && tools.Find("No tool tokens yet") != nil && tools.Find("New token for a tool…") != nil
	}, wait)
	code, kometa, errs := w.cli("", "tokens", "new", "Kometa")
	kometa = strings.TrimSpace(kometa)
	if code != 0 || kometa == "" {
		t.Fatalf("tokens new Kometa: exit %d\n%s", code, errs)
	}
	tr.WaitFor(t, "Kometa in the submenu", func(m desktop.MenuItem) bool {
		tools := m.Find("Tokens for tools")
		return tools != nil && tools.Find("Kometa") != nil && tools.Find("No tool tokens yet") == nil
	}, wait)

	// New token for a tool…: the page, driven as its form is.
	tr.ClickLabel(t, "New token for a tool…")
	page := w.pinPage(w.d.WaitOpenedURL(t, wait))
	body := w.getPage(page)
	if !strings.Contains(body, `name="name"`) {
		t.Fatalf("the page has no name field:\n%s", body)
	}
	pu, _ := url.Parse(page)
	req, _ := http.NewRequest("POST", page, strings.NewReader(url.Values{"name": {"Tautulli"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://"+pu.Host)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	var tautulli string
	deadline := time.Now().Add(wait)
	for tautulli == "" && time.Now().Before(deadline) {
		body = w.getPage(page)
		if m := regexp.MustCompile(`<pre id="token">([^<]+)</pre>`).FindStringSubmatch(body); m != nil {
			tautulli = html.UnescapeString(m[1])
			break
		}
		if !strings.Contains(body, "Making a token") {
			t.Fatalf("the page shows no token:\n%s", body)
		}
		time.Sleep(50 * time.Millisecond) // polling a condition, bounded
	}
	if tautulli == "" {
		t.Fatal("the page kept making the token")
	}
	if !strings.Contains(body, "PLEX_TOKEN="+tautulli) || !strings.Contains(body, "      - PLEX_TOKEN="+tautulli) || !strings.Contains(body, `data-copy="token"`) {
		t.Fatalf("the page lacks the lines to paste or the Copy button:\n%s", body)
	}
	if err := w.ping(tautulli); err != nil {
		t.Fatalf("plex.tv refuses the page's token: %v", err)
	}
	if tautulli == kometa || tautulli == own {
		t.Fatal("the page handed out a token another holds")
	}
	if again := w.getPage(page); strings.Contains(again, tautulli) {
		t.Fatal("the page shows the token a second time")
	}
	tr.WaitFor(t, "Tautulli in the submenu", func(m desktop.MenuItem) bool {
		tools := m.Find("Tokens for tools")
		return tools != nil && tools.Find("Tautulli") != nil && tools.Find("Kometa") != nil
	}, wait)

	// Revoke… Kometa: exactly its token stops working.
	lay := tr.WaitFor(t, "the submenu", has("Tokens for tools"), wait)
	revoke := lay.Find("Tokens for tools").Find("Kometa").Find("Revoke…")
	if revoke == nil || !revoke.Enabled {
		t.Fatalf("no Revoke… under Kometa:\n%s", lay.Tree())
	}
	if err := tr.Click(revoke.ID); err != nil {
		t.Fatal(err)
	}
	tr.WaitFor(t, "the revoke notice, Kometa gone", func(m desktop.MenuItem) bool {
		tools := m.Find("Tokens for tools")
		return m.Find("Revoked Kometa's token") != nil && tools != nil && tools.Find("Kometa") == nil && tools.Find("Tautulli") != nil
	}, wait)
	if w.ping(kometa) == nil {
		t.Fatal("plex.tv still accepts Kometa's revoked token")
	}
	for who, tok := range map[string]string{"Tautulli": tautulli, "plextray": own} {
		if err := w.ping(tok); err != nil {
			t.Fatalf("revoking Kometa broke %s's token: %v", who, err)
		}
	}
	if code, out, errs := w.cli("", "tokens", "--json"); code != 0 || strings.Contains(out, "Kometa") || !strings.Contains(out, "Tautulli") {
		t.Fatalf("tokens --json after the tray's revoke: exit %d %s\n%s", code, out, errs)
	}
	quit(t, app, tr)
	noSecretLeft(t, w, tautulli, "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")
	if v := w.sim.Violations(); len(v) > 0 {
		t.Fatalf("violations: %+v", v)
	}
}

// getPage reads a local page as a browser would.
func (w *world) getPage(page string) string {
	w.t.Helper()
	resp, err := http.Get(page)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
