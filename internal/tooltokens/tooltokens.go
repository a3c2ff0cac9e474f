// Package tooltokens makes, lists and revokes tokens for other programs
// (Kometa, Tautulli, a docker-compose.yml): each tool gets a plex.tv
// device of its own — a fresh client identifier — so its token survives
// plextray's next sign-in and can be revoked alone.
//
// A tool's token is handed out once and never kept. The config folder
// keeps only what is needed to find the device again: the tool's name,
// its client identifier and when it was made, under the account it was
// made for. It has no UI imports.
package tooltokens

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/signin"
)

// Suffix follows a tool's name in the product and device name plex.tv's
// Authorized Devices page shows: "Kometa (via plextray)".
const Suffix = " (via plextray)"

// MaxName is the longest tool name, in characters.
const MaxName = 40

// Errors; test with errors.Is.
var (
	// ErrBadName: the name is empty, too long or has characters other than
	// letters, digits, spaces and - _ . + ( ) & ' @.
	ErrBadName = errors.New("a tool's name is 1 to 40 letters, digits, spaces or - _ . + ( ) & ' @")
	// ErrNameTaken: a tool of that name (in any case) exists for the account.
	ErrNameTaken = errors.New("a tool of that name already has a token")
	// ErrUnknownTool: no tool of that name.
	ErrUnknownTool = errors.New("no tool of that name")
	// ErrAlreadyRevoked: plex.tv no longer lists the tool's device (it was
	// revoked elsewhere, e.g. on plex.tv's Authorized Devices page).
	ErrAlreadyRevoked = errors.New("plex.tv no longer lists the tool's device")
)

// CleanName trims name and checks it (ErrBadName). The name travels in
// the X-Plex-Product header and shows on plex.tv, so it is kept plain.
func CleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxName {
		return "", ErrBadName
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" -_.+()&'@", r) {
			return "", ErrBadName
		}
	}
	return name, nil
}

// Tool is what the config folder keeps about one tool token: nothing
// secret.
type Tool struct {
	Name             string    `json:"name"`
	ClientIdentifier string    `json:"clientIdentifier"`
	CreatedAt        time.Time `json:"createdAt"`
	// Profile is the Plex Home profile (uuid and title) the token was made
	// for; empty for the account's own.
	ProfileUUID  string `json:"profileUuid,omitempty"`
	ProfileTitle string `json:"profileTitle,omitempty"`
}

// Maker makes tool tokens at plex.tv.
type Maker struct {
	// Client is plextray's own plex.tv client; the tool's PIN is made with
	// a copy that introduces itself as the tool.
	Client *plextv.Client
	Clock  clock.Clock // nil: the real clock
	// Timeout bounds the whole making (default 1 minute).
	Timeout time.Duration
	// Interval between reads of the tool's PIN (default 500 ms; the PIN
	// is linked before the first read, so one read usually does).
	Interval time.Duration
}

// Make makes a new device named name at plex.tv, linked with tok (the
// account's or a Home profile's token), and returns the device's own
// token and its record. The caller shows the token once and stores only
// the record.
func (m Maker) Make(ctx context.Context, tok plextv.Token, name string) (plextv.Token, Tool, error) {
	name, err := CleanName(name)
	if err != nil {
		return "", Tool{}, err
	}
	own := m.Client.Info()
	id := newUUID()
	tool, err := m.Client.WithInfo(plextv.Info{
		Product: name + Suffix, DeviceName: name + Suffix, Version: own.Version,
		Platform: own.Platform, PlatformVersion: own.PlatformVersion, Device: own.Device,
		ClientIdentifier: id,
	})
	if err != nil {
		return "", Tool{}, err
	}
	clk := m.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	interval := m.Interval
	if interval <= 0 {
		interval = 500 * time.Millisecond
	}
	created := clk.Now().UTC().Truncate(time.Second)
	out, err := signin.Run(ctx, linker{tool: tool, account: m.Client, token: tok}, signin.Options{
		Timeout: timeout, Interval: interval, Clock: clk,
		URL: func(string) string { return "" },
	})
	if err != nil {
		return "", Tool{}, fmt.Errorf("making a token for %s: %w", name, err)
	}
	if !out.Printable() {
		return "", Tool{}, fmt.Errorf("making a token for %s: %w", name, &plextv.DecodeError{Op: "check PIN", Err: errors.New("the token has characters a token never has")})
	}
	return out, Tool{Name: name, ClientIdentifier: id, CreatedAt: created}, nil
}

// linker is the PIN flow of a tool: its PIN is created as the tool and
// linked at once with the account's token, then read back as the tool.
type linker struct {
	tool, account *plextv.Client
	token         plextv.Token
}

func (l linker) CreatePIN(ctx context.Context, _ bool) (*plextv.PIN, error) {
	p, err := l.tool.CreatePIN(ctx, false)
	if err != nil {
		return nil, err
	}
	if err := l.account.LinkPIN(ctx, l.token, p.Code); err != nil {
		return nil, err
	}
	return p, nil
}

func (l linker) CheckPIN(ctx context.Context, id int64) (*plextv.PIN, error) {
	return l.tool.CheckPIN(ctx, id)
}

// State is a tool as plex.tv sees it now.
type State struct {
	Tool
	// Authorized: plex.tv lists the tool's device, so its token works.
	// False: it was revoked elsewhere (or plextray's revoke reached
	// plex.tv but not the config folder).
	Authorized bool
	// LastSeenAt is when plex.tv last saw the token used; zero if unknown.
	LastSeenAt time.Time
	// DeviceID is plex.tv's id of the device (0 when not authorized).
	DeviceID int64
}

// Match pairs each tool with its device in plex.tv's list, by client
// identifier.
func Match(tools []Tool, devices []plextv.Device) []State {
	out := make([]State, len(tools))
	for i, t := range tools {
		out[i] = State{Tool: t}
		for _, d := range devices {
			if d.ClientIdentifier == t.ClientIdentifier {
				out[i].Authorized, out[i].LastSeenAt, out[i].DeviceID = true, d.LastSeenAt, d.ID
				break
			}
		}
	}
	return out
}

// Devices is the part of plextv.Client that Revoke uses.
type Devices interface {
	Devices(ctx context.Context, tok plextv.Token) ([]plextv.Device, error)
	DeleteDevice(ctx context.Context, tok plextv.Token, id int64) error
}

// Revoke deletes the tool's device at plex.tv (found by its client
// identifier in tok's device list), which invalidates exactly its token.
// A device plex.tv no longer lists gives ErrAlreadyRevoked.
func Revoke(ctx context.Context, c Devices, tok plextv.Token, t Tool) error {
	ds, err := c.Devices(ctx, tok)
	if err != nil {
		return err
	}
	st := Match([]Tool{t}, ds)[0]
	if !st.Authorized {
		return ErrAlreadyRevoked
	}
	err = c.DeleteDevice(ctx, tok, st.DeviceID)
	if errors.Is(err, plextv.ErrDeviceNotFound) {
		return ErrAlreadyRevoked
	}
	return err
}

// newUUID is a random (version 4) UUID, the tool's client identifier.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
