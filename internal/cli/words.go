package cli

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
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
