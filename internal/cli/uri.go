package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/lastcheck"
	"github.com/plextray/plextray/internal/netwatch"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/servers"
	"github.com/plextray/plextray/internal/wording"
)

// `uri` and `token --server`: one server, for scripts. Both use the token
// the tray's server check uses: PLEXTRAY_TOKEN when set, else the active
// Plex Home profile's, else the account's.

// uriJSON is the shape of `uri --json`; full values from plex.tv.
type uriJSON struct {
	Name             string   `json:"name"`
	ClientIdentifier string   `json:"clientIdentifier"`
	URI              string   `json:"uri"`
	Kind             string   `json:"kind"`  // best, other_connection, needs_plex_direct_dns
	Class            string   `json:"class"` // local, remote, relay
	Protocol         string   `json:"protocol"`
	LatencyMs        *float64 `json:"latencyMs"`
	DecidedMs        *float64 `json:"decidedMs"`
	// CheckedAt is when the check that found the URI ran: the running
	// tray's (its menu's "Checked at"), or this command's own (its start).
	CheckedAt time.Time `json:"checkedAt"`
}

// uriOpts are the flags of uri.
type uriOpts struct {
	json    bool
	check   bool // never the tray's last check
	timeout time.Duration
}

func uriCmd(io IO, query string, o uriOpts) int {
	if !o.check {
		if code, ok := uriFromTray(io, query, o.json); ok {
			return code
		}
	}
	if io.OneProcessor != nil {
		io.OneProcessor()
	}
	asJSON, timeout := &o.json, &o.timeout
	return withServerToken(io, "uri", func(ctx context.Context, env *app.Env, tok plextv.Token, io IO) int {
		started := io.now()
		checker := env.CheckerWithin(*timeout, *timeout)
		defer checker.Prober.Close()
		sv := env.Services(checker)
		sv.ListTimeout = *timeout // a hung plex.tv is bounded too
		best, err := sv.BestURI(ctx, tok, query)
		if err != nil {
			if plextv.IsTransient(err) && !o.check {
				if code, ok := uriDespite(io, query, *asJSON, err); ok {
					return code
				}
			}
			return serverErr(io, "uri", query, err, *timeout)
		}
		if code := printURI(io, *asJSON, uriJSON{
			Name: best.Server.Name, ClientIdentifier: best.Server.ClientIdentifier,
			URI: best.URI, Kind: best.Kind.String(), Class: best.Class.String(), Protocol: best.Connection.Protocol,
			LatencyMs: ms(best.Latency), DecidedMs: ms(best.After), CheckedAt: started,
		}); code != ExitOK {
			return code
		}
		noteSelected(io, best.Selected, best.Server)
		switch best.Kind {
		case servers.URIOther:
			fmt.Fprintf(io.Stderr, "note: not the fastest connection, %s: this network's DNS does not resolve that name (allow plex.direct in your router's DNS-rebinding protection).\n", uri(best.Server.Best))
		case servers.URINeedsDNS:
			fmt.Fprintln(io.Stderr, "note: "+needsDNSNote(best.Server))
		}
		return ExitOK
	})
}

// noteSelected names on stderr a server uri chose without being told.
func noteSelected(io IO, how servers.Selection, s servers.Server) {
	switch how {
	case servers.SelectedOnly:
		fmt.Fprintf(io.Stderr, "%s: the only server.\n", wording.ServerName(s))
	case servers.SelectedFirstOwned:
		fmt.Fprintf(io.Stderr, "%s: the first server you own (name another: '%s uri NAME').\n", wording.ServerName(s), io.Prog)
	}
}

// uriFromTray answers uri from the running tray's last check when that
// check is current here (see package lastcheck); ok false: check now.
// PLEXTRAY_TOKEN may be another account's token, so it is never
// answered for. Nothing here reads the keychain or the network: the
// answer is a file read.
func uriFromTray(io IO, query string, asJSON bool) (code int, ok bool) {
	rec, s, how, ok := trayCheck(io, query, lastCheckMaxAge(io.Settings.RecheckInterval))
	if !ok {
		return 0, false
	}
	io.verbosef("from the tray's check at %s ('%s uri --check' checks now)", rec.Checked.Local().Format("15:04:05"), io.Prog)
	return printTrayAnswer(io, rec, s, how, asJSON), true
}

// uriDespite answers uri from the running tray's last check, however old,
// when plex.tv could not be asked (err, transient: down, slow, limiting):
// it is what the tray's menu still shows, and a server at home usually
// still answers when plex.tv does not. Said on stderr; ok false: no such
// check.
func uriDespite(io IO, query string, asJSON bool, err error) (code int, ok bool) {
	rec, s, how, ok := trayCheck(io, query, 0)
	if !ok {
		return 0, false
	}
	what, _ := problem(err)
	fmt.Fprintf(io.Stderr, "%s uri: %s; this is the tray's check from %s.\n", io.Prog, what, rec.Checked.Local().Format("15:04"))
	if io.Verbose {
		fmt.Fprintf(io.Stderr, "  detail: %s\n", detailWords(err))
	}
	return printTrayAnswer(io, rec, s, how, asJSON), true
}

// trayCheck is the running tray's last check and its server for query,
// when it is for this account, profile and network and at most maxAge
// old (0: any age); ok false (said with --verbose) otherwise.
func trayCheck(io IO, query string, maxAge time.Duration) (rec lastcheck.Record, s lastcheck.Server, how servers.Selection, ok bool) {
	dir := io.ConfigDir
	if dir == "" || io.Settings.Token != "" {
		return rec, s, 0, false
	}
	rec, err := lastcheck.Read(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			io.verbosef("the tray's check unreadable (%v): checking now", err)
		}
		return rec, s, 0, false
	}
	f, err := home.Load(dir)
	if err != nil || f.Account == "" {
		return rec, s, 0, false
	}
	now := lastcheck.Now{Account: f.Account, Time: io.now(), MaxAge: maxAge}
	if a := f.For(f.Account).Active; a != nil {
		now.Profile = a.UUID
	}
	if now.TrayRunning = lastcheck.TrayRunning(dir); now.TrayRunning {
		now.Network = lastcheck.Network()
	}
	if err := rec.Usable(now); err != nil {
		io.verbosef("not the tray's check (%v): checking now", err)
		return rec, s, 0, false
	}
	s, how, err = rec.Find(query)
	if err != nil || s.URI == "" {
		io.verbosef("the tray's check has no URI for that server: checking now")
		return rec, s, 0, false // a check of its own words what is wrong
	}
	return rec, s, how, true
}

// printTrayAnswer prints s's URI (or --json) from the tray's check rec.
func printTrayAnswer(io IO, rec lastcheck.Record, s lastcheck.Server, how servers.Selection, asJSON bool) int {
	latency, decided := s.LatencyMs, s.DecidedMs
	if code := printURI(io, asJSON, uriJSON{
		Name: s.Name, ClientIdentifier: s.ClientIdentifier, URI: s.URI,
		Kind: servers.URIBest.String(), Class: s.Class, Protocol: s.Protocol,
		LatencyMs: &latency, DecidedMs: &decided, CheckedAt: rec.Checked,
	}); code != ExitOK {
		return code
	}
	noteSelected(io, how, servers.Server{Name: s.Name, Owned: s.Owned})
	return ExitOK
}

// printURI prints uri's answer: the URI alone, or with --json all of j
// (checkedAt in UTC, to the millisecond).
func printURI(io IO, asJSON bool, j uriJSON) int {
	if asJSON {
		j.CheckedAt = j.CheckedAt.UTC().Truncate(time.Millisecond)
		enc := json.NewEncoder(io.Stdout)
		enc.SetEscapeHTML(false)
		if enc.Encode(j) != nil {
			return ExitFailure
		}
	} else if _, err := fmt.Fprintln(io.Stdout, j.URI); err != nil {
		return ExitFailure
	}
	return ExitOK
}

// verbosef says on stderr, with --verbose only, where uri's answer comes
// from.
func (io IO) verbosef(format string, args ...any) {
	if io.Verbose {
		fmt.Fprintf(io.Stderr, "%s uri: %s\n", io.Prog, fmt.Sprintf(format, args...))
	}
}

// lastCheckMaxAge is how old the tray's last check may be: the tray
// checks again after recheck (PLEXTRAY_RECHECK_INTERVAL) idle, so an
// older check means its re-checks are failing (plex.tv unreachable?).
func lastCheckMaxAge(recheck time.Duration) time.Duration {
	if recheck <= 0 {
		recheck = netwatch.DefaultPeriodic
	}
	return recheck + 2*time.Minute
}

// tokenForServer prints the accessToken plex.tv lists for one server
// (`token --server NAME|CLIENT-ID`): a shared server answers only to it.
func tokenForServer(io IO, query string) int {
	return withServerToken(io, "token", func(ctx context.Context, env *app.Env, tok plextv.Token, io IO) int {
		s, err := env.Services(nil).Server(ctx, tok, query)
		if err != nil {
			return serverErr(io, "token", query, err, 0)
		}
		if errors.Is(s.AccessTokenErr, plextv.ErrBadToken) {
			fmt.Fprintf(io.Stderr, "%s token: plex.tv sent a token for %s with characters no token has (control characters or spaces); not printed.\n", io.Prog, wording.ServerName(s))
			return ExitFailure
		}
		if s.AccessToken.IsZero() {
			fmt.Fprintf(io.Stderr, "%s token: plex.tv lists no token of its own for %s.\n", io.Prog, wording.ServerName(s))
			return ExitFailure
		}
		if _, err := fmt.Fprintln(io.Stdout, s.AccessToken.Reveal()); err != nil {
			return ExitFailure
		}
		return ExitOK
	})
}

// withServerToken runs fn with the token the server check uses:
// PLEXTRAY_TOKEN, else the active profile's, else the account's. fn gets
// io with the active profile noted, for explain.
func withServerToken(io IO, cmd string, fn func(context.Context, *app.Env, plextv.Token, IO) int) int {
	ctx, stop := signalContext()
	defer stop()
	tok := plextv.Token(io.Settings.Token)
	if tok.IsZero() {
		var code int
		if io, tok, code = activeProfileToken(ctx, io, cmd); tok.IsZero() {
			return code
		}
	}
	env, ok := setup(io)
	if !ok {
		return ExitFailure
	}
	return fn(ctx, env, tok, io)
}

// serverErr words a failure to pick or reach one server. A name matching
// none or several is a usage error (2), like a profile's.
func serverErr(io IO, cmd, query string, err error, timeout time.Duration) int {
	var unknown *servers.UnknownServerError
	var amb *servers.AmbiguousError
	var unreachable *servers.NotReachableError
	switch {
	case errors.Is(err, servers.ErrNoServers):
		fmt.Fprintf(io.Stderr, "%s %s: plex.tv lists no Plex Media Server for this account.\n", io.Prog, cmd)
		return ExitFailure
	case errors.As(err, &unknown):
		fmt.Fprintf(io.Stderr, "%s %s: no server %q; see '%s servers' for their names.\n", io.Prog, cmd, name(unknown.Query), io.Prog)
		return ExitUsage
	case errors.As(err, &amb):
		list := make([]string, len(amb.Matches))
		for i, s := range amb.Matches {
			list[i] = wording.ServerName(s) + " " + name(s.ClientIdentifier)
		}
		if amb.Query == "" {
			fmt.Fprintf(io.Stderr, "%s %s: you own no server, so name one of: %s.\n", io.Prog, cmd, strings.Join(list, ", "))
		} else {
			fmt.Fprintf(io.Stderr, "%s %s: %q matches %d servers: %s; name it by its clientIdentifier.\n", io.Prog, cmd, name(amb.Query), len(amb.Matches), strings.Join(list, ", "))
		}
		return ExitUsage
	case errors.As(err, &unreachable):
		s := unreachable.Server
		states := make([]string, 0, len(s.Connections))
		for _, c := range s.Connections {
			states = append(states, wording.ConnKind(c)+" "+wording.ConnLabel(c))
		}
		what := "no connection"
		if len(states) > 0 {
			what += " (" + strings.Join(states, ", ") + ")"
		}
		fmt.Fprintf(io.Stderr, "%s %s: %s: %s answered within %s.\n", io.Prog, cmd, wording.ServerName(s), what, timeout)
		return ExitFailure
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(io.Stderr, "%s %s: interrupted\n", io.Prog, cmd)
		return ExitFailure
	case errors.Is(err, core.ErrNoBestFinder):
		io.failed(failWords(err), err)
		return ExitFailure
	}
	return explain(io, cmd, err)
}
