package plextv

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixtures is the repository's testdata/plex-fixtures, seen from this package.
const fixtures = "../../testdata/plex-fixtures"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatalf("fixture missing: %v", err)
	}
	return b
}

func TestDecodePINFixtures(t *testing.T) {
	for _, tc := range []struct {
		file   string
		code   string
		linked bool
	}{
		{"pins/create_link_pin_201.json", "7RQZ", false},
		{"pins/check_link_pin_pending_200.json", "7RQZ", false},
		{"pins/check_link_pin_authorized_200.json", "7RQZ", true},
		{"pins/create_strong_pin_201.json", "adladoqienbfquboqoqiobeoi", false},
		{"pins/check_strong_pin_authorized_200.json", "adladoqienbfquboqoqiobeoi", true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var p PIN
			if err := json.Unmarshal(readFixture(t, tc.file), &p); err != nil {
				t.Fatal(err)
			}
			if p.ID == 0 || p.Code != tc.code || p.Linked() != tc.linked {
				t.Fatalf("got id=%d code=%q linked=%v", p.ID, p.Code, p.Linked())
			}
			if p.ExpiresAt.IsZero() || !p.ExpiresAt.After(p.CreatedAt.Time) {
				t.Fatalf("expiry not decoded: created %v expires %v", p.CreatedAt, p.ExpiresAt)
			}
			if tc.linked && !strings.HasPrefix(p.AuthToken.Reveal(), "FxAcctTok_") {
				t.Fatalf("token = %q", p.AuthToken.Reveal())
			}
		})
	}
}

func TestDecodeUserFixture(t *testing.T) {
	var u User
	if err := json.Unmarshal(readFixture(t, "user/user_200.json"), &u); err != nil {
		t.Fatal(err)
	}
	if u.Username != "ZjFvKLCb" || u.ID != 62735028 || u.DisplayName() != "ZjFvKLCb" {
		t.Fatalf("user = %+v", u)
	}
}

func TestDecodeResourceFixtures(t *testing.T) {
	for _, tc := range []struct {
		file             string
		devices, servers int
	}{
		{"resources/resources_spec_example.json", 7, 7},
		{"resources/resources_mixed_players_ipv6.json", 7, 3},
		{"resources/resources_empty.json", 0, 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var rs []Resource
			if err := json.Unmarshal(readFixture(t, tc.file), &rs); err != nil {
				t.Fatal(err)
			}
			srv := Servers(rs)
			if len(rs) != tc.devices || len(srv) != tc.servers {
				t.Fatalf("devices=%d servers=%d", len(rs), len(srv))
			}
			for _, s := range srv {
				if s.ClientIdentifier == "" || s.AccessToken.IsZero() {
					t.Errorf("server %q: missing id or token", s.Name)
				}
			}
		})
	}
}

func TestDecodeSpecDetails(t *testing.T) {
	var rs []Resource
	if err := json.Unmarshal(readFixture(t, "resources/resources_mixed_players_ipv6.json"), &rs); err != nil {
		t.Fatal(err)
	}
	byName := map[string]Resource{}
	for _, r := range rs {
		byName[r.Name] = r
	}
	sm := byName["StreamMaster"]
	if !sm.Owned || sm.OwnerID != nil || len(sm.Connections) != 5 {
		t.Fatalf("StreamMaster = %+v", sm)
	}
	var v6, relay int
	for _, c := range sm.Connections {
		if c.IPv6 {
			v6++
		}
		if c.Relay {
			relay++
		}
	}
	if v6 != 1 || relay != 1 {
		t.Fatalf("ipv6=%d relay=%d", v6, relay)
	}
	px := byName["Plexify"]
	if px.Presence || px.Platform != "" || px.Owned || px.SourceTitle != "PlayerOne" {
		t.Fatalf("Plexify = %+v", px)
	}
	if tv := byName["AppleTV"]; tv.IsServer() || !tv.AccessToken.IsZero() {
		t.Fatalf("AppleTV = %+v", tv)
	}
}

func TestErrorEnvelopeFixtures(t *testing.T) {
	for _, tc := range []struct {
		file   string
		status int
		path   string
		is     error
		code   int
	}{
		{"pins/check_pin_expired_404.json", 404, "/api/v2/pins/1", ErrPINExpired, 1020},
		{"pins/check_pin_rate_limited_429.json", 429, "/api/v2/pins/1", ErrRateLimited, 1003},
		{"errors/unauthorized_401.json", 401, "/api/v2/user", ErrTokenInvalid, 1001},
		{"errors/bad_request_400.json", 400, "/api/v2/pins", nil, 1000},
	} {
		t.Run(tc.file, func(t *testing.T) {
			resp := &http.Response{StatusCode: tc.status, Header: http.Header{"Retry-After": {"7"}}}
			err := statusError("op", tc.path, resp, readFixture(t, tc.file))
			var se *StatusError
			if !errors.As(err, &se) || len(se.API) != 1 || se.API[0].Code != tc.code {
				t.Fatalf("err = %#v", err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("%v is not %v", err, tc.is)
			}
			if tc.is == nil && (errors.Is(err, ErrPINExpired) || errors.Is(err, ErrTokenInvalid) || errors.Is(err, ErrRateLimited)) {
				t.Fatalf("%v wrongly classified", err)
			}
			if tc.status == 429 && se.RetryAfter != 7*time.Second {
				t.Fatalf("retry after = %v", se.RetryAfter)
			}
			if got := IsTransient(err); got != (tc.status == 429) {
				t.Fatalf("IsTransient = %v", got)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"3":                             3 * time.Second,
		"-1":                            0,
		"soon":                          0,
		"Thu, 01 Jan 2026 00:00:10 GMT": 10 * time.Second,
		"Wed, 31 Dec 2025 23:59:00 GMT": 0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestTokenRedacted(t *testing.T) {
	tok := Token("FxAcctTok_secret")
	for _, s := range []string{tok.String(), tok.GoString(), tok.LogValue().String()} {
		if strings.Contains(s, "secret") {
			t.Fatalf("token leaked: %q", s)
		}
	}
	if tok.Reveal() != "FxAcctTok_secret" {
		t.Fatal("Reveal changed the token")
	}
}

func TestParseBaseURL(t *testing.T) {
	ok := []string{"https://plex.tv", "https://plex.tv/", "http://127.0.0.1:32499", "http://localhost:1", "http://[::1]:80"}
	bad := []string{"http://plex.tv", "http://192.168.1.2:32400", "ftp://plex.tv", "plex.tv", "https://u:p@plex.tv", "https://plex.tv?X-Plex-Token=x", ""}
	for _, s := range ok {
		if _, err := ParseBaseURL(s); err != nil {
			t.Errorf("ParseBaseURL(%q) = %v", s, err)
		}
	}
	for _, s := range bad {
		if _, err := ParseBaseURL(s); err == nil {
			t.Errorf("ParseBaseURL(%q) accepted", s)
		}
	}
}

func TestLinkAndAppURLs(t *testing.T) {
	if got := LinkURL("https://plex.tv/", "7RQZ"); got != "https://plex.tv/link/?pin=7RQZ" {
		t.Fatal(got)
	}
	got := AuthAppURL("https://app.plex.tv", "cid-1", "abc", "plextray")
	want := "https://app.plex.tv/auth#?clientID=cid-1&code=abc&context%5Bdevice%5D%5Bproduct%5D=plextray"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// The decoders must never panic and must keep tolerating the fixtures'
// shapes; fuzzing starts from every fixture.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{
		"pins/create_link_pin_201.json", "pins/check_link_pin_authorized_200.json",
		"user/user_200.json", "resources/resources_spec_example.json",
		"pins/check_pin_expired_404.json",
	} {
		if b, err := os.ReadFile(filepath.Join(fixtures, name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"id":1,"code":"A","createdAt":12,"expiresAt":"x","authToken":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p PIN
		_ = json.Unmarshal(b, &p)
		var u User
		_ = json.Unmarshal(b, &u)
		var rs []Resource
		if json.Unmarshal(b, &rs) == nil {
			_ = Servers(rs)
		}
		resp := &http.Response{StatusCode: 404, Header: http.Header{}}
		if err := statusError("op", "/api/v2/pins/1", resp, b); !errors.Is(err, ErrPINExpired) {
			t.Fatalf("404 on a PIN not classified: %v", err)
		}
	})
}
