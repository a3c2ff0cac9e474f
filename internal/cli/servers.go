package cli

import (
	"context"
	"fmt"

	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/plextv"
)

func serversCmd(args []string, io IO) int {
	fs := flags("servers", "servers [--json] [--timeout 3s]", io)
	asJSON := fs.Bool("json", false, "print JSON: an array of servers with their best URI and every connection's state")
	def := io.Settings.Probe()
	timeout := fs.Duration("timeout", def, "how long plex.tv may take to list the servers, and each connection to answer (also PLEXTRAY_PROBE_TIMEOUT)")
	if code, done := parse(fs, args, io); done {
		return code
	}
	if *timeout <= 0 {
		fmt.Fprintf(io.Stderr, "%s servers: --timeout %s: want a positive duration like 3s\n", io.Prog, *timeout)
		return ExitUsage
	}
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
