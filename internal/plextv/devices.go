package plextv

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Devices, tool tokens and claim tokens.
//
// plex.tv keeps one token per (account, client identifier): a token for
// another program must come from a client identifier of its own, or the
// next sign-in from ours rotates it out. A signed-in client hands another
// device its own token by linking that device's PIN (LinkPIN); the device
// then reads its token by polling its PIN with its own identifier.

// maxDevicesBody bounds devices.xml: an account lists every device it
// ever signed in from, so it can be long, but never this long.
const maxDevicesBody = 8 << 20

// validCode reports whether code looks like a PIN code: 4 characters for
// plex.tv/link, 25 for a strong PIN; 1 to 64 letters and digits only,
// nothing that could change the form.
func validCode(code string) bool { return alnum(code, 64) }

// WithInfo returns a client like c that introduces itself as info: another
// device, with a client identifier of its own (a tool's PIN is created and
// polled that way).
func (c *Client) WithInfo(info Info) (*Client, error) {
	if info.ClientIdentifier == "" {
		return nil, errors.New("plextv: a client identifier is required")
	}
	cp := *c
	cp.info = info
	return &cp, nil
}

// LinkPIN links the PIN with code to token's account, as plex.tv/link
// does for a signed-in person: the device that created the PIN then reads
// a token of its own from it. An unknown or expired code matches
// ErrPINExpired.
func (c *Client) LinkPIN(ctx context.Context, token Token, code string) error {
	if token.IsZero() {
		return ErrTokenInvalid
	}
	if !validCode(code) {
		return errors.New("plex.tv link PIN: not a PIN code")
	}
	form := url.Values{"code": {code}}
	return c.do(ctx, "link PIN", http.MethodPut, "/api/v2/pins/link", token, form, nil, maxBody)
}

// Device is one entry of the account's "Authorized Devices"
// (plex.tv/devices.xml): every app, player and server that holds a token.
type Device struct {
	ID               int64
	Name             string
	Product          string
	ProductVersion   string
	Platform         string
	PlatformVersion  string
	Device           string
	Provides         string
	ClientIdentifier string
	CreatedAt        time.Time // zero when absent or unreadable
	LastSeenAt       time.Time // zero when absent or unreadable
	// Token is the device's own token. It is never shown: it is read only
	// so that a test can tell the decoder keeps it out of every output.
	Token Token
}

// Devices lists the account's authorized devices.
func (c *Client) Devices(ctx context.Context, token Token) ([]Device, error) {
	if token.IsZero() {
		return nil, ErrTokenInvalid
	}
	data, err := c.send(ctx, "devices", http.MethodGet, "/devices.xml", "application/xml", token, nil, maxDevicesBody)
	if err != nil {
		return nil, err
	}
	ds, err := DecodeDevices(data)
	if err != nil {
		return nil, &DecodeError{Op: "devices", Err: err}
	}
	return ds, nil
}

// DeleteDevice removes the device with plex.tv id id (Device.ID) from the
// account, which invalidates its token. A device plex.tv no longer has
// matches ErrDeviceNotFound.
func (c *Client) DeleteDevice(ctx context.Context, token Token, id int64) error {
	if token.IsZero() {
		return ErrTokenInvalid
	}
	if id <= 0 {
		return errors.New("plex.tv delete device: not a device id")
	}
	path := "/devices/" + strconv.FormatInt(id, 10) + ".xml"
	_, err := c.send(ctx, "delete device", http.MethodDelete, path, "application/xml", token, nil, maxBody)
	return err
}

// DecodeDevices reads devices.xml leniently: unknown attributes and
// elements are ignored, numbers and Unix-second times that don't parse
// read as zero. Devices without a positive id or a client identifier are
// dropped: nothing can be done with them. The root must be a
// MediaContainer.
func DecodeDevices(data []byte) ([]Device, error) {
	var mc struct {
		XMLName xml.Name `xml:"MediaContainer"`
		Devices []struct {
			ID               string `xml:"id,attr"`
			Name             string `xml:"name,attr"`
			Product          string `xml:"product,attr"`
			ProductVersion   string `xml:"productVersion,attr"`
			Platform         string `xml:"platform,attr"`
			PlatformVersion  string `xml:"platformVersion,attr"`
			Device           string `xml:"device,attr"`
			Provides         string `xml:"provides,attr"`
			ClientIdentifier string `xml:"clientIdentifier,attr"`
			Token            string `xml:"token,attr"`
			CreatedAt        string `xml:"createdAt,attr"`
			LastSeenAt       string `xml:"lastSeenAt,attr"`
		} `xml:"Device"`
	}
	if err := xml.Unmarshal(data, &mc); err != nil {
		return nil, err
	}
	out := make([]Device, 0, len(mc.Devices))
	for _, d := range mc.Devices {
		id, err := strconv.ParseInt(strings.TrimSpace(d.ID), 10, 64)
		if err != nil || id <= 0 || d.ClientIdentifier == "" {
			continue
		}
		out = append(out, Device{
			ID: id, Name: d.Name, Product: d.Product, ProductVersion: d.ProductVersion,
			Platform: d.Platform, PlatformVersion: d.PlatformVersion, Device: d.Device,
			Provides: d.Provides, ClientIdentifier: d.ClientIdentifier, Token: Token(d.Token),
			CreatedAt: unixAttr(d.CreatedAt), LastSeenAt: unixAttr(d.LastSeenAt),
		})
	}
	return out, nil
}

// unixAttr reads Unix seconds; anything else is the zero time.
func unixAttr(s string) time.Time {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

// ClaimToken asks for a claim token: what a new Plex Media Server (the
// PLEX_CLAIM of the official container) needs to join the account. It
// lives ClaimTokenLife.
func (c *Client) ClaimToken(ctx context.Context, token Token) (Token, error) {
	if token.IsZero() {
		return "", ErrTokenInvalid
	}
	var raw json.RawMessage
	if err := c.do(ctx, "claim token", http.MethodGet, "/api/claim/token.json", token, nil, &raw, maxBody); err != nil {
		return "", err
	}
	ct, err := DecodeClaim(raw)
	if err != nil {
		return "", &DecodeError{Op: "claim token", Err: err}
	}
	return ct, nil
}

// ClaimTokenLife is how long plex.tv accepts a claim token.
const ClaimTokenLife = 4 * time.Minute

// DecodeClaim reads {"token":"claim-…"}. The token must look like one
// (see Printable), since it is printed for a person to paste.
func DecodeClaim(data []byte) (Token, error) {
	var v struct {
		Token json.RawMessage `json:"token"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return "", err
	}
	var s string
	if json.Unmarshal(v.Token, &s) != nil || !Token(s).Printable() {
		return "", errors.New("answer has no usable claim token")
	}
	return Token(s), nil
}

// Printable reports whether t can be printed for a person or a script to
// paste into a shell, an env file or a compose file: a token by Check,
// of at most 512 characters, without quotes, backslashes, '$' or '`'. A
// token from the network that is not is refused rather than printed.
func (t Token) Printable() bool {
	return t.Check() == nil && len(t) <= 512 && !strings.ContainsAny(string(t), "\"'\\`$")
}

// Ping tells plex.tv the token is in use, which keeps it from expiring.
// 401 matches ErrTokenInvalid.
func (c *Client) Ping(ctx context.Context, token Token) error {
	if token.IsZero() {
		return ErrTokenInvalid
	}
	return c.do(ctx, "ping", http.MethodGet, "/api/v2/ping", token, nil, nil, maxBody)
}
