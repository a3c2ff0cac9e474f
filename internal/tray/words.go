package tray

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/desktop"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/netwatch"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/servers"
	"github.com/plextray/plextray/internal/signin"
	"github.com/plextray/plextray/internal/textsafe"
	"github.com/plextray/plextray/internal/tooltokens"
	"github.com/plextray/plextray/internal/wording"
)

// The tray's words: every sentence the menu, tooltip and notifications
// show is made here, from the core's kinds and errors. Every string from
// the network goes through textsafe.

// name is an untrusted name (user, server, owner) for a label.
func name(s string) string { return textsafe.Line(s, textsafe.Name) }

// code is an untrusted PIN code for a label.
func code(s string) string { return textsafe.Line(s, textsafe.Short) }

// uri is an untrusted URI for a label (no user:password@).
func uri(s string) string { return textsafe.URI(s) }

// statusLine is the top line.
func statusLine(s core.State) string {
	switch s.Phase {
	case core.Starting:
		return "Checking sign-in…"
	case core.Locked:
		return "Your token is in a locked keyring"
	case core.SignedOut:
		return "Not signed in"
	case core.SigningIn:
		if s.Method == signin.Browser {
			return "Signing in with your browser…"
		}
		return "Signing in…"
	case core.SignedIn:
		if who := accountName(s); who != "" {
			return "Signed in as " + who + activeProfile(s)
		}
		return "Signed in (not yet confirmed by plex.tv)" + activeProfile(s)
	}
	return ""
}

// accountName is the one name the tray gives the account (the top line,
// the tooltip, notifications, "Switch back to …"): plex.tv's title for it,
// which is also what its Plex Home calls the admin, else its username;
// "" until plex.tv confirmed the token.
func accountName(s core.State) string {
	if n := name(s.Name); n != "" {
		return n
	}
	return name(s.Username)
}

// noticeLine is the detail line: the latest notice in words.
func noticeLine(s core.State) string {
	n := s.Notice
	if line, ok := profileNotice(s); ok {
		return line
	}
	if line, ok := toolNotice(n); ok {
		return line
	}
	switch n.Kind {
	case core.NoticeAskingCode:
		return "Asking plex.tv for a code…"
	case core.NoticeWaitingCode:
		return "Waiting for you to enter the code…"
	case core.NoticeCodeRenewed:
		return "The code expired; here is a new one: " + code(s.Code)
	case core.NoticeSaving:
		return "Linked — saving your token…"
	case core.NoticeVerifying:
		if s.Phase == core.SignedIn {
			return "Checking your token with plex.tv…"
		}
		return "Checking your Plex sign-in…"
	case core.NoticeSigningOut:
		return "Signing out…"
	case core.NoticeTokenCopied:
		what := "Token"
		switch n.What {
		case core.CopiedServerToken:
			what = "Server token"
		case core.CopiedClaimToken:
			return fmt.Sprintf("Claim token copied; use it within %s", n.Wait.Round(time.Second))
		}
		if n.Wait > 0 {
			return fmt.Sprintf("%s copied; clipboard clears in %s", what, n.Wait.Round(time.Second))
		}
		return what + " copied"
	case core.NoticeCopied:
		return copiedWhat(n.What, s) + " copied"
	case core.NoticeTokenCleared:
		return "Token cleared from the clipboard."
	case core.NoticeSignedIn:
		if !s.Stored {
			return "Token not saved: keychain unavailable"
		}
		return ""
	case core.NoticeSignedOut:
		return "Signed out."
	case core.NoticeSignOutOffline:
		return "Signed out here; plex.tv not told (" + short(n.Err) + ")"
	case core.NoticeCancelled:
		return "Sign-in cancelled."
	case core.NoticeTimedOut:
		if s.Method == signin.Browser {
			return "Sign-in timed out: page not confirmed"
		}
		return "Sign-in timed out: no code entered"
	case core.NoticeExpired:
		return "The code expired. Try again."
	case core.NoticeSignInFailed:
		if errors.Is(n.Err, plextv.ErrBadToken) {
			return "Sign-in failed: plex.tv sent a malformed token; nothing was stored"
		}
		if errors.Is(n.Err, plextv.ErrTokenInvalid) {
			return "Sign-in failed: plex.tv rejected this app (" + short(n.Err) + ")"
		}
		return "Sign-in failed: " + plexTVProblem(n.Err)
	case core.NoticeSignInRetrying:
		return fmt.Sprintf("%s — still waiting, next try in %s", capitalize(plexTVProblem(n.Err)), n.Wait.Round(time.Second))
	case core.NoticeUnreachable:
		return fmt.Sprintf("%s — token kept, trying again in %s", capitalize(plexTVProblem(n.Err)), n.Wait)
	case core.NoticeRevoked:
		return "Plex revoked your token — sign in again"
	case core.NoticeBrowserFailed:
		// The menu shows the code and "Copy link"; the tooltip the link.
		line := "No browser opened: use Copy link — open " + uri(s.URL)
		if c := code(s.Code); len(c) == 4 {
			line += " and enter " + c
		}
		return line
	case core.NoticeCopyFailed:
		if n.What == core.CopiedToken {
			return "Couldn't copy the token: " + clipboardWords(n.Err)
		}
		if n.What == core.CopiedClaimToken && fromPlexTV(n.Err) {
			return "No claim token: " + plexTVProblem(n.Err)
		}
		if n.What == core.CopiedServerToken && errors.Is(n.Err, core.ErrNoServerToken) {
			return "plex.tv lists no token of its own for this server"
		}
		if errors.Is(n.Err, plextv.ErrBadToken) {
			return "Not copied: plex.tv sent this server a malformed token"
		}
		return "Couldn't copy: " + clipboardWords(n.Err)
	case core.NoticeKeychainFailed:
		return keychainLine(n.Err, s.Phase) + " — " + keychainWords(n.Err, s.Phase)
	case core.NoticeAutostartFailed:
		return "Couldn't change Start at login: " + textsafe.Line(n.Err.Error(), textsafe.Long)
	}
	return ""
}

func copiedWhat(w core.Copied, s core.State) string {
	switch w {
	case core.CopiedToken:
		return "Token"
	case core.CopiedCode:
		return "Code " + code(s.Code)
	case core.CopiedLink:
		return "Link"
	case core.CopiedServerURI:
		return "Server URI"
	case core.CopiedConnectionURI:
		return "Connection URI"
	case core.CopiedServerToken:
		return "Server token"
	case core.CopiedClaimToken:
		return "Claim token"
	}
	return "Text"
}

// hintLine names missing capabilities and what to do about them; the
// menu shows the first in a few words (keychainLine), the tooltip all.
func hintLine(s core.State) string {
	var hints []string
	if s.Keychain != nil {
		hints = append(hints, keychainLine(s.Keychain, s.Phase)+" — "+keychainWords(s.Keychain, s.Phase))
	}
	if s.Clipboard != nil {
		hints = append(hints, "Clipboard: "+clipboardWords(s.Clipboard))
	}
	if s.Notifications != nil {
		hints = append(hints, "Notifications: none here; this menu says it all")
	}
	return strings.Join(hints, " ")
}

// keychainWords says what is wrong with the keychain and what to do in
// phase p (only the Locked phase offers "Try again").
func keychainWords(err error, p core.Phase) string {
	switch {
	case errors.Is(err, keychain.ErrLocked) && p == core.Locked:
		return wording.KeychainProblem(err) + ", then click Try again."
	case errors.Is(err, keychain.ErrNoSessionBus):
		return wording.KeychainProblem(err) + ": run plextray inside a desktop session."
	case errors.Is(err, keychain.ErrLocked):
		return wording.KeychainProblem(err) + "."
	}
	return wording.KeychainProblem(err) + ", and sign in again."
}

// keychainLine says in a few words what is wrong with the keychain, for
// the top menu (keychainWords says all of it).
func keychainLine(err error, p core.Phase) string {
	switch {
	case errors.Is(err, keychain.ErrLocked) && p == core.Locked:
		return "Keychain: locked; unlock, then Try again"
	case errors.Is(err, keychain.ErrLocked):
		return "Keychain: locked; unlock it"
	case errors.Is(err, keychain.ErrNoSessionBus):
		return "Keychain: no session bus here"
	}
	return "Keychain: none; install gnome-keyring"
}

// clipboardWords says what is wrong with the clipboard.
func clipboardWords(err error) string {
	if errors.Is(err, desktop.ErrNoClipboard) {
		return "install xclip or wl-clipboard (Linux)"
	}
	return textsafe.Line(err.Error(), textsafe.Long)
}

// short is why asking plex.tv failed, in a few plain words ("HTTP 503",
// "connection refused", "no answer in time"): never Go's error text,
// which the log has.
func short(err error) string {
	if err == nil {
		return ""
	}
	switch kind, se := wording.PlexTVFailureOf(err); kind {
	case wording.PlexTVLimited:
		return "rate limited"
	case wording.PlexTVTrouble, wording.PlexTVRefused:
		return fmt.Sprintf("HTTP %d", se.StatusCode)
	case wording.PlexTVUnreadable:
		return "an answer it can't read"
	}
	return netWhy(err)
}

// plexTVProblem says what went wrong asking plex.tv: "can't reach plex.tv
// (connection refused)", "plex.tv is having trouble (HTTP 503)".
func plexTVProblem(err error) string {
	if err == nil {
		return ""
	}
	switch kind, se := wording.PlexTVFailureOf(err); kind {
	case wording.PlexTVLimited:
		return "plex.tv asks to slow down (HTTP 429)"
	case wording.PlexTVTrouble:
		return fmt.Sprintf("plex.tv is having trouble (HTTP %d)", se.StatusCode)
	case wording.PlexTVRefused:
		return fmt.Sprintf("plex.tv refused (HTTP %d)", se.StatusCode)
	case wording.PlexTVUnreadable:
		return "plex.tv's answer was unreadable"
	}
	return "can't reach plex.tv (" + netWhy(err) + ")"
}

// netWhy is why a connection failed, in plain words.
func netWhy(err error) string { return netWhyWords[wording.NetFailureOf(err)] }

var netWhyWords = [...]string{
	wording.NetOther:       "network error",
	wording.NetRefused:     "connection refused",
	wording.NetNoName:      "name not found",
	wording.NetCertificate: "certificate not accepted",
	wording.NetTimeout:     "no answer in time",
	wording.NetBroken:      "connection broke off",
	wording.NetNoRoute:     "no route",
}

func tooltip(s core.State) string {
	t := "plextray — "
	switch s.Phase {
	case core.Starting:
		t += "checking sign-in"
	case core.Locked:
		t += "keyring locked"
	case core.SignedOut:
		t += "not signed in to Plex"
	case core.SigningIn:
		if s.Code != "" && s.Method == signin.Code {
			t += "signing in, code " + code(s.Code)
		} else {
			t += "signing in"
		}
	case core.SignedIn:
		if who := accountName(s); who != "" {
			t += "signed in as " + who + activeProfile(s)
		} else {
			t += "signed in (not confirmed)"
		}
	}
	if s.Notice.Problem() {
		if line := noticeLine(s); line != "" {
			t += " — " + line
		}
	} else if h := healthWords(s); h != "" {
		t += " — " + h
	}
	return t
}

// healthWords: how things stand, for the tooltip of a signed-in state
// (a problem notice, such as plex.tv being unreachable at start, is said
// instead, above).
func healthWords(s core.State) string {
	sv, c := s.Servers, s.Servers.LastCounts
	switch s.Health() {
	case core.HealthUnknown:
		if s.Phase == core.SignedIn && sv.Checking {
			return "checking servers"
		}
		return ""
	case core.HealthPlexTV:
		w := plexTVProblem(sv.Err)
		if !sv.Checked.IsZero() {
			w += "; servers as of " + clockTime(sv.Checked)
		}
		return w
	case core.HealthNoServer:
		if c.Servers == 1 {
			return "your server is not reachable"
		}
		return fmt.Sprintf("none of your %d servers is reachable", c.Servers)
	case core.HealthSomeUnreachable:
		return fmt.Sprintf("%d of %d servers reachable; %s", c.Reachable, c.Servers, unreachableWords(c.Unreachable))
	}
	switch {
	case c.Servers == 0:
		return "all good: no servers"
	case c.Reachable == c.Servers:
		return "all good: every server reachable"
	}
	return fmt.Sprintf("all good: %d of %d servers reachable, %d offline at plex.tv", c.Reachable, c.Servers, c.Servers-c.Reachable)
}

// healthLine is the menu's top line for how things stand: the tooltip's
// words, as a sentence.
func healthLine(s core.State) string {
	sv, c := s.Servers, s.Servers.LastCounts
	switch s.Health() {
	case core.HealthPlexTV:
		if sv.Err == nil {
			return "" // the unverified token's notice says it
		}
		line := capitalize(plexTVProblem(sv.Err))
		if !sv.Checked.IsZero() {
			line += "; servers as of " + clockTime(sv.Checked)
		}
		return line
	case core.HealthNoServer:
		if c.Servers == 1 {
			return "Your server is not reachable from here"
		}
		return "No server is reachable from here"
	case core.HealthSomeUnreachable:
		// The tooltip adds that plex.tv has it online.
		if c.Unreachable == 1 {
			return "1 server is unreachable from here"
		}
		return fmt.Sprintf("%d servers are unreachable from here", c.Unreachable)
	case core.HealthGood:
		if c.Servers == 0 {
			return ""
		}
		if c.Reachable == c.Servers {
			return "All good: every server reachable"
		}
		return fmt.Sprintf("All good: %d of %d reachable, %d offline", c.Reachable, c.Servers, c.Servers-c.Reachable)
	}
	return ""
}

// unreachableWords: "1 server is unreachable from here (online at plex.tv)".
func unreachableWords(n int) string {
	if n == 1 {
		return "1 server is " + unreachableHere
	}
	return fmt.Sprintf("%d servers are %s", n, unreachableHere)
}

// unreachableHere is a server plex.tv reports online that nothing reaches
// from here, in the words the rows, the tooltip and notifications share.
const unreachableHere = wording.UnreachableHere

// capitalize starts s with a capital letter, except plex.tv's name.
func capitalize(s string) string {
	if s == "" || strings.HasPrefix(s, "plex.tv") {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// clockTime: "14:32", in local time.
func clockTime(t time.Time) string { return t.Local().Format("15:04") }

// asOfWords: " (as of 14:32)" for rows from an earlier check, else "".
func asOfWords(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return " (as of " + clockTime(t) + ")"
}

// Notification is a notification in words.
type Notification struct{ Title, Body string }

// Notify words the notice the core asks to show; ok is false for
// notices the tray does not notify about.
func Notify(n core.Notice, s core.State) (_ Notification, ok bool) {
	if no, ok := profileNotify(n, s); ok {
		return no, true
	}
	if no, ok := toolNotify(n); ok {
		return no, true
	}
	switch n.Kind {
	case core.NoticeWaitingCode, core.NoticeCodeRenewed:
		var no Notification
		if s.Method == signin.Browser {
			no = Notification{"Sign in to Plex in your browser", "Click \"Sign in\" on the Plex page that opened."}
		} else {
			no = Notification{"Plex sign-in code: " + code(s.Code), "Enter it at " + uri(s.URL)}
			if n.What == core.CopiedCode {
				no.Body += " (it is on your clipboard)."
			}
		}
		if n.Kind == core.NoticeCodeRenewed {
			no.Title = "New code — " + no.Title
		}
		return no, true
	case core.NoticeSignedIn:
		body := "Your token is in the keychain."
		if !s.Stored {
			body = "The keychain is unavailable, so the token is kept only until you quit. " + keychainWords(s.Keychain, s.Phase)
		}
		return Notification{"Signed in as " + accountName(s), body}, true
	case core.NoticeRevoked:
		return Notification{"Signed out of Plex", "Your token was revoked or expired. Sign in again from the tray."}, true
	case core.NoticeTimedOut:
		if s.Method == signin.Browser {
			return Notification{"Plex sign-in timed out", "Plex's sign-in page was not confirmed in time. Click \"" + signInBrowserTitle + "\" to try again."}, true
		}
		return Notification{"Plex sign-in timed out", "The code was not entered in time. Click \"" + signInCodeTitle + "\" to try again."}, true
	case core.NoticeSignInFailed:
		return Notification{"Plex sign-in failed", capitalize(plexTVProblem(n.Err)) + "."}, true
	case core.NoticeCopied, core.NoticeTokenCopied, core.NoticeCopyFailed:
		return copyNotification(n, s), true
	case core.NoticeServerOffline:
		// The menu's words for the server: "Living Room — unreachable
		// from here (online at plex.tv)", "Cabin — offline · last seen …".
		title := serverNoticeName(n) + " is offline"
		if n.Server != nil {
			title = serverTitle(*n.Server, s.Now)
		}
		return Notification{title, "No connection answers any more (it was reachable " + classWords(n.FromClass) + ")."}, true
	case core.NoticeServerBack:
		return Notification{serverNoticeName(n) + " is back", "Reachable again " + classWords(n.Class) + "."}, true
	case core.NoticeServerClass:
		return Notification{serverNoticeName(n) + " is now reachable " + classWords(n.Class) + " only",
			"Its best connection changed from " + n.FromClass.String() + " to " + n.Class.String() + "."}, true
	}
	return Notification{}, false
}

func serverNoticeName(n core.Notice) string {
	if t := name(n.Title); t != "" {
		return t
	}
	return "A server"
}

// classWords: "locally", "remotely", "through a Plex relay".
func classWords(c servers.Class) string {
	switch c {
	case servers.ClassLocal:
		return "locally"
	case servers.ClassRemote:
		return "remotely"
	}
	return "through a Plex relay"
}

// ——— Plex Home profiles ———

// activeProfile: " · profile Kid" when a profile's token is active.
func activeProfile(s core.State) string {
	if a := s.Profiles.Active; a != nil {
		return " · profile " + profileName(a.Title)
	}
	return ""
}

func profileName(title string) string {
	if n := name(title); n != "" {
		return n
	}
	return "(unnamed profile)"
}

// profileTitle: "Kid", "Teen (PIN)", "anna (admin)".
func profileTitle(u plextv.HomeUser) string {
	t := profileName(u.Title)
	switch {
	case u.Admin && u.Protected:
		t += " (admin, PIN)"
	case u.Admin:
		t += " (admin)"
	case u.Protected:
		t += " (PIN)"
	}
	return t
}

// switchBackTitle: "Switch back to Anna" (accountName, else the name
// the Home gives the admin).
func switchBackTitle(s core.State) string {
	if who := accountName(s); who != "" {
		return "Switch back to " + who
	}
	if a := s.Profiles.Admin(); a != nil {
		return "Switch back to " + profileName(a.Title)
	}
	return "Switch back to your account"
}

// profilesNote is the Profile submenu's note line.
func profilesNote(s core.State) string {
	p := s.Profiles
	switch {
	case p.Switching != nil && p.PINPage != "":
		return "Enter " + profileName(p.Switching.Title) + "'s PIN in your browser"
	case p.Switching != nil:
		return "Switching to " + profileName(p.Switching.Title) + "…"
	case p.Listing && len(p.List) == 0:
		return "Listing profiles…"
	case s.Notice.Kind == core.NoticeProfileListFailed:
		return "Couldn't list profiles (" + short(s.Notice.Err) + ")"
	case !p.Kept && p.Active != nil:
		return "Kept only until you quit (no keychain)"
	}
	return ""
}

// profileNotice words the profile notices for the detail line.
func profileNotice(s core.State) (string, bool) {
	n := s.Notice
	who := profileName(n.Title)
	switch n.Kind {
	case core.NoticeProfileSwitching:
		return "Switching to " + who + "…", true
	case core.NoticeProfilePIN:
		if n.Err != nil && s.Profiles.PINPage != "" {
			return "Couldn't open a browser: open " + uri(s.Profiles.PINPage) + " to enter " + who + "'s PIN", true
		}
		return "Enter " + who + "'s PIN in your browser", true
	case core.NoticeProfileWrongPIN:
		return "Wrong PIN for " + who + " — try again in your browser", true
	case core.NoticeProfileSwitched:
		// The top line says whose token is active: one line per fact.
		return "", true
	case core.NoticeProfileNotKept:
		return "Not saved: the keychain is unavailable", true
	case core.NoticeProfileFailed:
		if n.Title == "" {
			return "Couldn't switch profile (" + short(n.Err) + ")", true
		}
		return "Couldn't switch to " + who + " (" + short(n.Err) + ")", true
	case core.NoticeProfileExpired:
		return "The PIN page for " + who + " expired — choose the profile again", true
	case core.NoticeProfilePINTries:
		return "Too many wrong PINs for " + who + "; try again later", true
	case core.NoticeProfileFallback:
		return "plex.tv no longer accepts " + who + "'s token — back to your own", true
	case core.NoticeProfileListFailed:
		return "Couldn't list your Plex Home (" + short(n.Err) + ")", true
	}
	return "", false
}

// profileNotify words the profile notices worth a notification.
func profileNotify(n core.Notice, s core.State) (Notification, bool) {
	if n.Kind == core.NoticeProfilePINTries {
		return Notification{"Too many wrong PINs for " + profileName(n.Title),
			"The PIN page closed after the PINs it may send were all refused; the profile is unchanged. Choose the profile again later to try again."}, true
	}
	if n.Kind == core.NoticeProfileFallback {
		return Notification{"Plex profile " + profileName(n.Title) + " signed out",
			"plex.tv no longer accepts the profile's token; plextray uses your own account's token. Choose the profile again to switch back."}, true
	}
	return Notification{}, false
}

// ——— servers ———

// serverTitle: "Living Room — local · 4 ms", "Dad's Plex (shared) —
// relay · 80 ms", "Cabin — offline · last seen 3 days ago", "Attic —
// checking…".
func serverTitle(s servers.Server, now time.Time) string {
	return wording.ServerName(s) + " — " + wording.ServerStatus(s, now)
}

// checkedLine: "Checked at 14:32" ("Checked at 23:50 on 1 Dec" when that
// was another day), and why, when a trigger started a check again. A
// clock time stays true without re-rendering the menu every minute.
func checkedLine(sv core.Servers, now time.Time) string {
	if sv.Checked.IsZero() || now.IsZero() {
		return ""
	}
	line := "Checked at " + sv.Checked.Format("15:04")
	if y, m, d := sv.Checked.Date(); !(y == now.Year() && m == now.Month() && d == now.Day()) {
		line += sv.Checked.Format(" on 2 Jan")
	}
	if sv.Checking {
		switch sv.Trigger {
		case netwatch.NetworkChanged:
			return line + "; checking again (network changed)…"
		case netwatch.Woke:
			return line + "; checking again (woke from sleep)…"
		}
	}
	return line
}

// The Servers submenu's fixed words.
const (
	dnsBlockedLine     = "This network's DNS blocks plex.direct names"
	dnsBlockedTip      = "Servers are reached by the address in their plex.direct name, but other programs on this computer can't use those URIs. Fix: allow plex.direct in your router's DNS-rebinding protection (dnsmasq: rebind-domain-ok=/plex.direct/; Pi-hole, pfSense, Fritz!Box, NextDNS have the same setting)."
	notifyServersTitle = "Notify me about servers"
	notifyServersTip   = "A notification when a server goes offline, comes back, or is reachable only another way (e.g. local → relay)"
	serverTokenTip     = "This server's own token (a shared server answers only to it); cleared from the clipboard like your token"
	moreServersTip     = "The menu shows the most relevant servers: your own first, then those reachable, then by name. 'plextray servers' lists every one."
)

// moreServersLine is the Servers submenu's last row when it shows only
// some of the servers: "1950 more… ('plextray servers' lists all)".
func moreServersLine(n int) string {
	return fmt.Sprintf("%d more… ('plextray servers' lists all)", n)
}

// serverRow is a server's row in the Servers submenu: "Living Room —
// local · 4 ms", its name n (wording.ServerName) shortened so that the
// status fits maxLabel.
func serverRow(n string, s servers.Server, now, asOf time.Time) string {
	status, as := wording.ServerStatus(s, now), asOfWords(asOf)
	width := func() int {
		return utf8.RuneCountInString(n) + 3 + utf8.RuneCountInString(status) + utf8.RuneCountInString(as)
	}
	if width() > maxLabel {
		// "unreachable from here (as of 14:32)": the top line says
		// where plex.tv stands.
		status = strings.Replace(status, " (online at plex.tv)", "", 1)
	}
	if over := width() - maxLabel; over > 0 {
		n = ellipsis(n, max(utf8.RuneCountInString(n)-over, 12))
	}
	return ellipsis(n+" — "+status+as, maxLabel)
}

// rowTip is what a click on a server's row copies, and why when it is
// not the best connection. (Only macOS shows a menu row's tooltip; the
// Servers item's says what a click does.)
func rowTip(s servers.Server) string {
	switch s.URIKind {
	case servers.URINone:
		return "No connection answers; nothing to copy"
	case servers.URIOther:
		return uri(s.URI) + " (the best one, " + uri(s.Best) + ", needs plex.direct DNS, which this network blocks)"
	case servers.URINeedsDNS:
		return uri(s.URI) + " (needs plex.direct DNS, blocked here: allow plex.direct in your router's DNS-rebinding protection)"
	}
	return uri(s.URI)
}

// connTitle: "192-168-1-5.…plex.direct:32400 — local · 4 ms", within
// connWidth. The scheme is left out (the kind says "http" when it is not
// https); a click copies the whole URI.
func connTitle(c servers.Connection) string {
	a, mid, b := shortParts(uri(c.URI))
	a = strings.TrimPrefix(a, "https://")
	t := a + mid + b + " — " + wording.ConnKind(c) + " · " + wording.ConnLabel(c)
	if utf8.RuneCountInString(t) > connWidth {
		t = a + mid + b + " — " + wording.ConnKind(c) + " · " + connState(c)
	}
	return ellipsis(t, connWidth)
}

// connWidth is the widest a connection's row may be: it is the third
// menu deep (see maxLabel).
const connWidth = 48

// connState is a connection's state in at most a couple of words, for
// when wording.ConnLabel makes its row too wide.
func connState(c servers.Connection) string {
	switch c.State {
	case servers.DNSFailure:
		return "DNS failed"
	case servers.Skipped:
		return "not tried"
	}
	return wording.ConnLabel(c)
}

// shortURI is an untrusted URI for a label, its host shortened: a
// plex.direct name keeps the address it spells and drops its 32-digit
// hash ("https://192-168-1-5.…plex.direct:32400"); any other host longer
// than 32 characters keeps its start and end. Only labels are shortened,
// never what is copied.
func shortURI(raw string) string {
	a, mid, b := shortParts(uri(raw))
	return ellipsis(a+mid+b, 56)
}

// shortParts is shortURI in three parts whose concatenation is the label,
// a and b cut from u (a connection's row joins them with its state in one
// allocation).
func shortParts(u string) (a, mid, b string) {
	u = strings.TrimSuffix(u, "/")
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u, "", ""
	}
	start := len(u) - len(rest) // the host's first byte
	end := len(u)               // after the host
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		end = start + i
	}
	if i := strings.LastIndexByte(u[start:end], ':'); i >= 0 && !strings.Contains(u[start+i:end], "]") {
		end = start + i
	}
	host := u[start:end]
	switch first, _, _ := strings.Cut(host, "."); {
	case strings.HasSuffix(host, ".plex.direct") && len(first)+len(".plex.direct") < len(host):
		return u[:start+len(first)], ".…plex.direct", u[end:]
	case utf8.RuneCountInString(host) > 32:
		r := []rune(host)
		return u[:start] + string(r[:14]), "…", string(r[len(r)-17:]) + u[end:]
	}
	return u, "", ""
}

// serversNote is the Servers submenu's note line.
func serversNote(sv core.Servers) string {
	switch {
	case sv.Err != nil:
		return "Couldn't list servers: " + short(sv.Err)
	case sv.Checking && sv.List.Len() == 0:
		return "Checking…"
	case !sv.Checking && sv.List.Len() == 0 && !sv.Checked.IsZero():
		return "No servers on this account"
	}
	return ""
}

// ——— widths ———

// The widest a menu row may be, in characters (about 6 px each in a
// panel's menu font, plus the menu's margins): a server's details are
// three menus deep (the top menu, Server details, the server), and the
// three must fit side by side left of the icon on a 1024 px screen, or
// the panel opens the third as an empty sliver.
const (
	maxLabel = 60 // a submenu's row
	maxTop   = 40 // the top menu's lines (what the state and notices say)
	maxName  = 32 // a server's name under Server details
)

// ellipsis cuts s to at most n characters, ending in "…" if it was cut.
func ellipsis(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}

// fit makes it at most n characters wide and reports whether it had to:
// a sentence ends at a clause boundary (" — ", "; ", " (") that leaves it
// readable, else at a word with "…". The whole sentence goes to the
// item's tooltip if it has none.
func fit(it *Item, n int) bool {
	full := it.Title
	if utf8.RuneCountInString(full) <= n {
		return false
	}
	it.Title = cut(full, n)
	if it.Tooltip == "" {
		it.Tooltip = full
	}
	return true
}

// cut shortens a sentence longer than n characters (see fit).
func cut(s string, n int) string {
	r := []rune(s)
	head := string(r[:min(len(r), n+3)]) // a boundary may start right after n characters
	best := -1
	for _, sep := range []string{" — ", "; ", " ("} {
		for i := 0; ; i += len(sep) {
			j := strings.Index(head[i:], sep)
			if j < 0 {
				break
			}
			i += j
			if k := utf8.RuneCountInString(s[:i]); i > best && k >= n/3 && k <= n {
				best = i
			}
		}
	}
	if best >= 0 {
		return s[:best]
	}
	head = string(r[:n-1])
	if i := strings.LastIndexByte(head, ' '); i >= n/3 {
		head = head[:i]
	}
	return strings.TrimRight(head, " ,;:—") + "…"
}

// fitServers fits the Servers submenu's fixed rows (server rows are
// rendered to fit).
func fitServers(m *ServersModel) {
	for _, it := range []*Item{&m.CheckAgain, &m.Note, &m.Checked, &m.DNS, &m.Notify, &m.More} {
		fit(it, maxLabel)
	}
}

// ——— copying ———

// copyNotification confirms a copy (the click closed the menu, so the
// menu can't show it): "Server URI copied" and what it was, or why it
// failed.
func copyNotification(n core.Notice, s core.State) Notification {
	if n.Kind == core.NoticeCopyFailed {
		return Notification{"Couldn't copy", capitalize(noticeLine(s))}
	}
	title := copiedWhat(n.What, s) + " copied"
	switch {
	case n.What == core.CopiedClaimToken:
		return Notification{title, fmt.Sprintf("Start the new server with it (PLEX_CLAIM) within %s; it is cleared from the clipboard then.", n.Wait.Round(time.Second))}
	case n.Kind == core.NoticeTokenCopied && n.Wait > 0:
		return Notification{title, fmt.Sprintf("It is cleared from the clipboard in %s.", n.Wait.Round(time.Second))}
	case n.Kind == core.NoticeTokenCopied:
		return Notification{title, "It stays on the clipboard."}
	case n.What == core.CopiedServerURI || n.What == core.CopiedConnectionURI:
		body := uri(n.Text)
		if s.Servers.DNSBlocked && servers.IsPlexDirect(n.Text) {
			body += " (needs plex.direct DNS, which this network blocks)"
		}
		return Notification{title, body}
	}
	return Notification{title, ""}
}

// The sign-in items: each says which way it signs in.
const (
	signInCodeTitle    = "Sign in with a code…"
	signInCodeTip      = "Get a code to enter at plex.tv/link, on this or any other device"
	signInBrowserTitle = "Sign in with your browser's Plex session…"
	signInBrowserTip   = "One click, if you are already signed into plex.tv in your default browser"
)

// The Servers and Server details items.
const (
	serversTip       = "Click a server to copy its best URI"
	serverDetailsTip = "Each server's own token, Plex Web and connections"
)

// claimTip explains "Copy claim token".
const claimTip = "A claim token for a new Plex Media Server (PLEX_CLAIM of the official container); it works for 4 minutes and is cleared from the clipboard then"

// webTip says where "Open Plex Web" goes (see servers.WebURL).
func webTip(web string) string {
	switch {
	case web == "":
		return "No local connection, and plex.tv gave this server no usable identifier"
	case strings.Contains(web, "#!/media/"):
		return "Opens the server's library in the Plex web app"
	}
	return "Opens the server's own Plex Web at " + uri(web)
}

// fromPlexTV reports whether err came from asking plex.tv (not from the
// clipboard).
func fromPlexTV(err error) bool {
	var se *plextv.StatusError
	var ne *plextv.NetworkError
	var de *plextv.DecodeError
	return errors.As(err, &se) || errors.As(err, &ne) || errors.As(err, &de) || errors.Is(err, plextv.ErrTokenInvalid)
}

// ——— tokens for tools ———

const (
	toolsTip   = "Tokens plextray made for other programs (Kometa, Tautulli, a docker-compose.yml): one per tool, each revocable alone"
	newToolTip = "Opens a page in your browser to name the tool; it shows the new token once"
)

// toolTitle: "Kometa", "Kometa (for Kid)".
func toolTitle(t tooltokens.Tool) string {
	if t.ProfileUUID != "" {
		return name(t.Name) + " (for " + profileName(t.ProfileTitle) + ")"
	}
	return name(t.Name)
}

// toolTip: when the tool's token was made, and why it can't be copied.
func toolTip(t tooltokens.Tool) string {
	return "Made " + t.CreatedAt.Local().Format("2 Jan 2006 15:04") + "; its token was shown once and is kept nowhere, so it can't be copied again"
}

func revokeTip(tool string) string {
	return "Revoke " + name(tool) + "'s token at plex.tv: it stops working; other tokens and plextray's own keep working"
}

// toolsNote is the submenu's note line: the list could not be read, or
// there is none yet.
func toolsNote(t core.Tools) string {
	switch {
	case t.Err != nil:
		return "Couldn't read the tools list: " + textsafe.Line(t.Err.Error(), 80)
	case len(t.List) == 0:
		return "No tool tokens yet"
	}
	return ""
}

// toolRevokeWords says why revoking failed, in plain words.
func toolRevokeWords(err error) string {
	var pe *core.ToolProfileError
	switch {
	case errors.As(err, &pe):
		return "it was made for the profile " + profileName(pe.Profile) + ", whose token is not stored here; switch to " + profileName(pe.Profile) + " once and try again"
	case errors.Is(err, plextv.ErrTokenInvalid):
		return "plex.tv no longer accepts your own token; sign in again"
	case fromPlexTV(err):
		return "plex.tv could not be asked (" + short(err) + "); the token still works, try again later"
	}
	return textsafe.Line(err.Error(), textsafe.Long)
}

// toolNotice words the tool notices for the detail line.
func toolNotice(n core.Notice) (string, bool) {
	tool := name(n.Title)
	switch n.Kind {
	case core.NoticeToolRevoked:
		if errors.Is(n.Err, tooltokens.ErrAlreadyRevoked) {
			return tool + "'s token was already revoked at plex.tv; it is no longer listed", true
		}
		return "Revoked " + tool + "'s token", true
	case core.NoticeToolRevokeFailed:
		return "Couldn't revoke " + tool + "'s token: " + toolRevokeWords(n.Err), true
	case core.NoticeToolPageFailed:
		return "Couldn't open the new-token page: " + textsafe.Line(n.Err.Error(), textsafe.Long), true
	case core.NoticeToolMade:
		return "Made a token for " + tool + " (shown once on the page)", true
	}
	return "", false
}

// toolNotify words the tool notices worth a notification.
func toolNotify(n core.Notice) (Notification, bool) {
	tool := name(n.Title)
	switch n.Kind {
	case core.NoticeToolRevoked:
		if errors.Is(n.Err, tooltokens.ErrAlreadyRevoked) {
			return Notification{tool + "'s token was already revoked", "plex.tv no longer listed it (it was revoked elsewhere); plextray no longer lists it either."}, true
		}
		return Notification{"Revoked " + tool + "'s token", "plex.tv no longer accepts it. Other tokens and plextray's own keep working."}, true
	case core.NoticeToolRevokeFailed:
		return Notification{"Couldn't revoke " + tool + "'s token", capitalize(toolRevokeWords(n.Err)) + "."}, true
	case core.NoticeToolPageFailed:
		return Notification{"Couldn't open the new-token page", textsafe.Line(n.Err.Error(), textsafe.Long)}, true
	}
	return Notification{}, false
}
