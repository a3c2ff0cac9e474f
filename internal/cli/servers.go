package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/plextv"
)

// serversOpts are the flags of servers.
type serversOpts struct {
	json    bool
	timeout time.Duration
}

func serversCmd(io IO, o serversOpts) int {
	asJSON, timeout := &o.json, &o.timeout
	// The same token as the tray's check and 'uri': PLEXTRAY_TOKEN, else
	// the active Plex Home profile's, else the account's.
	return withServerToken(io, "servers", func(ctx context.Context, env *app.Env, tok plextv.Token, io IO) int {
		checker := env.Checker(*timeout)
		defer checker.Prober.Close()
		sv := env.Services(checker)
		sv.ListTimeout = *timeout // a hung plex.tv is bounded too
		list, err := sv.Servers(ctx, tok, nil, nil)
		if err != nil {
			return explain(io, "listing servers", err)
		}
		if ctx.Err() != nil {
			fmt.Fprintf(io.Stderr, "%s servers: interrupted\n", io.Prog)
			return ExitFailure
		}
		if *asJSON {
			err = writeJSONAt(io.Stdout, list, io.now())
		} else {
			err = writeTableAt(io.Stdout, list, io.now())
		}
		if err != nil {
			fmt.Fprintf(io.Stderr, "%s servers: %v\n", io.Prog, err)
			return ExitFailure
		}
		return ExitOK
	})
}
