package tray

import (
	"testing"
	"time"

	"github.com/plextray/plextray/internal/servers"
)

// BenchmarkRenderServer is one server row's rendering (its row in Servers
// and its submenu's items), what the Renderer redraws per changed server:
// three connections, one of them a plex.direct name.
//
//	go test -run '^$' -bench RenderServer -benchmem ./internal/tray/
func BenchmarkRenderServer(b *testing.B) {
	pd := "https://192-168-1-5.0123456789abcdef0123456789abcdef.plex.direct:32400"
	srv := servers.Server{ClientIdentifier: "a", Name: "Living Room", Owned: true, Best: pd, BestIndex: 0, Decided: true,
		URI: pd, URIKind: servers.URIBest, Connections: []servers.Connection{
			{URI: pd, Protocol: "https", Local: true, State: servers.Reachable, Latency: 4 * time.Millisecond},
			{URI: "https://203.0.113.7:32400", Protocol: "https", State: servers.TimedOut},
			{URI: "https://139-162-1-2.0123456789abcdef0123456789abcdef.plex.direct:8443", Protocol: "https", Relay: true, State: servers.Refused},
		}}
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		renderServer(srv, now, time.Time{}, Options{})
	}
}
