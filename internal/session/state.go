package session

import (
	"time"

	"github.com/plextray/plextray/internal/signin"
)

// Phase is where the person is in signing in.
type Phase int

const (
	Starting  Phase = iota // reading the keychain, checking the token
	SignedOut              // no token
	SigningIn              // a PIN flow is running
	SignedIn               // we hold a token
)

func (p Phase) String() string {
	return [...]string{"starting", "signed out", "signing in", "signed in"}[p]
}

// State is everything the UI shows. The session publishes copies; the UI
// never changes it.
type State struct {
	Phase Phase

	// Signed in.
	Username string // empty until plex.tv confirmed the token
	// Unverified: we hold a token but plex.tv could not be asked; it is
	// kept and checked again later.
	Unverified bool

	// Signing in.
	Method      signin.Method
	Code        string
	URL         string // page to open for the code
	CodeExpires time.Time

	// Status is the latest thing worth saying, in a person's words
	// ("Sign-in cancelled", "plex.tv unreachable, retrying in 8 s").
	Status string
	// Problem marks Status as an error (error icon).
	Problem bool

	// Capabilities that are missing, with what to do about them.
	KeychainHint  string // token kept in memory only for this run
	ClipboardHint string
	NotifyHint    string // notifications can't be shown (Wine)

	Servers Servers
}

// Servers is the state of the reachability check.
type Servers struct {
	Checking bool
	Checked  time.Time
	Error    string
	List     []Server
}

// Server is one server as the menu shows it.
type Server struct {
	ID          string // clientIdentifier
	Name        string
	Owned       bool
	Owner       string
	Summary     string // "Living Room — local · 4 ms"
	Best        string // best URI, or ""
	Decided     bool   // Best can no longer change
	Connections []Connection
}

// Connection is one way to reach a server and how it went.
type Connection struct {
	URI   string
	Label string // "local https · 4 ms", "remote · timed out"
	OK    bool
}

func (s State) clone() State {
	s.Servers.List = append([]Server(nil), s.Servers.List...)
	for i := range s.Servers.List {
		s.Servers.List[i].Connections = append([]Connection(nil), s.Servers.List[i].Connections...)
	}
	return s
}
