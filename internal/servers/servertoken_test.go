package servers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/plextv"
)

// Plan carries the server's own token and lastSeenAt; the token never
// shows in JSON, fmt or slog output. (The front ends' words and tables
// are tested where they live.)
func TestServerTokenAndLastSeen(t *testing.T) {
	r := server("Dad's Plex", idB, false, conn("http://127.0.0.1:9", false, true))
	r.AccessToken = "SrvSecret123"
	seen := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	r.LastSeenAt = plextv.Time{Time: seen}
	s := Plan([]plextv.Resource{r})[0]
	if s.AccessToken.Reveal() != "SrvSecret123" || !s.LastSeenAt.Equal(seen) {
		t.Fatalf("token %q last seen %v", s.AccessToken.Reveal(), s.LastSeenAt)
	}
	var logs bytes.Buffer
	js, err := json.Marshal([]Server{s})
	if err != nil {
		t.Fatal(err)
	}
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "server", s, "token", s.AccessToken)
	for name, out := range map[string]string{
		"json": string(js), "slog": logs.String(),
		"%v": fmt.Sprintf("%v", s), "%+v": fmt.Sprintf("%+v", s), "%#v": fmt.Sprintf("%#v", s),
	} {
		if strings.Contains(out, "SrvSecret123") {
			t.Errorf("%s output contains the server token:\n%s", name, out)
		}
	}
}
