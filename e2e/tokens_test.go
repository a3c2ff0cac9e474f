//go:build linux

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/e2e/desktop"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

// TestToolTokensFromTheCommandLine is the story of tokens for other
// programs, from the command line against the simulator: two tools get
// two different tokens, both accepted by plex.tv; plextray signing in
// again leaves both working; `tokens` lists both with no secret; revoking
// one kills exactly that token; `claim` prints a claim token; and no tool
// token is in any file, log, keychain entry, command line or environment.
func TestToolTokensFromTheCommandLine(t *testing.T) {
	w := newWorld(t, desktop.Options{})
	own := w.cliLogin()
	// Signed in, login without --force changes nothing: a script can't
	// be asked, and a second sign-in would rotate the token.
	if code, _, errs := w.cli("", "login", "--no-browser"); code != 2 || !strings.Contains(errs, "--force") {
		t.Fatalf("login while signed in: exit %d\n%s", code, errs)
	}

	code, kometa, errs := w.cli("", "tokens", "new", "Kometa")
	kometa = strings.TrimSpace(kometa)
	if code != 0 || kometa == "" || strings.Contains(errs, kometa) {
		t.Fatalf("tokens new Kometa: exit %d\n%s", code, errs)
	}
	code, out, errs := w.cli("", "tokens", "new", "Home Assistant", "--format", "env")
	ha, ok := strings.CutPrefix(strings.TrimSpace(out), "PLEX_TOKEN=")
	if code != 0 || !ok || strings.Contains(errs, ha) {
		t.Fatalf("tokens new 'Home Assistant' --format env: exit %d, %q\n%s", code, out, errs)
	}
	if kometa == ha || kometa == own || ha == own {
		t.Fatal("the tools and plextray do not hold three different tokens")
	}
	for name, tok := range map[string]string{"Kometa": kometa, "Home Assistant": ha} {
		if err := w.ping(tok); err != nil {
			t.Fatalf("plex.tv refuses %s's token: %v", name, err)
		}
	}
	products := map[string]bool{}
	for _, d := range w.sim.Devices("") {
		products[d.Product] = true
	}
	if !products["Kometa (via plextray)"] || !products["Home Assistant (via plextray)"] {
		t.Fatalf("plex.tv's Authorized Devices: %v", products)
	}

	// plextray signs in again (same client identifier: its own token
	// rotates); the tools' tokens keep working.
	own2 := w.cliLogin("--force")
	if w.ping(own) == nil || w.ping(own2) != nil {
		t.Fatal("the second sign-in did not replace plextray's own token")
	}
	for name, tok := range map[string]string{"Kometa": kometa, "Home Assistant": ha} {
		if err := w.ping(tok); err != nil {
			t.Fatalf("a new sign-in of plextray broke %s's token: %v", name, err)
		}
	}

	code, out, errs = w.cli("", "tokens", "--json")
	var rows []struct {
		Name, State string
		LastSeenAt  *time.Time
	}
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 2 {
		t.Fatalf("tokens --json: exit %d %q\n%s", code, out, errs)
	}
	for _, r := range rows {
		if r.State != "authorized" || r.LastSeenAt == nil {
			t.Errorf("tokens --json: %+v", r)
		}
	}
	code, table, _ := w.cli("", "tokens")
	if code != 0 || !strings.Contains(table, "Kometa") || !strings.Contains(table, "Home Assistant") {
		t.Fatalf("tokens: exit %d\n%s", code, table)
	}
	for _, tok := range []string{kometa, ha, own2} {
		if strings.Contains(out+table, tok) {
			t.Fatalf("tokens shows a token:\n%s\n%s", out, table)
		}
	}

	if code, _, errs := w.cli("", "tokens", "revoke", "Kometa"); code != 0 {
		t.Fatalf("tokens revoke Kometa: exit %d\n%s", code, errs)
	}
	if !errors.Is(w.ping(kometa), plextv.ErrTokenInvalid) || w.ping(ha) != nil || w.ping(own2) != nil {
		t.Fatal("revoking Kometa did not kill exactly Kometa's token")
	}
	if _, out, _ := w.cli("", "tokens", "--json"); !strings.Contains(out, "Home Assistant") || strings.Contains(out, "Kometa") {
		t.Fatalf("after revoke: %s", out)
	}

	code, claim, errs := w.cli("", "claim")
	claim = strings.TrimSpace(claim)
	if code != 0 || !strings.HasPrefix(claim, "claim-") || !w.sim.ClaimTokenValid(claim) || !strings.Contains(errs, "PLEX_CLAIM="+claim) {
		t.Fatalf("claim: exit %d %q\n%s", code, claim, errs)
	}

	// The tools' tokens are nowhere but where they were printed once: not
	// in the config, state, cache or data folders (the keyring's files
	// included), not in the keychain, not in any command line or
	// environment.
	if found, err := w.d.SecretSearch("plextray"); err != nil && found == "" {
		t.Fatalf("secret-tool search: %v", err)
	} else {
		for _, tok := range []string{kometa, ha} {
			if strings.Contains(found, tok) {
				t.Fatal("a tool's token is in the keychain")
			}
		}
	}
	for _, tok := range []string{kometa, ha} {
		noSecretLeft(t, w, tok, "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")
	}
	if v := w.sim.Violations(); len(v) > 0 {
		t.Fatalf("violations: %+v", v)
	}
}

// cliLogin signs plextray in from the command line (`login --no-browser`),
// linking its code as a person would, and returns the token it stored.
func (w *world) cliLogin(flags ...string) string {
	t := w.t
	t.Helper()
	before := len(w.sim.PINs())
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.bin, append([]string{"login", "--no-browser"}, flags...)...)
	cmd.Env = w.d.Env(w.env...)
	var errs strings.Builder
	cmd.Stderr = &errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pin plextvsim.PIN
	for ctx.Err() == nil {
		if pins := w.sim.PINs(); len(pins) > before {
			pin = pins[len(pins)-1]
			break
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, bounded by ctx
	}
	if pin.Code == "" {
		t.Fatalf("login made no PIN\n%s", errs.String())
	}
	if _, err := w.sim.LinkPIN(pin.Code, ""); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("login: %v\n%s", err, errs.String())
	}
	tok := w.storedToken()
	if !w.sim.TokenValid(tok) || slices.ContainsFunc(w.sim.Devices(""), func(d plextvsim.Device) bool {
		return d.Token == tok && d.ClientIdentifier != pin.ClientIdentifier
	}) {
		t.Fatalf("login stored no working token\n%s", errs.String())
	}
	return tok
}

// ping asks plex.tv (the simulator, over the real client) whether it
// accepts tok.
func (w *world) ping(tok string) error {
	c, err := plextv.New(w.sim.URL(), plextv.Info{Product: "e2e", Version: "e2e", ClientIdentifier: "e2e-ping"})
	if err != nil {
		w.t.Fatal(err)
	}
	return c.Ping(context.Background(), plextv.Token(tok))
}

// TestTrayClaimTokenAndPlexWeb: the tray's Copy claim token puts a claim
// token plex.tv accepts on the clipboard, and each server's Open Plex Web
// opens a local server's own /web, else the web app on its library.
func TestTrayClaimTokenAndPlexWeb(t *testing.T) {
	w := newWorld(t, desktop.Options{})
	app, tr := w.start()
	w.signIn(tr)

	tr.ClickLabel(t, "Copy claim token")
	claim := w.waitClipboard("a claim token", func(s string) bool { return strings.HasPrefix(s, "claim-") })
	if !w.sim.ClaimTokenValid(claim) {
		t.Fatalf("the copied claim token %q is not one plex.tv handed out", claim)
	}
	tr.WaitFor(t, "the claim notice", has("Claim token copied; use it within 4m0s"), wait)
	w.d.WaitNotification(t, func(n desktop.Notification) bool {
		return n.Summary == "Claim token copied" && strings.Contains(n.Body, "PLEX_CLAIM") && !strings.Contains(n.Body, claim)
	}, wait)

	lay := tr.WaitFor(t, "servers checked", func(m desktop.MenuItem) bool {
		return m.Find("Living Room — local") != nil && m.Find("Dad's Plex (shared) — relay") != nil
	}, wait)
	before := len(w.d.OpenedURLs())
	for _, tc := range []struct {
		server, want string
	}{
		{"Living Room", w.sim.FindPMS("Living Room").URL() + "/web"},
		{"Dad's Plex (shared)", w.sim.URL() + "/desktop/#!/media/"},
	} {
		open := lay.Find("Server details").Find(tc.server).Find("Open Plex Web")
		if open == nil || !open.Enabled {
			t.Fatalf("no Open Plex Web under %s:\n%s", tc.server, lay.Tree())
		}
		if err := tr.Click(open.ID); err != nil {
			t.Fatal(err)
		}
		got := w.d.WaitOpenedURL(t, wait)
		if !strings.HasPrefix(got, tc.want) || (strings.Contains(tc.want, "#!") && !strings.HasSuffix(got, "/com.plexapp.plugins.library")) {
			t.Fatalf("Open Plex Web under %s opened %q, want %s…", tc.server, got, tc.want)
		}
	}
	if n := len(w.d.OpenedURLs()); n != before+2 {
		t.Fatalf("%d pages opened, want 2", n-before)
	}
	quit(t, app, tr)
}
