package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plextray/plextray/internal/plextvsim"
	"github.com/plextray/plextray/internal/tooltokens"
)

// Two tools, two tokens, both accepted; the list shows them without a
// secret; revoking one kills exactly its token.
func TestTokensNewListRevoke(t *testing.T) {
	f := newHomeFixture(t, &plextvsim.HomeSpec{})
	code, out := f.runIn("", "tokens", "new", "Kometa")
	kometa := strings.TrimSpace(out)
	if code != ExitOK || strings.Contains(kometa, "\n") || !f.sim.TokenValid(kometa) || kometa == f.acct {
		t.Fatalf("tokens new: %d %q %s", code, out, f.stderr)
	}
	if !strings.Contains(f.stderr.String(), `"Kometa (via plextray)"`) || !strings.Contains(f.stderr.String(), "tokens revoke Kometa") {
		t.Errorf("stderr: %s", f.stderr)
	}
	code, out = f.runIn("", "tokens", "new", "--format", "env", "Home Assistant")
	ha, ok := strings.CutPrefix(strings.TrimSpace(out), "PLEX_TOKEN=")
	if code != ExitOK || !ok || !f.sim.TokenValid(ha) || ha == kometa {
		t.Fatalf("--format env: %d %q %s", code, out, f.stderr)
	}
	if !strings.Contains(f.stderr.String(), "'Home Assistant'") {
		t.Errorf("the revoke hint does not quote the name: %s", f.stderr)
	}
	code, out = f.runIn("", "tokens", "new", "Seerr", "--format=json")
	var js map[string]string
	if code != ExitOK || json.Unmarshal([]byte(out), &js) != nil || js["name"] != "Seerr" || !f.sim.TokenValid(js["token"]) || js["clientIdentifier"] == "" {
		t.Fatalf("--format json: %d %q", code, out)
	}
	code, out = f.runIn("", "tokens", "new", "--format", "compose", "Tautulli")
	if code != ExitOK || !strings.HasPrefix(out, "      - PLEX_TOKEN=") {
		t.Fatalf("--format compose: %d %q", code, out)
	}
	tautulli := strings.TrimPrefix(strings.TrimSpace(out), "- PLEX_TOKEN=")

	// No token in the config folder.
	b, err := os.ReadFile(filepath.Join(f.dir, tooltokens.File))
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{kometa, ha, js["token"], tautulli, f.acct} {
		if strings.Contains(string(b), tok) {
			t.Fatalf("a token is in %s:\n%s", tooltokens.File, b)
		}
	}

	code, out = f.runIn("", "tokens", "--json")
	var rows []toolJSON
	if code != ExitOK || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 4 {
		t.Fatalf("tokens --json: %d %q %s", code, out, f.stderr)
	}
	for _, r := range rows {
		if r.State != "authorized" || r.LastSeenAt == nil || r.CreatedAt.IsZero() || r.Profile != nil {
			t.Errorf("row %+v", r)
		}
	}
	code, table := f.runIn("", "tokens")
	if code != ExitOK || !strings.Contains(table, "Home Assistant") || strings.Count(table, "authorized") != 4 {
		t.Fatalf("tokens: %d\n%s", code, table)
	}
	for _, tok := range []string{kometa, ha, tautulli, f.acct} {
		if strings.Contains(out+table, tok) {
			t.Fatal("tokens prints a token")
		}
	}

	if code, _ := f.runIn("", "tokens", "revoke", "kometa"); code != ExitOK || !strings.Contains(f.stderr.String(), "Revoked Kometa's token") {
		t.Fatalf("revoke: %d %s", code, f.stderr)
	}
	if f.sim.TokenValid(kometa) || !f.sim.TokenValid(ha) || !f.sim.TokenValid(tautulli) || !f.sim.TokenValid(f.acct) {
		t.Fatal("revoking Kometa did not revoke exactly its token")
	}
	if code, _ := f.runIn("", "tokens", "revoke", "Kometa"); code != ExitUsage {
		t.Fatalf("revoking a forgotten tool: %d", code)
	}

	// Revoked elsewhere (plex.tv's Authorized Devices page): listed as such,
	// and revoking it just forgets it.
	f.sim.RevokeToken(ha)
	_, table = f.runIn("", "tokens")
	if !strings.Contains(table, "revoked elsewhere") {
		t.Fatalf("tokens after a revoke elsewhere:\n%s", table)
	}
	if code, _ := f.runIn("", "tokens", "revoke", "Home Assistant"); code != ExitOK || !strings.Contains(f.stderr.String(), "already revoked") {
		t.Fatalf("revoke a revoked one: %d %s", code, f.stderr)
	}
	if v := f.sim.Violations(); len(v) > 0 {
		t.Fatalf("violations: %+v", v)
	}
}

func TestTokensNewRefuses(t *testing.T) {
	f := newHomeFixture(t, &plextvsim.HomeSpec{})
	for _, args := range [][]string{
		{"tokens", "new"}, {"tokens", "new", "a/b"}, {"tokens", "new", "x", "--format", "yaml"},
		{"tokens", "new", "a", "b"}, {"tokens", "frobnicate"}, {"tokens", "revoke"},
	} {
		if code, out := f.runIn("", args...); code != ExitUsage || out != "" {
			t.Errorf("%q: %d %q", args, code, out)
		}
	}
	if len(f.sim.PINs()) != 0 {
		t.Fatal("a refused command asked plex.tv")
	}
	if code, _ := f.runIn("", "tokens", "new", "Kometa"); code != ExitOK {
		t.Fatal(code)
	}
	if code, out := f.runIn("", "tokens", "new", "KOMETA"); code != ExitUsage || out != "" || !strings.Contains(f.stderr.String(), "already has a token") {
		t.Fatalf("same name twice: %d %q %s", code, out, f.stderr)
	}
	f.sim.RevokeToken(f.acct)
	if code, out := f.runIn("", "tokens", "new", "Other"); code != ExitRejected || out != "" {
		t.Fatalf("rejected account token: %d %q", code, out)
	}
}

// A tool token for a Home profile is linked with the profile's token and
// listed with it.
func TestTokensForProfile(t *testing.T) {
	f := newHomeFixture(t, nil)
	code, out := f.runIn("", "tokens", "new", "Kids TV", "--user", "Kid")
	tok := strings.TrimSpace(out)
	if code != ExitOK {
		t.Fatalf("tokens new --user: %d %q %s", code, out, f.stderr)
	}
	if got := f.whose(tok); got != "Kid" {
		t.Fatalf("the tool's token is %q's, want Kid's", got)
	}
	code, out = f.runIn("", "tokens", "--json")
	var rows []toolJSON
	if code != ExitOK || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 1 || rows[0].Profile == nil || *rows[0].Profile != "Kid" || rows[0].State != "authorized" {
		t.Fatalf("tokens --json: %d %s %s", code, out, f.stderr)
	}
	if code, _ := f.runIn("", "tokens", "revoke", "Kids TV"); code != ExitOK || f.sim.TokenValid(tok) {
		t.Fatalf("revoke: %d %s", code, f.stderr)
	}
}

func TestClaim(t *testing.T) {
	f := newHomeFixture(t, &plextvsim.HomeSpec{})
	code, out := f.runIn("", "claim")
	ct := strings.TrimSpace(out)
	if code != ExitOK || !strings.HasPrefix(ct, "claim-") || !f.sim.ClaimTokenValid(ct) {
		t.Fatalf("claim: %d %q %s", code, out, f.stderr)
	}
	if !strings.Contains(f.stderr.String(), "PLEX_CLAIM="+ct) || !strings.Contains(f.stderr.String(), "4 minutes") {
		t.Errorf("stderr: %s", f.stderr)
	}
	if err := f.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointClaim, Status: 503, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if code, out := f.runIn("", "claim"); code != ExitFailure || out != "" {
		t.Fatalf("claim with plex.tv down: %d %q", code, out)
	}
}
