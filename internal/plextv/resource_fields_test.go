package plextv

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestDecodeLastSeenAtAndAccessToken(t *testing.T) {
	var rs []Resource
	if err := json.Unmarshal(readFixture(t, "resources/resources_mixed_players_ipv6.json"), &rs); err != nil {
		t.Fatal(err)
	}
	for _, r := range Servers(rs) {
		if r.LastSeenAt.IsZero() {
			t.Errorf("server %q: lastSeenAt not decoded", r.Name)
		}
	}
	want := time.Date(2024, 9, 4, 10, 25, 11, 0, time.UTC)
	found := false
	for _, r := range rs {
		found = found || r.LastSeenAt.Equal(want)
	}
	if !found {
		t.Errorf("no resource last seen at %v", want)
	}

	cases := map[string]time.Time{
		`"2024-09-04T10:25:11Z"`:        want,
		`"2024-09-04T12:25:11.5+02:00"`: want.Add(500 * time.Millisecond),
		`1725445511`:                    want,
		`"1725445511"`:                  want,
		`null`:                          {},
		`"yesterday"`:                   {},
		`true`:                          {},
		`1.5`:                           {},
	}
	for in, wantT := range cases {
		var r Resource
		if err := json.Unmarshal([]byte(`{"lastSeenAt":`+in+`,"accessToken":"SrvTok123"}`), &r); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if !r.LastSeenAt.Equal(wantT) {
			t.Errorf("%s: lastSeenAt %v, want %v", in, r.LastSeenAt.Time, wantT)
		}
		if r.AccessToken.Reveal() != "SrvTok123" {
			t.Errorf("accessToken %q", r.AccessToken.Reveal())
		}
		// The server token must not leak through any print of the resource.
		for _, s := range []string{fmt.Sprint(r), fmt.Sprintf("%+v", r), fmt.Sprintf("%#v", r)} {
			if strings.Contains(s, "SrvTok123") {
				t.Errorf("resource print leaks the token: %s", s)
			}
		}
	}
}
