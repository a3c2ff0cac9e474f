package core

import (
	"slices"
	"time"

	"github.com/plextray/plextray/internal/netwatch"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/servers"
	"github.com/plextray/plextray/internal/signin"
)

// Phase is where the person is in signing in.
type Phase int

const (
	Starting  Phase = iota // reading the keychain, checking the token
	SignedOut              // no token
	SigningIn              // a PIN flow is running
	SignedIn               // we hold a token
	// Locked: the keychain is locked, so a stored token may exist but
	// can't be read. Retry reads it again; signing in is offered too.
	Locked
)

func (p Phase) String() string {
	return [...]string{"starting", "signed out", "signing in", "signed in", "locked"}[p]
}

// State is everything a front end shows. The core publishes copies; front
// ends never change them. It holds no sentences: front ends word it.
type State struct {
	Phase Phase

	// Signed in.
	Username string // empty until plex.tv confirmed the token; untrusted
	// Name is the account's name to show: plex.tv's title for it (the
	// name its Plex Home lists for the admin), else Username. Set with
	// Username; untrusted.
	Name string
	// Unverified: we hold a token but plex.tv could not be asked; it is
	// kept and checked again later.
	Unverified bool
	// Stored: the token is in the OS keychain (else in memory only).
	Stored bool

	// Signing in.
	Method      signin.Method
	Code        string // untrusted
	URL         string // page to open for the code
	CodeExpires time.Time

	// Notice is the latest thing worth saying.
	Notice Notice

	// Keychain is why the OS keychain can't be used (nil: it can). It
	// matches keychain.ErrNoSessionBus, keychain.ErrLocked or
	// keychain.ErrUnavailable with errors.Is.
	Keychain error
	// Clipboard is why copying can't work here (nil: it can).
	Clipboard error
	// Notifications is why notifications can't be shown here (nil: they
	// may; under Wine they can't), so the menu carries what they would.
	Notifications error

	Servers   Servers
	Autostart Autostart
	// Now is the core's clock when the State was published ("last seen
	// 3 days ago"). Nothing republishes only because time passed.
	Now      time.Time
	Profiles Profiles // Plex Home (home.go)
	Tools    Tools    // tokens for other programs (tooltokens.go)
}

// Servers is the state of the reachability check.
type Servers struct {
	Checking bool
	// Checked is when the last successful check ended (zero: never).
	// While Err is set, List is still that check's.
	Checked time.Time
	// Err: the last attempt to list the servers at plex.tv failed (it
	// stays set while the next attempt runs, until plex.tv answers).
	Err error
	// List is the servers as package servers reports them, in plex.tv's
	// order: an immutable snapshot (one pointer per server), replaced as
	// probe events arrive. Front ends read it with List.Len/List.Server.
	List servers.Snapshot
	// Changed lists the servers (indices into List) that changed since
	// the State published just before this one; AllChanged says any may
	// have (a new list). A front end that keeps what it drew re-renders
	// only those: applying a probe event costs O(that server).
	Changed    []int
	AllChanged bool
	// Counts summarise List (servers, decided, reachable, done) in O(1);
	// LastCounts are the last finished check's (health at a glance does
	// not flicker while the next check runs).
	Counts     servers.Counts
	LastCounts servers.Counts
	// DNSBlocked: the last check found that this network's DNS does not
	// resolve plex.direct names (see servers.DNSBlocked).
	DNSBlocked bool
	// Trigger is why the running or last check started: a click or
	// start-up (0), or a netwatch trigger (network change, wake, idle).
	Trigger netwatch.Trigger
	// Notify: notifications about servers going offline, coming back or
	// changing class are on (the "Notify me about servers" checkbox).
	Notify bool
}

// Health is how things stand at a glance, in four states (and none while
// not signed in or before the first check): the icon, the tooltip and the
// menu's top lines each say it.
type Health int

const (
	HealthUnknown Health = iota // not signed in, or nothing checked yet
	// HealthGood: every server plex.tv reports online is reachable from
	// here (servers it reports offline don't count), or there are none.
	HealthGood
	// HealthSomeUnreachable: a server plex.tv reports online is
	// unreachable from here (Servers.LastCounts.Unreachable of them).
	HealthSomeUnreachable
	// HealthNoServer: the account has servers and none is reachable.
	HealthNoServer
	// HealthPlexTV: plex.tv can't be reached or fails: checking the token
	// (Unverified) or listing the servers (Servers.Err), at start or
	// mid-session. The server list, if any, is from Servers.Checked.
	HealthPlexTV
)

// Health sums up s (see Health). The last finished check decides, so it
// does not flicker while the next one runs.
func (s State) Health() Health {
	sv, c := s.Servers, s.Servers.LastCounts
	switch {
	case s.Phase != SignedIn:
		return HealthUnknown
	case s.Unverified || sv.Err != nil:
		return HealthPlexTV
	case sv.Checked.IsZero():
		return HealthUnknown
	case c.Servers > 0 && c.Reachable == 0:
		return HealthNoServer
	case c.Unreachable > 0:
		return HealthSomeUnreachable
	}
	return HealthGood
}

// Autostart is the "start at login" setting.
type Autostart struct {
	Supported bool // it can be toggled on this system
	On        bool
	Busy      bool // a toggle is being written
}

// NoticeKind says what happened; front ends turn it into words.
type NoticeKind int

const (
	NoticeNone NoticeKind = iota

	// Steps in progress; the next result replaces them.
	NoticeAskingCode   // creating a PIN
	NoticeWaitingCode  // a code is shown; waiting for it to be entered
	NoticeCodeRenewed  // the code expired, a new one is shown
	NoticeSaving       // linked; storing the token
	NoticeVerifying    // asking plex.tv about the token
	NoticeSigningOut   // signing out at plex.tv
	NoticeTokenCopied  // Wait: when the clipboard is cleared (0: never)
	NoticeCopied       // What was copied
	NoticeTokenCleared // the copied token was cleared from the clipboard

	// Outcomes.
	NoticeSignedIn        // signed in and confirmed; State.Stored says where the token is
	NoticeSignedOut       // signed out here and at plex.tv
	NoticeSignOutOffline  // Err: signed out here; plex.tv couldn't be told
	NoticeCancelled       // sign-in cancelled
	NoticeTimedOut        // sign-in timed out
	NoticeExpired         // the code expired (no renewal)
	NoticeSignInFailed    // Err: a permanent plex.tv error ended the sign-in
	NoticeSignInRetrying  // Err, Wait: plex.tv trouble while signing in; still waiting
	NoticeUnreachable     // Err, Wait: plex.tv couldn't check the token; kept, asked again after Wait
	NoticeRevoked         // plex.tv rejected the stored token; it was removed
	NoticeBrowserFailed   // Err: the browser didn't open; State.URL/Code say what to open
	NoticeCopyFailed      // What, Err
	NoticeKeychainFailed  // Err: reading, storing or removing the token failed
	NoticeAutostartFailed // Err

	// Plex Home profiles; Title names the profile (untrusted).
	NoticeProfileSwitching  // asking plex.tv for the profile's token
	NoticeProfilePIN        // State.Profiles.PINPage asks for the profile's PIN in the browser; Err: the browser did not open
	NoticeProfileWrongPIN   // a wrong PIN was entered on the page; it asks again
	NoticeProfileSwitched   // the profile's token is active now
	NoticeProfileNotKept    // Err: switched, but the token is kept in memory only
	NoticeProfileFailed     // Err: the switch failed; the active profile is unchanged
	NoticeProfileExpired    // the PIN page expired; the active profile is unchanged
	NoticeProfileFallback   // plex.tv rejected the profile's token; the account's own token is active
	NoticeProfileListFailed // Err: the Home's profiles could not be listed
	NoticeProfilePINTries   // the PIN page closed after too many refused PINs; the active profile is unchanged

	// Tokens for other programs; Title names the tool (untrusted).
	NoticeToolRevoked      // the tool's token was revoked; Err: tooltokens.ErrAlreadyRevoked when plex.tv had no longer listed it
	NoticeToolRevokeFailed // Err: revoking failed; the tool is still listed
	NoticeToolPageFailed   // Err: the new-token page could not be served, or the browser did not open it
	NoticeToolMade         // the new-token page showed the tool's token
)

// Copied names what a copy notice is about.
type Copied int

const (
	CopiedNothing Copied = iota
	CopiedToken
	CopiedCode
	CopiedLink
	CopiedServerURI
	CopiedConnectionURI
	CopiedServerToken // a server's own accessToken (cleared like the account's)
	CopiedClaimToken  // a claim token for a new server (cleared when it expires)
)

// Notice is the latest thing worth saying: a kind and the error behind
// it, never a sentence. Seq grows with every new notice, so a front end
// can tell a new one from a republished one.
type Notice struct {
	Kind NoticeKind
	Err  error
	What Copied
	Wait time.Duration
	Seq  int
	// Text is what NoticeCopied copied when it is no secret (a URI, a
	// link, a sign-in code); empty otherwise.
	Text string
	// Title is the Plex Home profile the notice is about (untrusted), or
	// the server's name for the server notices (serverwatch.go).
	Title string
	// The server notices: the server's clientIdentifier, and its best
	// connection's class before (FromClass) and after (Class); Server is
	// the server as the check found it (NoticeServerOffline: why it is
	// not reachable, in the menu's words).
	ServerID         string
	FromClass, Class servers.Class
	Server           *servers.Server
}

// Problem reports whether the notice is an error (the error icon).
func (n Notice) Problem() bool {
	switch n.Kind {
	case NoticeTimedOut, NoticeExpired, NoticeSignInFailed, NoticeSignInRetrying,
		NoticeUnreachable, NoticeRevoked, NoticeBrowserFailed, NoticeCopyFailed,
		NoticeKeychainFailed, NoticeAutostartFailed, NoticeSignOutOffline,
		NoticeProfileWrongPIN, NoticeProfileNotKept, NoticeProfileFailed,
		NoticeProfileExpired, NoticeProfileFallback, NoticeProfileListFailed, NoticeProfilePINTries,
		NoticeToolRevokeFailed, NoticeToolPageFailed:
		return true
	}
	return false
}

// Progress reports whether the notice is a step the next result replaces.
func (n Notice) Progress() bool {
	switch n.Kind {
	case NoticeAskingCode, NoticeWaitingCode, NoticeCodeRenewed, NoticeSaving,
		NoticeVerifying, NoticeSigningOut, NoticeProfileSwitching, NoticeProfilePIN:
		return true
	}
	return false
}

func (s State) clone() State {
	s.Profiles.List = append([]plextv.HomeUser(nil), s.Profiles.List...)
	s.Tools.List = slices.Clone(s.Tools.List)
	// Servers.List is an immutable snapshot: shared, never copied.
	s.Servers.Changed = append([]int(nil), s.Servers.Changed...)
	return s
}
