package session

import (
	"context"

	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/servers"
)

// ProberChecker adapts a servers.Prober to the session: it starts from the
// plan (every server "checking…") and replaces one server at a time as its
// probes finish, so the menu updates in place.
type ProberChecker struct{ Prober *servers.Prober }

func (c ProberChecker) Check(ctx context.Context, rs []plextv.Resource, update func([]Server)) ([]Server, error) {
	list := servers.Plan(rs)
	view := func() []Server {
		out := make([]Server, len(list))
		for i, s := range list {
			out[i] = fromServer(s)
		}
		return out
	}
	update(view())
	final := c.Prober.Stream(ctx, rs, func(e servers.Event) {
		if e.Index >= 0 && e.Index < len(list) {
			list[e.Index] = e.Server
			update(view())
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]Server, len(final))
	for i, s := range final {
		out[i] = fromServer(s)
	}
	return out, nil
}

func fromServer(s servers.Server) Server {
	out := Server{
		ID:      s.ClientIdentifier,
		Name:    s.Name,
		Owned:   s.Owned,
		Owner:   s.SourceTitle,
		Summary: s.Summary(),
		Best:    s.Best,
		Decided: s.Decided,
	}
	for _, c := range s.Connections {
		out.Connections = append(out.Connections, Connection{
			URI:   c.URI,
			Label: c.Kind() + " · " + c.Label(),
			OK:    c.State == servers.Reachable,
		})
	}
	return out
}
