package tray

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/desktop"
	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/servers"
	"github.com/plextray/plextray/internal/signin"
)

// refused is the error a plex.tv request gets when nothing listens: Go's
// text for it ("dial tcp 127.0.0.1:9: connect: connection refused") must
// never reach the menu.
var refused = &plextv.NetworkError{Op: "resources", Err: &net.OpError{Op: "dial", Net: "tcp",
	Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}, Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}}

// labels lists every label of m a panel shows.
func labels(m Model) []string {
	var out []string
	add := func(it Item) {
		if it.Visible {
			out = append(out, it.Title)
		}
	}
	for _, it := range m.Items {
		add(it)
	}
	sv := m.Servers
	for _, it := range []Item{sv.CheckAgain, sv.Note, sv.Checked, sv.DNS, sv.Notify, sv.More} {
		add(it)
	}
	for _, s := range sv.List {
		add(s.Row)
		out = append(out, s.Name)
		add(s.CopyToken)
		add(s.OpenWeb)
		for _, c := range s.Connections {
			out = append(out, c.Title)
		}
	}
	add(m.Profiles.Note)
	for _, p := range m.Profiles.List {
		add(p.Item)
	}
	return out
}

// Every row of every submenu fits maxLabel characters (a 1024 px screen
// shows the menu and two submenus side by side), and no label, tooltip or
// notification carries Go's error text.
func TestMenuReadsAtAGlance(t *testing.T) {
	pd := "https://192-168-100-200.0123456789abcdef0123456789abcdef.plex.direct:32400"
	long := servers.Server{ClientIdentifier: "l", Name: "The Very Long Name Of A Friend's Media Server In The Basement", SourceTitle: "someone-with-a-long-username",
		URI: pd, URIKind: servers.URINeedsDNS, Best: pd, BestIndex: 0, Decided: true, Presence: true,
		Connections: []servers.Connection{
			{URI: pd, Protocol: "https", Local: true, State: servers.DNSFailure},
			{URI: "https://" + strings.Repeat("relay", 12) + ".example.com:443", Protocol: "https", Relay: true, State: servers.Skipped, Reason: servers.SkipSharedLocal},
			{URI: "http://10.0.0.1:32400", Protocol: "http", Local: true, State: servers.Skipped, Reason: servers.SkipHTTPSRequired},
		}}
	base := signedIn(long, up("Living Room", "a", true), down("Cabin", "b", now.Add(-75*time.Hour)))
	base.Name = "A Rather Long Plex Account Title For Testing"
	base.Servers.DNSBlocked = true
	var states []core.State
	add := func(f func(s *core.State)) {
		s := base
		f(&s)
		states = append(states, s)
	}
	for _, n := range []core.Notice{
		{Kind: core.NoticeUnreachable, Err: refused, Wait: 30 * time.Second},
		{Kind: core.NoticeSignInRetrying, Err: refused, Wait: 5 * time.Second},
		{Kind: core.NoticeSignInFailed, Err: refused},
		{Kind: core.NoticeSignOutOffline, Err: refused},
		{Kind: core.NoticeCopyFailed, What: core.CopiedClaimToken, Err: refused},
		{Kind: core.NoticeCopyFailed, What: core.CopiedToken, Err: errors.New("exit status 1: xclip: Error: Can't open display: :99 and a lot more text after that")},
		{Kind: core.NoticeTokenCopied, What: core.CopiedClaimToken, Wait: 4 * time.Minute},
		{Kind: core.NoticeProfileFailed, Title: "Teen", Err: refused},
		{Kind: core.NoticeProfileListFailed, Err: refused},
		{Kind: core.NoticeProfilePINTries, Title: "Teenager With A Long Name"},
		{Kind: core.NoticeProfileFallback, Title: "Teenager With A Long Name"},
		{Kind: core.NoticeKeychainFailed, Err: keychain.ErrUnavailable},
		{Kind: core.NoticeToolRevokeFailed, Title: "Kometa", Err: refused},
	} {
		add(func(s *core.State) { s.Notice = n })
	}
	add(func(s *core.State) { s.Servers.Err, s.Servers.Checked = refused, now })
	add(func(s *core.State) { s.Keychain, s.Clipboard = keychain.ErrUnavailable, desktop.ErrNoClipboard })
	add(func(s *core.State) {
		s.Profiles = core.Profiles{Offered: true, List: demoHome, Active: &home.Active{UUID: "k1", Title: "Kid"}}
	})
	add(func(s *core.State) {
		s.Phase, s.Method, s.Code, s.URL = core.SigningIn, signin.Code, "ABCD", "https://plex.tv/link/?pin=ABCD"
		s.Notice = core.Notice{Kind: core.NoticeBrowserFailed, Err: errors.New(`exec: "xdg-open": executable file not found in $PATH`)}
	})
	add(func(s *core.State) { s.Phase, s.Notice = core.SignedOut, core.Notice{Kind: core.NoticeTimedOut} })
	for i, s := range states {
		m := NewRenderer(Options{Version: "1.2.3"}).Render(s)
		for _, l := range labels(m) {
			if n := len([]rune(l)); n > maxLabel || n > maxTop && slices.Contains([]string{m.Items[KeyStatus].Title, m.Items[KeyDetail].Title, m.Items[KeyHint].Title}, l) {
				t.Errorf("state %d (%v): a row of %d characters: %q", i, s.Notice.Kind, n, l)
			}
		}
		no, _ := Notify(s.Notice, s)
		for _, text := range append(labels(m), m.Tooltip, no.Title, no.Body) {
			if strings.Contains(text, "dial tcp") || strings.Contains(text, "connect:") || strings.Contains(text, "127.0.0.1:9") {
				t.Errorf("state %d: Go's error text in %q", i, text)
			}
		}
	}
}

// plex.tv's failures in plain words, in the menu as on the command line.
func TestPlexTVProblemsInPlainWords(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{refused, "can't reach plex.tv (connection refused)"},
		{&plextv.NetworkError{Op: "user", Err: context.DeadlineExceeded}, "can't reach plex.tv (no answer in time)"},
		{&plextv.NetworkError{Op: "user", Err: &net.DNSError{Err: "no such host", Name: "plex.tv"}}, "can't reach plex.tv (name not found)"},
		{&plextv.StatusError{StatusCode: 503}, "plex.tv is having trouble (HTTP 503)"},
		{&plextv.StatusError{StatusCode: 429}, "plex.tv asks to slow down (HTTP 429)"},
		{fmt.Errorf("wrapped: %w", errors.New("something odd")), "can't reach plex.tv (network error)"},
	} {
		if got := plexTVProblem(c.err); got != c.want {
			t.Errorf("%v: %q, want %q", c.err, got, c.want)
		}
	}
	s := signedIn()
	s.Unverified, s.Notice = true, core.Notice{Kind: core.NoticeUnreachable, Err: refused, Wait: 30 * time.Second}
	m := Render(s, Options{})
	if got := m.Items[KeyDetail].Title; got != "Can't reach plex.tv (connection refused)" {
		t.Fatalf("detail %q", got)
	}
	if !strings.Contains(m.Tooltip, "Can't reach plex.tv (connection refused) — token kept, trying again in 30s") {
		t.Fatalf("tooltip %q", m.Tooltip)
	}
}

// plex.direct hosts are shortened in labels only.
func TestShortURI(t *testing.T) {
	for in, want := range map[string]string{
		"https://192-168-1-5.0123456789abcdef0123456789abcdef.plex.direct:32400": "https://192-168-1-5.…plex.direct:32400",
		"https://2001-db8--5.0123456789abcdef0123456789abcdef.plex.direct:8443":  "https://2001-db8--5.…plex.direct:8443",
		"https://127.0.0.1:32400":                                              "https://127.0.0.1:32400",
		"https://user:secret@a.example:1":                                      "https://a.example:1",
		"https://a-very-long-host-name-of-some-sort.somewhere.example.org:443": "https://a-very-long-ho…where.example.org:443",
		"https://plex.direct:1":                                                "https://plex.direct:1",
	} {
		if got := shortURI(in); got != want {
			t.Errorf("shortURI(%q) = %q, want %q", in, got, want)
		}
	}
}

// Each sign-in item says how it signs in, and a timed-out one says what
// was not done in that way.
func TestSignInItemsSayHow(t *testing.T) {
	m := Render(core.State{Phase: core.SignedOut}, Options{})
	if a, b := m.Items[KeySignIn], m.Items[KeySignInBrowser]; a.Title != "Sign in with a code…" || b.Title != "Sign in with your browser's Plex session…" || a.Tooltip == "" || b.Tooltip == "" {
		t.Fatalf("%+v / %+v", a, b)
	}
	for method, want := range map[signin.Method][2]string{signin.Code: {"no code entered", "code was not entered"}, signin.Browser: {"page not confirmed", "page was not confirmed"}} {
		s := core.State{Phase: core.SignedOut, Method: method, Notice: core.Notice{Kind: core.NoticeTimedOut}}
		no, ok := Notify(s.Notice, s)
		line := Render(s, Options{}).Items[KeyDetail].Title
		if !ok || !strings.Contains(line, want[0]) || !strings.Contains(no.Body, want[1]) {
			t.Errorf("%v: line %q, notification %+v", method, line, no)
		}
		if method == signin.Browser && (strings.Contains(line+no.Body, "code") || !strings.Contains(no.Body, signInBrowserTitle)) {
			t.Errorf("browser sign-in timed out: line %q, notification %+v", line, no)
		}
	}
}

// A copy is confirmed by a notification (the click closed the menu); a
// token's says when it leaves the clipboard.
func TestCopyIsConfirmed(t *testing.T) {
	s := signedIn()
	for _, c := range []struct {
		n           core.Notice
		title, body string
	}{
		{core.Notice{Kind: core.NoticeCopied, What: core.CopiedServerURI, Text: "https://a:1"}, "Server URI copied", "https://a:1"},
		{core.Notice{Kind: core.NoticeCopied, What: core.CopiedConnectionURI, Text: "https://b:2"}, "Connection URI copied", "https://b:2"},
		{core.Notice{Kind: core.NoticeTokenCopied, What: core.CopiedToken, Wait: 30 * time.Second}, "Token copied", "It is cleared from the clipboard in 30s."},
		{core.Notice{Kind: core.NoticeTokenCopied, What: core.CopiedServerToken}, "Server token copied", "It stays on the clipboard."},
		{core.Notice{Kind: core.NoticeCopyFailed, What: core.CopiedServerURI, Err: desktop.ErrNoClipboard}, "Couldn't copy", "Couldn't copy: install xclip or wl-clipboard (Linux)"},
	} {
		s.Notice = c.n
		no, ok := Notify(c.n, s)
		if !ok || no.Title != c.title || no.Body != c.body {
			t.Errorf("%v %v: %+v", c.n.Kind, c.n.What, no)
		}
	}
}

// The account has one name: plex.tv's title for it, else its username.
func TestOneNameForTheAccount(t *testing.T) {
	s := core.State{Phase: core.SignedIn, Username: "demo", Name: "Demo User", Stored: true, Notice: core.Notice{Kind: core.NoticeSignedIn}}
	m := Render(s, Options{})
	no, _ := Notify(s.Notice, s)
	if m.Items[KeyStatus].Title != "Signed in as Demo User" || no.Title != "Signed in as Demo User" || !strings.HasPrefix(m.Tooltip, "plextray — signed in as Demo User") {
		t.Fatalf("status %q notification %q tooltip %q", m.Items[KeyStatus].Title, no.Title, m.Tooltip)
	}
	s.Name = ""
	if got := Render(s, Options{}).Items[KeyStatus].Title; got != "Signed in as demo" {
		t.Fatalf("without a title: %q", got)
	}
}
