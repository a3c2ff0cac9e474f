package plextv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ErrProfilePIN: plex.tv answered 403 with code 1041 to a profile switch:
// the profile's PIN is required and was missing or wrong. Ask the person
// for the PIN (again); it says nothing about the account's token.
var ErrProfilePIN = errors.New("plex.tv wants the profile's PIN (wrong or missing PIN)")

// codePINRequired is plex.tv's error code for a wrong or missing PIN.
const codePINRequired = 1041

// Home is a Plex Home: the account's household, from /api/v2/home/users.
type Home struct {
	ID    int64
	Name  string
	Users []HomeUser
}

// HomeUser is one profile of a Plex Home: the admin, a managed profile
// (no username or email) or another plex.tv account invited into the Home.
type HomeUser struct {
	ID                 int64
	UUID               string // what a switch is keyed by
	Title              string
	Username           string // "" for managed profiles
	Email              string // "" for managed profiles
	Thumb              string
	HasPassword        bool
	Restricted         bool
	RestrictionProfile string
	Admin              bool
	Guest              bool
	// Protected means switching to this profile needs its 4-digit PIN.
	// plex.tv may still ask for a PIN when it is false (ErrProfilePIN).
	Protected bool
}

// Managed reports whether the profile is a managed one (no plex.tv
// account of its own).
func (u *HomeUser) Managed() bool { return u.Username == "" && !u.Admin }

// Admin returns the Home's admin, or nil.
func (h *Home) Admin() *HomeUser {
	for i := range h.Users {
		if h.Users[i].Admin {
			return &h.Users[i]
		}
	}
	return nil
}

// OfferProfiles reports whether profiles are worth offering: the account
// has a Home (homeSize > 1 in /api/v2/user) or the Home lists more than
// one profile. Either argument may be nil.
func OfferProfiles(u *User, h *Home) bool {
	return (u != nil && u.HomeSize > 1) || (h != nil && len(h.Users) > 1)
}

// HomeUsers lists the profiles of the token's Plex Home.
func (c *Client) HomeUsers(ctx context.Context, token Token) (*Home, error) {
	if token.IsZero() {
		return nil, ErrTokenInvalid
	}
	var raw json.RawMessage
	if err := c.do(ctx, "home users", http.MethodGet, "/api/v2/home/users", token, nil, &raw, maxBody); err != nil {
		return nil, err
	}
	h, err := DecodeHome(raw)
	if err != nil {
		return nil, &DecodeError{Op: "home users", Err: err}
	}
	return h, nil
}

// ValidUUID reports whether s looks like an account's or a profile's uuid
// (16 hex on plex.tv; any short run of letters and digits is accepted,
// nothing that could change the path): 1 to 64 ASCII letters and digits.
func ValidUUID(s string) bool { return alnum(s, 64) }

// alnum reports whether s is 1 to n ASCII letters and digits. A plain
// loop rather than a regular expression: compiling one at start-up cost
// every command (this package's init was the program's largest).
func alnum(s string, n int) bool {
	if len(s) == 0 || len(s) > n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// SwitchHomeUser switches to the profile uuid of token's Home and returns
// that profile's token. pin is the profile's 4-digit PIN, or "" when none
// is needed; it travels in the query as plex.tv requires (it is not the
// token, which stays in the header). A wrong or missing PIN gives an error
// matching ErrProfilePIN; 429 gives ErrRateLimited, often with no
// Retry-After (the caller backs off).
func (c *Client) SwitchHomeUser(ctx context.Context, token Token, uuid, pin string) (Token, error) {
	if token.IsZero() {
		return "", ErrTokenInvalid
	}
	if !ValidUUID(uuid) {
		return "", errors.New("plex.tv switch profile: not a profile uuid")
	}
	path := "/api/v2/home/users/" + uuid + "/switch"
	if pin != "" {
		path += "?" + url.Values{"pin": {pin}}.Encode()
	}
	var raw json.RawMessage
	err := c.do(ctx, "switch profile", http.MethodPost, path, token, nil, &raw, maxBody)
	var se *StatusError
	if errors.As(err, &se) && se.StatusCode == http.StatusForbidden && se.hasCode(codePINRequired) {
		se.kind = ErrProfilePIN
	}
	if err != nil {
		return "", err
	}
	tok, err := DecodeSwitch(raw)
	if errors.Is(err, ErrBadToken) {
		return "", fmt.Errorf("plex.tv switch profile: %w", err)
	}
	if err != nil {
		return "", &DecodeError{Op: "switch profile", Err: err}
	}
	return tok, nil
}

func (e *StatusError) hasCode(code int) bool {
	for _, a := range e.API {
		if a.Code == code {
			return true
		}
	}
	return false
}

// DecodeHome reads the body of /api/v2/home/users leniently: unknown
// fields are ignored; null, missing and oddly typed fields (an id as a
// string, a boolean as 0/1) read as their plain value. Profiles without a
// uuid are dropped: nobody can switch to them. The body must be a JSON
// object.
func DecodeHome(data []byte) (*Home, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, err
	}
	if top == nil {
		return nil, errors.New("answer is null")
	}
	h := &Home{ID: lenInt(top["id"]), Name: lenString(top["name"])}
	var users []json.RawMessage
	if raw, ok := top["users"]; ok {
		if err := json.Unmarshal(raw, &users); err != nil {
			return nil, errors.New(`"users" is not a list`)
		}
	}
	for _, raw := range users {
		var f map[string]json.RawMessage
		if json.Unmarshal(raw, &f) != nil || f == nil {
			continue
		}
		u := HomeUser{
			ID: lenInt(f["id"]), UUID: lenString(f["uuid"]), Title: lenString(f["title"]),
			Username: lenString(f["username"]), Email: lenString(f["email"]), Thumb: lenString(f["thumb"]),
			HasPassword: lenBool(f["hasPassword"]), Restricted: lenBool(f["restricted"]),
			RestrictionProfile: lenString(f["restrictionProfile"]),
			Admin:              lenBool(f["admin"]), Guest: lenBool(f["guest"]), Protected: lenBool(f["protected"]),
		}
		if !ValidUUID(u.UUID) {
			continue
		}
		h.Users = append(h.Users, u)
	}
	return h, nil
}

// DecodeSwitch reads the token from the body of a profile switch. Only
// authToken is read, so any drift in the other fields is harmless; an
// answer without a non-empty string authToken is an error.
func DecodeSwitch(data []byte) (Token, error) {
	var v struct {
		AuthToken json.RawMessage `json:"authToken"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return "", err
	}
	var s string
	if json.Unmarshal(v.AuthToken, &s) != nil || strings.TrimSpace(s) == "" {
		return "", errors.New("answer has no authToken")
	}
	if err := Token(s).Check(); err != nil {
		return "", err
	}
	return Token(s), nil
}

// lenString reads a JSON string, or a number as its text; anything else is "".
func lenString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// lenInt reads a JSON number or a string holding one; anything else is 0.
func lenInt(raw json.RawMessage) int64 {
	s := strings.TrimSpace(lenString(raw))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// lenBool reads true/false, 1/0 or their string forms; anything else is false.
func lenBool(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b
	}
	switch strings.ToLower(strings.TrimSpace(lenString(raw))) {
	case "1", "true":
		return true
	}
	return false
}

// LooseInt decodes a JSON number or a string holding one; anything else
// (null, garbage) reads as 0 without an error.
type LooseInt int

func (n *LooseInt) UnmarshalJSON(b []byte) error {
	*n = LooseInt(lenInt(b))
	return nil
}

// LooseBool decodes true/false, 1/0 or their string forms; anything else
// reads as false without an error.
type LooseBool bool

func (v *LooseBool) UnmarshalJSON(b []byte) error {
	*v = LooseBool(lenBool(b))
	return nil
}
