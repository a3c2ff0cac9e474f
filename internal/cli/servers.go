package cli

import (
	"context"
	"fmt"

	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/servers"
)

func serversCmd(args []string, io IO) int {
	fs := flags("servers", "servers [--json] [--timeout 3s]", io)
	asJSON := fs.Bool("json", false, "print JSON: an array of servers with their best URI and every connection's state")
	timeout := fs.Duration("timeout", servers.DefaultTimeout, "how long each connection may take to answer")
	return withToken(fs, args, io, true, func(ctx context.Context, env *app.Env, tok plextv.Token) int {
		rctx, cancel := callCtx(ctx)
		rs, err := env.PlexTV.Resources(rctx, tok)
		cancel()
		if err != nil {
			return explain(io, "listing servers", err)
		}
		p := servers.New(servers.Options{Info: env.Info, Timeout: *timeout})
		defer p.Close()
		list := p.Check(ctx, plextv.Servers(rs))
		if ctx.Err() != nil {
			fmt.Fprintln(io.Stderr, "tray servers: interrupted")
			return ExitFailure
		}
		if *asJSON {
			err = servers.WriteJSON(io.Stdout, list)
		} else {
			err = servers.WriteTable(io.Stdout, list)
		}
		if err != nil {
			fmt.Fprintf(io.Stderr, "tray servers: %v\n", err)
			return ExitFailure
		}
		return ExitOK
	})
}
