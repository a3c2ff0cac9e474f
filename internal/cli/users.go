package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
)

// Plex Home profiles on the command line: users, switch, token --user,
// and the active profile in token and status. They share the tray's
// keychain entries and profile state (core.Services).

// services is env's use-cases with the keychain and config folder the
// command line was given.
func services(io IO, env *app.Env) core.Services {
	sv := env.Services(nil)
	sv.Keychain, sv.ConfigDir = io.Keychain, io.ConfigDir
	return sv
}

// localServices is the part of Services that needs no plex.tv side.
func localServices(io IO) core.Services {
	return core.Services{Keychain: io.Keychain, ConfigDir: io.ConfigDir}
}

// userJSON is one profile of `users --json`; full values from plex.tv.
type userJSON struct {
	UUID       string `json:"uuid"`
	Title      string `json:"title"`
	Username   string `json:"username"`
	Admin      bool   `json:"admin"`
	Managed    bool   `json:"managed"`
	Guest      bool   `json:"guest"`
	Protected  bool   `json:"protected"`
	Restricted bool   `json:"restricted"`
	Active     bool   `json:"active"`
}

func users(io IO, asJSON bool) int {
	return withToken(io, true, func(ctx context.Context, env *app.Env, tok plextv.Token, io IO) int {
		sv := services(io, env)
		h, code := listHome(ctx, io, sv, tok, "users")
		if code != ExitOK {
			return code
		}
		st := home.State{}
		if !io.used.IsZero() { // not PLEXTRAY_TOKEN
			st = sv.ProfileState(io.account)
		}
		isActive := func(u plextv.HomeUser) bool { return st.IsActive(u.UUID, u.Admin) }
		if asJSON {
			out := []userJSON{}
			if h != nil {
				for _, u := range h.Users {
					out = append(out, userJSON{u.UUID, u.Title, u.Username, u.Admin, u.Managed(), u.Guest, u.Protected, u.Restricted, isActive(u)})
				}
			}
			enc := json.NewEncoder(io.Stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(out); err != nil {
				return ExitFailure
			}
			return ExitOK
		}
		if h == nil {
			fmt.Fprintln(io.Stdout, "This account has no Plex Home: there are no other profiles.")
			return ExitOK
		}
		tw := tabwriter.NewWriter(io.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "PROFILE\tKIND\tPIN\tACTIVE\tUUID")
		for _, u := range h.Users {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", profileName(u.Title), profileKind(u), yesNo(u.Protected), activeMark(isActive(u)), name(u.UUID))
		}
		if err := tw.Flush(); err != nil {
			return ExitFailure
		}
		return ExitOK
	})
}

// listHome lists the account's Home; nil when it has none.
func listHome(ctx context.Context, io IO, sv core.Services, tok plextv.Token, what string) (*plextv.Home, int) {
	u, err := sv.Verify(ctx, tok)
	if err != nil {
		return nil, explain(io, what, err)
	}
	h, err := sv.Home(ctx, tok, u)
	if err != nil {
		return nil, explain(io, what, err)
	}
	return h, ExitOK
}

// accountAndProfile is what switch and token --user start with: io with
// the account's stored token noted (io.used, io.account), the services,
// and the profile query names.
func accountAndProfile(ctx context.Context, io IO, cmd, query string) (IO, core.Services, plextv.HomeUser, int) {
	io, tok, code := storedToken(ctx, io, cmd, false)
	if tok.IsZero() {
		return io, core.Services{}, plextv.HomeUser{}, code
	}
	env, ok := setup(io)
	if !ok {
		return io, core.Services{}, plextv.HomeUser{}, ExitFailure
	}
	sv := services(io, env)
	to, code := pickProfile(ctx, io, sv, tok, cmd, query)
	return io, sv, to, code
}

// pickProfile lists the Home and finds query in it; ambiguity and no
// match are usage errors (exit 2) that list the profiles.
func pickProfile(ctx context.Context, io IO, sv core.Services, tok plextv.Token, cmd, query string) (plextv.HomeUser, int) {
	h, code := listHome(ctx, io, sv, tok, cmd)
	if code != ExitOK {
		return plextv.HomeUser{}, code
	}
	if h == nil {
		fmt.Fprintf(io.Stderr, "%s %s: this account has no Plex Home, so there is no profile %q.\n", io.Prog, cmd, name(query))
		return plextv.HomeUser{}, ExitUsage
	}
	// A plex.tv account in the Home (the admin) is also known by its
	// username ("demo" for the title "Demo User").
	for _, u := range h.Users {
		if u.Username != "" && strings.EqualFold(u.Username, strings.TrimSpace(query)) {
			return u, ExitOK
		}
	}
	p, err := home.Pick(h.Users, query)
	if err != nil {
		fmt.Fprintf(io.Stderr, "%s %s: %s\n", io.Prog, cmd, pickWords(err))
		return plextv.HomeUser{}, ExitUsage
	}
	return p, ExitOK
}

func switchCmd(io IO, query string) int {
	ctx, stop := signalContext()
	defer stop()
	io, sv, to, code := accountAndProfile(ctx, io, "switch", query)
	if code != ExitOK {
		return code
	}
	st := sv.ProfileState(io.account)
	already := st.IsActive(to.UUID, to.Admin)
	if already && !to.Admin {
		_, kerr := sv.ProfileToken(ctx, io.account, to.UUID)
		already = kerr == nil // a lost token is fetched again
	}
	if already {
		fmt.Fprintf(io.Stderr, "Already using %s's token.\n", profileName(to.Title))
		return ExitOK
	}
	ctx = home.WithTrace(ctx, waitTrace(io, "switch"))
	_, code = withPIN(ctx, io, "switch", to, func(pin string) (plextv.Token, error) {
		return sv.SwitchProfile(ctx, io.account, io.used, to, pin)
	}, st)
	if code != ExitOK {
		return code
	}
	if to.Admin {
		fmt.Fprintf(io.Stderr, "Switched back to %s: '%s token' prints the account's own token.\n", profileName(to.Title), io.Prog)
	} else {
		fmt.Fprintf(io.Stderr, "Switched to %s: '%s token' prints its token (kept in the keychain as %q).\n", profileName(to.Title), io.Prog, keychain.ProfileEntry(io.account, to.UUID))
	}
	return ExitOK
}

// pinTries is how many PINs a terminal may type for one command.
const pinTries = 3

// withPIN runs try without a PIN for an unprotected profile, and with the
// PIN (asked for once) when the profile is protected or plex.tv wants
// one. A wrong PIN is exit 4; nothing changed.
func withPIN(ctx context.Context, io IO, cmd string, to plextv.HomeUser, try func(pin string) (plextv.Token, error), st home.State) (plextv.Token, int) {
	pin := ""
	if to.Protected {
		var code int
		if pin, code = askPIN(io, cmd, to); code != ExitOK {
			return "", code
		}
	}
	tok, err := try(pin)
	if errors.Is(err, plextv.ErrProfilePIN) && pin == "" {
		var code int
		if pin, code = askPIN(io, cmd, to); code != ExitOK {
			return "", code
		}
		tok, err = try(pin)
	}
	// On a terminal a wrong PIN is asked for again: pinTries in all.
	for tries := 1; errors.Is(err, plextv.ErrProfilePIN) && pin != "" && io.ReadSecret != nil && tries < pinTries; tries++ {
		left := "1 try left"
		if n := pinTries - tries; n > 1 {
			left = fmt.Sprintf("%d tries left", n)
		}
		fmt.Fprintf(io.Stderr, "Wrong PIN for %s (%s).\n", profileName(to.Title), left)
		var code int
		if pin, code = askPIN(io, cmd, to); code != ExitOK {
			return "", code
		}
		tok, err = try(pin)
	}
	var nk *core.NotKeptError
	switch {
	case err == nil:
		return tok, ExitOK
	case errors.Is(err, plextv.ErrProfilePIN):
		now := "your own account's token"
		if st.Active != nil {
			now = profileName(st.Active.Title) + "'s token"
		}
		fmt.Fprintf(io.Stderr, "%s %s: wrong PIN for %s (plex.tv refused it); nothing changed, %s is still active.\n", io.Prog, cmd, profileName(to.Title), now)
		return "", ExitRejected
	case errors.As(err, &nk):
		fmt.Fprintf(io.Stderr, "%s %s: plex.tv gave %s's token, but it could not be kept in the keychain: %s\n", io.Prog, cmd, profileName(to.Title), keychainWords(nk.Err, io.Prog))
		return tok, ExitFailure
	}
	return "", explain(io, cmd, err)
}

// askPIN reads the profile's PIN: from the terminal without echo, or the
// first line of stdin when stdin is not a terminal.
func askPIN(io IO, cmd string, to plextv.HomeUser) (string, int) {
	var pin string
	var err error
	if io.ReadSecret != nil {
		fmt.Fprintf(io.Stderr, "PIN for %s: ", profileName(to.Title))
		pin, err = io.ReadSecret()
		fmt.Fprintln(io.Stderr)
	} else if io.Stdin != nil {
		pin, err = bufio.NewReader(io.Stdin).ReadString('\n')
		if err != nil && pin != "" {
			err = nil // a last line without a newline
		}
	} else {
		err = errors.New("no stdin")
	}
	pin = strings.TrimSpace(pin)
	if err != nil || pin == "" {
		fmt.Fprintf(io.Stderr, "%s %s: %s needs its PIN: type it, or pipe it on stdin (e.g. echo 1234 | %s %s %s).\n", io.Prog, cmd, profileName(to.Title), io.Prog, cmd, name(to.Title))
		return "", ExitUsage
	}
	return pin, ExitOK
}

// tokenForUser prints profile query's token without changing the active
// profile: a stored one, else a fresh one from plex.tv (kept for next time).
func tokenForUser(ctx context.Context, io IO, query string) int {
	io, sv, to, code := accountAndProfile(ctx, io, "token", query)
	if code != ExitOK {
		return code
	}
	out, code := profileTokenOf(ctx, io, "token", sv, io.used, to)
	if out.IsZero() {
		return code
	}
	if _, err := fmt.Fprintln(io.Stdout, out.Reveal()); err != nil {
		return ExitFailure
	}
	return ExitOK
}

// profileTokenOf is profile to's token (the account's own token tok for
// the admin): a stored one, else a fresh one from plex.tv, asking for the
// PIN when needed (kept for next time).
func profileTokenOf(ctx context.Context, io IO, cmd string, sv core.Services, tok plextv.Token, to plextv.HomeUser) (plextv.Token, int) {
	if to.Admin {
		return tok, ExitOK
	}
	out, err := sv.ProfileToken(ctx, io.account, to.UUID)
	if err == nil {
		return out, ExitOK
	}
	if !errors.Is(err, keychain.ErrNotFound) && !errors.Is(err, core.ErrProfilesUnsupported) {
		fmt.Fprintf(io.Stderr, "%s %s: %s\n", io.Prog, cmd, keychainWords(err, io.Prog))
		return "", ExitFailure
	}
	st := sv.ProfileState(io.account)
	ctx = home.WithTrace(ctx, waitTrace(io, cmd))
	return withPIN(ctx, io, cmd, to, func(pin string) (plextv.Token, error) {
		return sv.FetchProfileToken(ctx, io.account, tok, to, pin)
	}, st)
}

// activeToken is the token `token` prints: the active profile's, when
// one is active, else the account's.
func activeToken(ctx context.Context, io IO) (plextv.Token, int) {
	_, tok, code := activeProfileToken(ctx, io, "token")
	return tok, code
}

// activeProfileToken is the token the server check uses (the active
// profile's, else the account's), with io noting whose it is (for
// explain).
func activeProfileToken(ctx context.Context, io IO, cmd string) (IO, plextv.Token, int) {
	t, code := truth(ctx, io, cmd)
	switch {
	case code != ExitOK:
		return io, "", code
	case t.Token.IsZero():
		io.failed(fmt.Sprintf("not signed in (no token in the keychain) — run '%s login'", io.Prog), nil)
		return io, "", ExitNotSignedIn
	case t.Profile == nil:
		io.account, io.used = t.Account, t.Token
		return io, t.Token, ExitOK
	case errors.Is(t.ProfileErr, keychain.ErrNotFound):
		fmt.Fprintf(io.Stderr, "%s %s: the active profile %s has no token in the keychain; run '%s switch' again.\n", io.Prog, cmd, profileName(t.Profile.Title), io.Prog)
		return io, "", ExitNotSignedIn
	case t.ProfileErr != nil:
		fmt.Fprintf(io.Stderr, "%s %s: %s\n", io.Prog, cmd, keychainWords(t.ProfileErr, io.Prog))
		return io, "", ExitFailure
	}
	io.account, io.used, io.profile = t.Account, t.ProfileToken, t.Profile
	return io, t.ProfileToken, ExitOK
}
