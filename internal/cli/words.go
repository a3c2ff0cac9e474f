package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/servers"
	"github.com/plextray/plextray/internal/textsafe"
	"github.com/plextray/plextray/internal/tooltokens"
	"github.com/plextray/plextray/internal/wording"
)

// The command line's words for what the core and its packages report.
// Every string from the network goes through textsafe here; --json keeps
// full values.

func name(s string) string { return textsafe.Line(s, textsafe.Name) }
func code(s string) string { return textsafe.Line(s, textsafe.Short) }
func uri(s string) string  { return textsafe.URI(s) }

// clean is an error for a message: one line, no control characters
// (plex.tv's error texts are untrusted).
func clean(err error) string { return textsafe.Line(err.Error(), textsafe.Long) }

// keychainWords says in one line what is wrong with the keychain and
// what works instead.
func keychainWords(err error, prog string) string {
	switch {
	case errors.Is(err, keychain.ErrNoSessionBus):
		return fmt.Sprintf("%s; use '%s login --print' and PLEXTRAY_TOKEN instead.", lower(wording.KeychainProblem(err)), prog)
	case errors.Is(err, keychain.ErrLocked):
		return lower(wording.KeychainProblem(err)) + " and try again."
	case errors.Is(err, keychain.ErrUnavailable):
		return fmt.Sprintf("the keychain is unavailable (%s). %s, or use '%s login --print' and PLEXTRAY_TOKEN.", clean(err), wording.KeychainProblem(err), prog)
	}
	return clean(err)
}

// lower starts a sentence of wording's in lower case, to follow a colon.
func lower(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// ——— Plex Home profiles ———

func profileName(title string) string {
	if n := name(title); n != "" {
		return n
	}
	return "(unnamed profile)"
}

// profileKind: "admin", "managed", "guest" or "member" (a plex.tv account
// invited into the Home).
func profileKind(u plextv.HomeUser) string {
	switch {
	case u.Admin:
		return "admin"
	case u.Guest:
		return "guest"
	case u.Managed():
		return "managed"
	}
	return "member"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func activeMark(b bool) string {
	if b {
		return "*"
	}
	return ""
}

// waitTrace says on stderr when plex.tv asks a profile switch to slow
// down (429), instead of waiting in silence.
func waitTrace(io IO, cmd string) *home.Trace {
	return &home.Trace{RateLimited: func(wait, asked time.Duration) {
		if asked > wait {
			fmt.Fprintf(io.Stderr, "%s %s: plex.tv asks to wait %s (too many requests); trying once more in %s…\n", io.Prog, cmd, waitWords(asked), waitWords(wait))
			return
		}
		fmt.Fprintf(io.Stderr, "%s %s: plex.tv asks to slow down (too many requests); trying again in %s…\n", io.Prog, cmd, waitWords(wait))
	}}
}

// waitWords: "1 s", "30 s", "2 min", "1 h".
func waitWords(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", max(1, int((d+time.Second-1)/time.Second)))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int((d+time.Minute-1)/time.Minute))
	}
	return fmt.Sprintf("%d h", int((d+time.Hour-1)/time.Hour))
}

// pickWords says why a profile name matched none or several.
func pickWords(err error) string {
	var amb *home.AmbiguousError
	var nf *home.NotFoundError
	list := func(us []plextv.HomeUser) string {
		names := make([]string, len(us))
		for i, u := range us {
			names[i] = profileName(u.Title) + " (" + name(u.UUID) + ")"
		}
		return strings.Join(names, ", ")
	}
	switch {
	case errors.As(err, &amb):
		return fmt.Sprintf("%q matches %d profiles: %s; name it by its uuid.", name(amb.Query), len(amb.Matches), list(amb.Matches))
	case errors.As(err, &nf):
		return fmt.Sprintf("no profile %q; the profiles are: %s.", name(nf.Query), list(nf.Available))
	}
	return clean(err)
}

// serverStatus: "local · 4 ms", "offline · last seen 3 days ago",
// "checking…" (as of now).
func serverStatus(s servers.Server) string { return wording.ServerStatus(s, time.Now()) }

// Tool tokens and claim tokens (tokens.go).

// toolNameWords says why arg is not a tool name.
func toolNameWords(arg string) string {
	if strings.TrimSpace(arg) == "" {
		return "name the tool, e.g. Kometa (quote a name with spaces)"
	}
	return fmt.Sprintf("%s: a tool's name is 1 to %d letters, digits, spaces or - _ . + ( ) & ' @", name(arg), tooltokens.MaxName)
}

// toolMadeWords is what `tokens new` says on stderr once the token is out.
func toolMadeWords(prog string, t tooltokens.Tool) string {
	whose := ""
	if t.ProfileUUID != "" {
		whose = " for the profile " + profileName(t.ProfileTitle)
	}
	return fmt.Sprintf("That is %s's own token%s; plex.tv lists it under Authorized Devices as %q.\n"+
		"It is shown only now and stored nowhere: paste it into %s. Signing in to plextray again leaves it working.\n"+
		"'%s tokens' lists your tools; '%s tokens revoke %s' revokes this one alone.",
		name(t.Name), whose, name(t.Name)+tooltokens.Suffix, name(t.Name), prog, prog, shellWord(t.Name))
}

// toolStateWords is a tool's STATE column.
func toolStateWords(state, detail string) string {
	switch state {
	case "authorized":
		return "authorized"
	case "revoked":
		return "revoked elsewhere"
	}
	if detail != "" {
		return "unknown (" + detail + ")"
	}
	return "unknown"
}

// toolListFailedWords says briefly why plex.tv's view of a tool is unknown.
func toolListFailedWords(err error, profile bool) string {
	switch {
	case profile && (errors.Is(err, keychain.ErrNotFound) || errors.Is(err, core.ErrProfilesUnsupported)):
		return "the profile's token is not stored here"
	case errors.Is(err, plextv.ErrTokenInvalid):
		return "plex.tv rejected the token"
	case plextv.IsTransient(err):
		return "plex.tv unreachable"
	}
	return textsafe.Line(err.Error(), textsafe.Short)
}

// lastSeenWords is a tool's LAST SEEN column.
func lastSeenWords(t *time.Time, now time.Time) string {
	if t == nil {
		return "-"
	}
	return wording.Ago(max(0, now.Sub(*t)))
}

// claimWords is what `claim` says on stderr about claim token ct.
func claimWords(ct plextv.Token, until time.Time) string {
	return fmt.Sprintf("A claim token lives %d minutes (until %s): start the new server before then.\n"+
		"For the official Plex Media Server container (docker run -e, or a compose environment: line):\n"+
		"PLEX_CLAIM=%s", int(plextv.ClaimTokenLife/time.Minute), until.Local().Format("15:04:05"), ct.Reveal())
}

// shellWord quotes s for a shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.+@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(textsafe.Line(s, textsafe.Name), "'", `'\''`) + "'"
}

// needsDNSNote says what to do with a URI whose plex.direct name this
// network's DNS does not resolve (servers.URINeedsDNS), and how to use it
// meanwhile, still verified.
func needsDNSNote(s servers.Server) string {
	c, _ := s.URIConnection()
	var host string
	if u, err := url.Parse(c.URI); err == nil {
		host = u.Hostname()
	}
	addr := strings.Trim(c.Address, "[]")
	if strings.Contains(addr, ":") {
		addr = "[" + addr + "]"
	}
	return fmt.Sprintf("this network's DNS does not resolve %s (DNS-rebinding protection in the router?). The URI works, with its certificate verified, once plex.direct is allowed there (dnsmasq: rebind-domain-ok=/plex.direct/); meanwhile: curl --resolve %s:%d:%s %s",
		name(host), name(host), c.Port, name(addr), uri(c.URI))
}

// ——— the command line's own words ———

const wordRootShort = "your Plex token and a server URL that works from here"

const wordRootLong = `PROG keeps your Plex token and a server URL that works from where you
sit one click away in the system tray (run it with no command), and gives
them to scripts from this command line. The tray and the commands share
the token in the keychain, the client identifier and the settings.

Settings come from the environment: PLEXTRAY_PLEXTV_URL, PLEXTRAY_APP_URL,
PLEXTRAY_TOKEN, PLEXTRAY_SIGNIN_TIMEOUT, PLEXTRAY_PROBE_TIMEOUT,
PLEXTRAY_RECHECK_INTERVAL, PLEXTRAY_CLEAR_CLIPBOARD, SSL_CERT_FILE
('man PROG' says what each does).

Exit status: 0 success; 1 failure (plex.tv unreachable, no keychain);
2 usage (also a profile or server name that matches none or several);
3 not signed in; 4 token rejected by plex.tv, or a wrong profile PIN;
5 sign-in did not complete.`

// stdoutWords says why the output was lost.
func stdoutWords(err error) string {
	if errors.Is(err, syscall.EPIPE) {
		return "couldn't write the output: the program reading it has stopped"
	}
	if errors.Is(err, syscall.ENOSPC) {
		return "couldn't write the output: the disk is full"
	}
	return "couldn't write the output (" + clean(err) + ")"
}

// failWords says in plain words what failed and what to do about it:
// "can't reach plex.tv (connection refused) — check your network". The
// error itself (Go's "dial tcp …") is detailWords', shown after --verbose.
func failWords(err error) string {
	what, todo := problem(err)
	if todo == "" {
		return what
	}
	return what + " — " + todo
}

// problem is failWords in two parts: what failed, and what to do.
func problem(err error) (what, todo string) {
	if err == nil {
		return "", ""
	}
	if errors.Is(err, context.Canceled) {
		return "interrupted", ""
	}
	switch kind, se := wording.PlexTVFailureOf(err); kind {
	case wording.PlexTVLimited:
		if se.RetryAfter > 0 {
			return "plex.tv is limiting requests (HTTP 429)", "try again in " + se.RetryAfter.Round(time.Second).String()
		}
		return "plex.tv is limiting requests (HTTP 429)", "try again in a minute"
	case wording.PlexTVTrouble:
		return fmt.Sprintf("plex.tv is having trouble (HTTP %d)", se.StatusCode), "try again later"
	case wording.PlexTVRefused:
		msg := fmt.Sprintf("plex.tv refused the request (HTTP %d", se.StatusCode)
		if len(se.API) > 0 && se.API[0].Message != "" {
			msg += ": " + textsafe.Line(se.API[0].Message, textsafe.Name)
		}
		return msg + ")", ""
	case wording.PlexTVUnreadable:
		return "plex.tv sent an answer plextray can't read", "try again later"
	case wording.PlexTVUnreachable:
		why, todo := netWords(err)
		return "can't reach plex.tv" + why, todo
	}
	return clean(err), ""
}

// netWords is why a connection failed, " (connection refused)", and what
// to do about it.
func netWords(err error) (why, todo string) {
	switch wording.NetFailureOf(err) {
	case wording.NetRefused:
		return " (connection refused)", "check your network"
	case wording.NetNoName:
		return " (its name doesn't resolve)", "check your network and DNS"
	case wording.NetCertificate:
		return " (its certificate was not accepted)", "is something intercepting HTTPS on this network? (SSL_CERT_FILE adds certificates)"
	case wording.NetTimeout:
		return " (no answer in time)", "check your network, or try again later"
	case wording.NetBroken:
		return " (the connection broke off)", "try again"
	case wording.NetNoRoute:
		return " (no route to it)", "check your network"
	}
	return "", "check your network"
}

// detailWords is the technical detail behind a message, for --verbose.
func detailWords(err error) string { return clean(err) }

// capital starts s with a capital letter.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// manTray is the man page's description of the tray app (markdown).
const manTray = `With no command, **plextray** is a tray app (a StatusNotifierItem on
Linux, the notification area on Windows, the menu bar on macOS) that keeps
your Plex token and a server URL that works from where you sit one click
away. **Sign in with a code…** shows a 4-character code to enter at
plex.tv/link (prefilled in your browser, put on the clipboard and shown in
a notification); **Sign in with your browser's Plex session…** is one
click if you are signed into plex.tv in your browser. The token goes into
the OS keychain. **Copy token** puts it on the clipboard and clears it
again after 30 seconds. **Servers** lists your Plex Media Servers, owned
and shared, checks every connection of each at once (local, remote, relay),
and a click on a server copies its best URI; **Server details** has each
server's own token, Plex Web and every connection. It checks again when
the network changes, after sleep and every 10 minutes, and notifies when a
server goes offline or comes back. **Profile** hands out a Plex Home profile's token
instead of yours (a PIN is asked for on a local page in your browser).
**Start at login** starts it with the desktop session.

With a command, **plextray** is the command line for scripts, sharing the
tray's keychain entry, client identifier and settings.`

// manSections are the man page's FILES, ENVIRONMENT and EXIT STATUS
// (markdown).
const manSections = `# FILES

**Keychain** (service *plextray*, account *account-UUID*, the plex.tv
account's uuid; on Linux the Secret Service, e.g. gnome-keyring): the
account's token; each Plex Home profile's token under account
*account-UUID-profile-UUID*. A token plex.tv has not confirmed yet is
under *plex-token* until it is.

**$XDG\_CONFIG\_HOME/plextray/client-id** (*~/.config/plextray/client-id*):
this install's client identifier, one random UUID, so Plex lists plextray
once under Authorized Devices.

**$XDG\_CONFIG\_HOME/plextray/profiles.json**: the active Plex Home profile
(uuid and title) and which profiles have a stored token.

**$XDG\_CONFIG\_HOME/plextray/servers.json**: whether the tray notifies
about servers.

**$XDG\_CONFIG\_HOME/plextray/lastcheck.json**: while the tray runs, its
last server check, which **uri** answers from: the servers' names, client
identifiers and best URIs, for which account, profile and network, and
when. **tray.lock** beside it is locked by the running tray.

**$XDG\_STATE\_HOME/plextray/plextray.log** (*~/.local/state/plextray/*):
the log: the tray's, and the technical detail of every command that
failed; 1 MiB, one rotation, the token always redacted.

**$XDG\_CONFIG\_HOME/autostart/plextray.desktop**: present while **Start at
login** is on.

Nothing secret is ever written to a file.

# ENVIRONMENT

The same for the tray and every command; a bad value is a usage error.

**PLEXTRAY\_PLEXTV\_URL**: plex.tv's base URL (default *https://plex.tv*;
plain http only for loopback addresses, such as the simulator).

**PLEXTRAY\_APP\_URL**: the Plex web app's base URL for one-click sign-in
(default *https://app.plex.tv*).

**PLEXTRAY\_TOKEN**: a token for **status**, **users**, **servers**, **uri** and
**token --server**, instead of the keychain's.

**PLEXTRAY\_SIGNIN\_TIMEOUT**: how long a sign-in waits (default *5m*;
**login --timeout** overrides it).

**PLEXTRAY\_PROBE\_TIMEOUT**: how long each server connection may take to
answer (default *3s*; **servers --timeout** and **uri --timeout** override
it).

**PLEXTRAY\_RECHECK\_INTERVAL**: how long the tray's server list may sit idle
before it is checked again (default *10m*); **uri** answers from the
tray's check while it is at most this old plus 2 minutes.

**PLEXTRAY\_CLEAR\_CLIPBOARD**: when the tray clears a copied token from the
clipboard (default *30s*; *off* keeps it).

**SSL\_CERT\_FILE**: extra CA certificates (the simulator's).

# EXIT STATUS

**0**: success.

**1**: failure: plex.tv unreachable, no keychain, no server answered.

**2**: usage: a mistake on the command line or in a setting, or a
profile or server name that matches none or several.

**3**: not signed in (no token stored, and PLEXTRAY\_TOKEN unset where it
applies).

**4**: plex.tv rejected the token (revoked or expired), or a wrong profile
PIN.

**5**: the sign-in did not complete: it timed out, the code expired, or it
was cancelled.`
