// Package lastcheck shares the running tray's last server check with the
// command line, through the config folder, so that `plextray uri` can
// answer in the time a process takes to start instead of asking plex.tv
// and probing every connection again.
//
// The tray keeps its check current: it checks again when the network
// changes, when the machine wakes and after the idle interval. So its
// answer is the one to give, but only while that is true: Usable and
// Find allow it only when all of these hold, and otherwise the command
// line checks itself:
//
//   - a tray is running: it holds TrayLock (Hold) for as long as it runs;
//     a tray that crashed holds nothing;
//   - the record is for the account and profile that profiles.json says
//     are signed in and active now;
//   - this machine's network is the one the check ran on (Network: the
//     addresses on its interfaces, loopback and IPv6 link-local ones left
//     out); the tray also removes the record as soon as it hears of a
//     network change or a wake, before it checks again;
//   - the check is younger than the caller's limit (uri's own answer), or
//     of any age (uri's answer while plex.tv cannot be asked);
//   - the server asked for had a URI in that check that other programs
//     here can use as it is, and that is safe to print.
//
// Nothing secret is in the record: no token, only what plex.tv lists of
// each server (names are plex.tv's, untrusted) and what the check found.
package lastcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/plextray/plextray/internal/fsutil"
)

// File is the record's name in the config folder.
const File = "lastcheck.json"

// version is the record's format; another one is never used.
const version = 1

// maxFile bounds what is read: about 250 bytes a server, so thousands of
// servers fit.
const maxFile = 8 << 20

// Record is one finished check of the tray.
type Record struct {
	Version int `json:"version"`
	// Account is the signed-in account's plex.tv uuid, Profile the active
	// Plex Home profile's uuid ("" for the account's own token): the
	// servers a token sees depend on whose it is.
	Account string `json:"account"`
	Profile string `json:"profile,omitempty"`
	// Network is Network() when the check started.
	Network string `json:"network"`
	// Checked is when the check ended (the menu's "Checked at").
	Checked time.Time `json:"checked"`
	// Servers are plex.tv's servers, in its order.
	Servers []Server `json:"servers"`
}

// Server is one server of a check: what selecting it by name needs and,
// when the check found one other programs here can use as it is, its URI.
type Server struct {
	Name             string `json:"name"`
	ClientIdentifier string `json:"clientIdentifier"`
	Owned            bool   `json:"owned,omitempty"`
	// URI is set only when it is the server's best connection and needs
	// nothing more to work here (servers.URIBest); other cases need the
	// words of a check of their own.
	URI       string  `json:"uri,omitempty"`
	Class     string  `json:"class,omitempty"`    // local, remote, relay
	Protocol  string  `json:"protocol,omitempty"` // https, http
	LatencyMs float64 `json:"latencyMs,omitempty"`
	DecidedMs float64 `json:"decidedMs,omitempty"`
}

// ErrDamaged: the record cannot be read as one.
var ErrDamaged = errors.New("lastcheck.json is damaged")

// Write replaces the record in dir (atomically: a reader sees the old
// record or the new one).
func Write(dir string, r Record) error {
	r.Version = version
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("saving the last server check: %w", err)
	}
	if err := fsutil.WriteFile(filepath.Join(dir, File), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("saving the last server check: %w", err)
	}
	return nil
}

// Remove removes the record from dir; none there is no error.
func Remove(dir string) error {
	err := os.Remove(filepath.Join(dir, File))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing the last server check: %w", err)
	}
	return nil
}

// Read reads the record in dir. No record is an error matching
// fs.ErrNotExist; anything but a record of this version, ErrDamaged.
func Read(dir string) (Record, error) {
	b, err := fsutil.ReadRegular(filepath.Join(dir, File), maxFile)
	if err != nil {
		if errors.Is(err, fsutil.ErrNotRegular) || errors.Is(err, fsutil.ErrTooLarge) {
			return Record{}, fmt.Errorf("%w: %w", ErrDamaged, err)
		}
		return Record{}, err
	}
	return Parse(b)
}

// Parse decodes a record; anything but a record of this version is
// ErrDamaged.
func Parse(b []byte) (Record, error) {
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return Record{}, fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	if r.Version != version || r.Account == "" || r.Network == "" || r.Checked.IsZero() {
		return Record{}, fmt.Errorf("%w: not a record of version %d", ErrDamaged, version)
	}
	return r, nil
}

// checked is s as Find returns it: its URI only if it is printableURI
// with a known class and protocol (the record is a file any process of
// the user can write, and uri prints the URI to a terminal as it is);
// otherwise none, and the command line checks that server itself.
func (s Server) checked() Server {
	if !printableURI(s.URI) || !slices.Contains([]string{"local", "remote", "relay"}, s.Class) || s.Protocol != "https" && s.Protocol != "http" {
		s.URI, s.Class, s.Protocol, s.LatencyMs, s.DecidedMs = "", "", "", 0, 0
	}
	return s
}

// printableURI reports whether u is an http(s) URL, with a host and no
// user:password@, made of printable ASCII only: what a tray's check
// hands out, and safe to print to a terminal as it is.
func printableURI(u string) bool {
	for i := 0; i < len(u); i++ {
		if u[i] <= ' ' || u[i] >= 0x7f {
			return false
		}
	}
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != "" && p.User == nil
}

// Now is what Usable compares a record with: who is signed in and active
// now (from profiles.json), this machine's network now, the time, and
// how old a check may be (0: any age).
type Now struct {
	Account, Profile string
	Network          string
	Time             time.Time
	MaxAge           time.Duration
	TrayRunning      bool
}

// Why a record is not used, for --verbose and the tests.
var (
	ErrNoTray       = errors.New("no tray is running")
	ErrOtherAccount = errors.New("the check was for another account or profile")
	ErrOtherNetwork = errors.New("the check ran on another network")
	ErrTooOld       = errors.New("the check is too old")
)

// Usable reports whether r may answer for now, and if not, why.
func (r Record) Usable(now Now) error {
	switch {
	case !now.TrayRunning:
		return ErrNoTray
	case now.Account == "" || r.Account != now.Account || r.Profile != now.Profile:
		return ErrOtherAccount
	case now.Network == "" || r.Network != now.Network:
		return ErrOtherNetwork
	case now.MaxAge > 0 && now.Time.Sub(r.Checked) > now.MaxAge || r.Checked.After(now.Time.Add(time.Minute)):
		// A check dated in the future says the clock moved: not trusted.
		return ErrTooOld
	}
	return nil
}
