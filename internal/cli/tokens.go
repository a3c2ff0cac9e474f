package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/tooltokens"
)

// Tokens for other programs (tokens new, tokens [list], tokens revoke)
// and claim tokens for new servers (claim). A tool's token is printed
// once and kept nowhere; the config folder lists only the tool.

// toolFormats are the ways `tokens new` prints the token.
var toolFormats = []string{"token", "env", "json", "compose"}

func tokensNew(io IO, arg string, user, format *string) int {
	name, err := tooltokens.CleanName(arg)
	if err != nil {
		fmt.Fprintf(io.Stderr, "%s tokens new: %s\n", io.Prog, toolNameWords(arg))
		return ExitUsage
	}
	if !slices.Contains(toolFormats, *format) {
		fmt.Fprintf(io.Stderr, "%s tokens new: --format %q: want token, env, json or compose\n", io.Prog, *format)
		return ExitUsage
	}
	ctx, stop := signalContext()
	defer stop()
	acct, env, sv, linkTok, profile, code := toolAccount(ctx, io, "tokens new", *user)
	if code != ExitOK {
		return code
	}
	store := tooltokens.Store{Dir: sv.ConfigDir}
	if err := store.Check(acct, name); err != nil {
		return toolStoreFailed(io, "tokens new", name, err)
	}
	fmt.Fprintf(io.Stderr, "Making a token for %s at plex.tv…\n", name)
	tok, tool, err := tooltokens.Maker{Client: env.PlexTV}.Make(ctx, linkTok, name)
	if err != nil {
		return explain(io, "making the token", err)
	}
	if profile != nil {
		tool.ProfileUUID, tool.ProfileTitle = profile.UUID, profile.Title
	}
	if err := store.Add(acct, tool); err != nil {
		// A token nobody could list could not be revoked from here: take it back.
		rctx, cancel := context.WithTimeout(context.Background(), core.CallTimeout)
		rerr := tooltokens.Revoke(rctx, env.PlexTV, linkTok, tool)
		cancel()
		fmt.Fprintf(io.Stderr, "%s tokens new: couldn't record %s in the config folder (%s); ", io.Prog, name, clean(err))
		if rerr != nil {
			fmt.Fprintf(io.Stderr, "and couldn't revoke it again (%s): remove %q under Authorized Devices on plex.tv.\n", clean(rerr), name+tooltokens.Suffix)
		} else {
			fmt.Fprintln(io.Stderr, "it was revoked again at plex.tv.")
		}
		return ExitFailure
	}
	if err := printToolToken(io, *format, tool, tok); err != nil {
		fmt.Fprintf(io.Stderr, "%s tokens new: the token could not be written to stdout; revoke it with '%s tokens revoke %s' and make another.\n", io.Prog, io.Prog, shellWord(name))
		return ExitFailure
	}
	fmt.Fprintf(io.Stderr, "%s\n", toolMadeWords(io.Prog, tool))
	return ExitOK
}

// printToolToken writes the token in format, alone on stdout.
func printToolToken(io IO, format string, t tooltokens.Tool, tok plextv.Token) error {
	var err error
	switch format {
	case "env":
		_, err = fmt.Fprintf(io.Stdout, "PLEX_TOKEN=%s\n", tok.Reveal())
	case "compose":
		_, err = fmt.Fprintf(io.Stdout, "      - PLEX_TOKEN=%s\n", tok.Reveal())
	case "json":
		enc := json.NewEncoder(io.Stdout)
		err = enc.Encode(map[string]string{"name": t.Name, "clientIdentifier": t.ClientIdentifier, "token": tok.Reveal()})
	default:
		_, err = fmt.Fprintln(io.Stdout, tok.Reveal())
	}
	return err
}

// toolJSON is one tool of `tokens --json`: never a token.
type toolJSON struct {
	Name             string     `json:"name"`
	ClientIdentifier string     `json:"clientIdentifier"`
	Profile          *string    `json:"profile"`
	CreatedAt        time.Time  `json:"createdAt"`
	State            string     `json:"state"` // authorized, revoked, unknown
	LastSeenAt       *time.Time `json:"lastSeenAt"`
	Detail           string     `json:"detail,omitempty"`
}

func tokensList(io IO, asJSON *bool) int {
	ctx, stop := signalContext()
	defer stop()
	acct, env, sv, tok, _, code := toolAccount(ctx, io, "tokens", "")
	if code != ExitOK {
		return code
	}
	tools, err := tooltokens.Store{Dir: sv.ConfigDir}.List(acct)
	if err != nil {
		fmt.Fprintf(io.Stderr, "%s tokens: %s\n", io.Prog, clean(err))
		return ExitFailure
	}
	rows := make([]toolJSON, 0, len(tools))
	// The account's own tools first, then each profile's, each with the
	// devices its own token sees.
	devices := map[string][]plextv.Device{}
	failed := map[string]error{}
	for _, t := range tools {
		key := t.ProfileUUID
		if _, done := devices[key]; done || failed[key] != nil {
			continue
		}
		ptok, err := tok, error(nil)
		if key != "" {
			ptok, err = sv.ProfileToken(ctx, acct, key)
		}
		var ds []plextv.Device
		if err == nil {
			ctx2, cancel := context.WithTimeout(ctx, core.CallTimeout)
			ds, err = env.PlexTV.Devices(ctx2, ptok)
			cancel()
		}
		if err != nil {
			if key == "" && errors.Is(err, plextv.ErrTokenInvalid) {
				return explain(io, "listing the tools", err)
			}
			failed[key] = err
			continue
		}
		devices[key] = ds
	}
	for _, t := range tools {
		row := toolJSON{Name: t.Name, ClientIdentifier: t.ClientIdentifier, CreatedAt: t.CreatedAt, State: "unknown"}
		if t.ProfileUUID != "" {
			p := t.ProfileTitle
			row.Profile = &p
		}
		if err := failed[t.ProfileUUID]; err != nil {
			row.Detail = toolListFailedWords(err, t.ProfileUUID != "")
		} else {
			st := tooltokens.Match([]tooltokens.Tool{t}, devices[t.ProfileUUID])[0]
			row.State = "revoked"
			if st.Authorized {
				row.State = "authorized"
				if !st.LastSeenAt.IsZero() {
					ls := st.LastSeenAt
					row.LastSeenAt = &ls
				}
			}
		}
		rows = append(rows, row)
	}
	if *asJSON {
		enc := json.NewEncoder(io.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			return ExitFailure
		}
		return ExitOK
	}
	if len(rows) == 0 {
		fmt.Fprintf(io.Stderr, "No tool tokens yet. '%s tokens new NAME' makes one.\n", io.Prog)
		return ExitOK
	}
	tw := tabwriter.NewWriter(io.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TOOL\tPROFILE\tSTATE\tCREATED\tLAST SEEN")
	now := io.now()
	for _, r := range rows {
		prof := "-"
		if r.Profile != nil {
			prof = profileName(*r.Profile)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name(r.Name), prof, toolStateWords(r.State, r.Detail),
			r.CreatedAt.Local().Format("2006-01-02 15:04"), lastSeenWords(r.LastSeenAt, now))
	}
	return boolExit(tw.Flush() == nil)
}

func tokensRevoke(io IO, arg string) int {
	ctx, stop := signalContext()
	defer stop()
	acct, env, sv, tok, _, code := toolAccount(ctx, io, "tokens revoke", "")
	if code != ExitOK {
		return code
	}
	store := tooltokens.Store{Dir: sv.ConfigDir}
	t, err := store.Find(acct, arg)
	if err != nil {
		return toolStoreFailed(io, "tokens revoke", arg, err)
	}
	ptok := tok
	if t.ProfileUUID != "" {
		if ptok, err = sv.ProfileToken(ctx, acct, t.ProfileUUID); err != nil {
			fmt.Fprintf(io.Stderr, "%s tokens revoke: %s was made for the profile %s, whose token is not stored here (%s); run '%s token --user %s' first.\n",
				io.Prog, name(t.Name), profileName(t.ProfileTitle), keychainWords(err, io.Prog), io.Prog, shellWord(t.ProfileTitle))
			return ExitFailure
		}
	}
	rctx, cancel := context.WithTimeout(ctx, 2*core.CallTimeout)
	err = tooltokens.Revoke(rctx, env.PlexTV, ptok, t)
	cancel()
	already := errors.Is(err, tooltokens.ErrAlreadyRevoked)
	if err != nil && !already {
		return explain(io, "revoking "+name(t.Name)+"'s token", err)
	}
	if rerr := store.Remove(acct, t.ClientIdentifier); rerr != nil {
		fmt.Fprintf(io.Stderr, "%s tokens revoke: revoked at plex.tv, but couldn't update the config folder: %s\n", io.Prog, clean(rerr))
		return ExitFailure
	}
	if already {
		fmt.Fprintf(io.Stderr, "%s's token was already revoked at plex.tv; it is no longer listed here.\n", name(t.Name))
	} else {
		fmt.Fprintf(io.Stderr, "Revoked %s's token: plex.tv no longer accepts it. Other tokens are untouched.\n", name(t.Name))
	}
	return ExitOK
}

// toolAccount is what the tokens commands start with: the account's
// token (PLEXTRAY_TOKEN or the keychain), the plex.tv side, the account
// it belongs to (the key of its tools in the config folder), and the
// token to link a new tool with: the account's, or profile user's.
func toolAccount(ctx context.Context, io IO, cmd, user string) (string, *app.Env, core.Services, plextv.Token, *plextv.HomeUser, int) {
	io, tok, code := storedToken(ctx, io, cmd, true)
	if tok.IsZero() {
		return "", nil, core.Services{}, "", nil, code
	}
	env, ok := setup(io)
	if !ok {
		return "", nil, core.Services{}, "", nil, ExitFailure
	}
	sv := services(io, env)
	u, err := sv.Verify(ctx, tok)
	if err != nil {
		return "", nil, core.Services{}, "", nil, explain(io, "checking the token", err)
	}
	acct := u.UUID
	if acct == "" {
		acct = fmt.Sprint(u.ID)
	} else if !io.used.IsZero() && io.account == "" {
		// Kept before plex.tv confirmed whose it is: file it (and its
		// profiles' tokens) under the account now, as the tray does.
		if a, err := sv.Confirm(ctx, tok, u); err == nil {
			io.account = a
		}
	}
	if user == "" {
		return acct, env, sv, tok, nil, ExitOK
	}
	to, code := pickProfile(ctx, io, sv, tok, cmd, user)
	if code != ExitOK {
		return "", nil, core.Services{}, "", nil, code
	}
	ptok, code := profileTokenOf(ctx, io, cmd, sv, tok, to)
	if ptok.IsZero() {
		return "", nil, core.Services{}, "", nil, code
	}
	if to.Admin {
		return acct, env, sv, tok, nil, ExitOK
	}
	return acct, env, sv, ptok, &to, ExitOK
}

// toolStoreFailed words a failure of the config folder's tools list.
func toolStoreFailed(io IO, cmd, tool string, err error) int {
	switch {
	case errors.Is(err, tooltokens.ErrNameTaken):
		fmt.Fprintf(io.Stderr, "%s %s: %s already has a token; revoke it first ('%s tokens revoke %s') or pick another name.\n", io.Prog, cmd, name(tool), io.Prog, shellWord(tool))
		return ExitUsage
	case errors.Is(err, tooltokens.ErrUnknownTool):
		fmt.Fprintf(io.Stderr, "%s %s: no tool called %s; '%s tokens' lists them.\n", io.Prog, cmd, name(tool), io.Prog)
		return ExitUsage
	}
	fmt.Fprintf(io.Stderr, "%s %s: %s\n", io.Prog, cmd, clean(err))
	return ExitFailure
}

func claimCmd(io IO) int {
	return withToken(io, true, func(ctx context.Context, env *app.Env, tok plextv.Token, io IO) int {
		ctx2, cancel := context.WithTimeout(ctx, core.CallTimeout)
		ct, err := env.PlexTV.ClaimToken(ctx2, tok)
		cancel()
		if err != nil {
			return explain(io, "getting a claim token", err)
		}
		until := io.now().Add(plextv.ClaimTokenLife)
		if _, err := fmt.Fprintln(io.Stdout, ct.Reveal()); err != nil {
			return ExitFailure
		}
		fmt.Fprintln(io.Stderr, claimWords(ct, until))
		return ExitOK
	})
}

func boolExit(ok bool) int {
	if ok {
		return ExitOK
	}
	return ExitFailure
}
