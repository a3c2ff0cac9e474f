package plextvsim

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// Plex Home: an admin account and the profiles of its household.
//
// A managed profile is kept as an account with no username under the key
// "profile:<uuid>", so every endpoint that takes a token (user, resources,
// sign-out) answers for it as plex.tv does for a profile's token.

// Profile is a managed profile of a simulated Plex Home.
type Profile struct {
	UUID               string `json:"uuid"`  // default: 16 random hex
	ID                 int64  `json:"id"`    // default: random
	Title              string `json:"title"` // required
	PIN                string `json:"pin,omitempty"`
	Restricted         bool   `json:"restricted"`
	RestrictionProfile string `json:"restrictionProfile,omitempty"`
}

// HomeSpec describes a Plex Home for AddHome.
type HomeSpec struct {
	// Admin is the admin account's username; "" is the demo account.
	Admin string `json:"admin"`
	// AdminPIN, if set, protects switching back to the admin.
	AdminPIN string    `json:"adminPin,omitempty"`
	Profiles []Profile `json:"profiles"`
}

// Home is a Plex Home as added: the admin and the profiles with every
// default filled in.
type Home struct {
	Name     string    `json:"name"`
	Admin    Account   `json:"admin"`
	AdminPIN string    `json:"adminPin,omitempty"`
	Profiles []Profile `json:"profiles"`
}

// ErrUnknownProfile: no profile has that uuid.
var ErrUnknownProfile = errors.New("plextvsim: unknown profile")

var pinRE = regexp.MustCompile(`^[0-9]{4}$`)

// simHome is one Home; its members are account keys (see accountKey).
type simHome struct {
	id      int64
	name    string
	members []string          // admin first
	pins    map[string]string // member key → PIN
	// serverTokens holds each profile's own accessToken per server:
	// member key + "\x00" + clientIdentifier → token.
	serverTokens map[string]string
}

func profileKey(uuid string) string { return "profile:" + uuid }

// accountKey is the key of a in s.accounts.
func accountKey(a Account) string {
	if a.Username == "" {
		return profileKey(a.UUID)
	}
	return a.Username
}

// AddHome makes spec.Admin the admin of a Plex Home holding spec.Profiles:
// /api/v2/user then says homeSize > 1, /api/v2/home/users lists them and
// /api/v2/home/users/{uuid}/switch hands out their tokens (checking the
// PIN of a protected profile). An account can be in one Home.
func (s *Sim) AddHome(spec HomeSpec) (Home, error) {
	if spec.AdminPIN != "" && !pinRE.MatchString(spec.AdminPIN) {
		return Home{}, errors.New("plextvsim: a PIN is 4 digits")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	admin := spec.Admin
	if admin == "" {
		admin = s.demo
	}
	a, ok := s.accounts[admin]
	if !ok || admin != a.Username {
		return Home{}, fmt.Errorf("%w %q", ErrUnknownAccount, admin)
	}
	if s.homes == nil {
		s.homes = map[string]*simHome{}
	}
	if s.homes[admin] != nil {
		return Home{}, fmt.Errorf("plextvsim: %q already has a Home", admin)
	}
	h := &simHome{
		id: 1000000 + int64(randInt(8999999)), name: a.Title + "'s home",
		members: []string{admin}, pins: map[string]string{}, serverTokens: map[string]string{},
	}
	if spec.AdminPIN != "" {
		h.pins[admin] = spec.AdminPIN
	}
	out := Home{Name: h.name, Admin: *a, AdminPIN: spec.AdminPIN}
	for _, p := range spec.Profiles {
		if p.Title == "" {
			return Home{}, errors.New("plextvsim: a profile needs a title")
		}
		if p.PIN != "" && !pinRE.MatchString(p.PIN) {
			return Home{}, errors.New("plextvsim: a PIN is 4 digits")
		}
		if p.UUID == "" {
			p.UUID = randHex(8)
		}
		if p.ID == 0 {
			p.ID = 40000000 + int64(randInt(9999999))
		}
		key := profileKey(p.UUID)
		if _, dup := s.accounts[key]; dup {
			return Home{}, fmt.Errorf("plextvsim: profile %q exists", p.UUID)
		}
		tok := "simtoken-profile-" + randHex(10)
		s.accounts[key] = &Account{
			ID: p.ID, UUID: p.UUID, Title: p.Title,
			Thumb: "https://plex.tv/users/" + p.UUID + "/avatar", Token: tok,
		}
		s.tokens[tok] = key
		h.members = append(h.members, key)
		if p.PIN != "" {
			h.pins[key] = p.PIN
		}
		out.Profiles = append(out.Profiles, p)
	}
	for _, m := range h.members {
		s.homes[m] = h
	}
	return out, nil
}

// AddDemoHome gives the demo account a Home: "Kid" (no PIN) and "Teen"
// (PIN 1234).
func (s *Sim) AddDemoHome() (Home, error) {
	return s.AddHome(HomeSpec{Profiles: []Profile{
		{Title: "Kid", Restricted: true, RestrictionProfile: "little_kid"},
		{Title: "Teen", PIN: "1234", Restricted: true, RestrictionProfile: "older_kid"},
	}})
}

// ProfileToken gives the profile uuid one more valid token, as a switch
// would, without a PIN.
func (s *Sim) ProfileToken(uuid string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := profileKey(uuid)
	if _, ok := s.accounts[key]; !ok {
		return "", fmt.Errorf("%w %q", ErrUnknownProfile, uuid)
	}
	return s.newMemberTokenLocked(key), nil
}

func (s *Sim) newMemberTokenLocked(key string) string {
	var tok string
	if a := s.accounts[key]; a.Username != "" {
		tok = newToken(a.Username)
	} else {
		tok = "simtoken-profile-" + randHex(10)
	}
	tok = s.mintLocked(tok)
	s.tokens[tok] = key
	return tok
}

// homeServerToken returns the accessToken account a sees for res: the
// resource's own for anyone but a Home's managed profile, which gets a
// token of its own per server (never the admin's).
func (s *Sim) homeServerToken(a Account, res Resource) string {
	if a.Username != "" || res.AccessToken == "" {
		return res.AccessToken
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := accountKey(a)
	h := s.homes[key]
	if h == nil {
		return res.AccessToken
	}
	k := key + "\x00" + res.ClientIdentifier
	tok, ok := h.serverTokens[k]
	if !ok {
		tok = "simsrv-profile-" + randHex(10)
		h.serverTokens[k] = tok
		// The server's PMSs accept the profile's token too.
		for _, p := range s.pmss {
			for _, c := range res.Connections {
				if c.URI == p.URL() {
					p.addProfileToken(tok)
				}
			}
		}
	}
	return tok
}

func (p *PMS) addProfileToken(tok string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.profileTokens == nil {
		p.profileTokens = map[string]bool{}
	}
	p.profileTokens[tok] = true
}

// acceptsProfileToken reports whether tok is a Home profile's token for
// this PMS; p.mu is not held (ServeHTTP copies its state first).
func (p *PMS) acceptsProfileToken(tok string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return tok != "" && p.profileTokens[tok]
}

// homeUserFields fills the Home fields of /api/v2/user for a.
func (s *Sim) homeUserFields(a Account, u *userJSON) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.homes[accountKey(a)]
	if h == nil {
		return
	}
	key := accountKey(a)
	u.Home, u.HomeSize = true, len(h.members)
	u.HomeAdmin = h.members[0] == key
	u.Protected = h.pins[key] != ""
	if a.Username == "" {
		u.Restricted, u.HasPassword = true, false
	}
}

// homeUserJSON is one entry of /api/v2/home/users.
type homeUserJSON struct {
	ID                 int64   `json:"id"`
	UUID               string  `json:"uuid"`
	Title              string  `json:"title"`
	Username           *string `json:"username"`
	Email              *string `json:"email"`
	FriendlyName       string  `json:"friendlyName"`
	Thumb              string  `json:"thumb"`
	HasPassword        bool    `json:"hasPassword"`
	Restricted         bool    `json:"restricted"`
	RestrictionProfile *string `json:"restrictionProfile"`
	UpdatedAt          *int64  `json:"updatedAt"`
	Admin              bool    `json:"admin"`
	Guest              bool    `json:"guest"`
	Protected          bool    `json:"protected"`
}

type homeJSON struct {
	ID            int64          `json:"id"`
	Name          string         `json:"name"`
	GuestUserID   int64          `json:"guestUserID"`
	GuestUserUUID string         `json:"guestUserUUID"`
	GuestEnabled  bool           `json:"guestEnabled"`
	Subscription  bool           `json:"subscription"`
	Users         []homeUserJSON `json:"users"`
}

// GET /api/v2/home/users. An account without a Home gets a Home of one.
func (s *Sim) listHomeUsers(w http.ResponseWriter, r *http.Request) {
	a, _, ok := s.authed(r)
	if !ok {
		writeUnauthorized(w, r)
		return
	}
	now := s.now().Unix()
	s.mu.Lock()
	h := s.homes[accountKey(a)]
	if h == nil {
		h = &simHome{id: a.ID, name: a.Title + "'s home", members: []string{accountKey(a)}, pins: map[string]string{}}
	}
	out := homeJSON{ID: h.id, Name: h.name, GuestUserID: 40000003, GuestUserUUID: "0a1b2c3d4e5f6a7b", Users: []homeUserJSON{}}
	for i, key := range h.members {
		m := s.accounts[key]
		u := homeUserJSON{
			ID: m.ID, UUID: m.UUID, Title: m.Title, Thumb: m.Thumb,
			Admin: i == 0, Protected: h.pins[key] != "", UpdatedAt: &now,
		}
		if m.Username != "" {
			username, email := m.Username, m.Email
			u.Username, u.Email, u.HasPassword = &username, &email, true
		} else {
			u.Restricted = true
			rp := "little_kid"
			u.RestrictionProfile = &rp
		}
		out.Users = append(out.Users, u)
	}
	s.mu.Unlock()
	writeJSON(w, r, http.StatusOK, out)
}

// switchJSON is the 201 answer of a switch: the profile's account, with
// the 2026 drift (language lists as CSV strings) that broke strict decoders.
type switchJSON struct {
	ID        int64          `json:"id"`
	UUID      string         `json:"uuid"`
	Username  *string        `json:"username"`
	Title     string         `json:"title"`
	Email     *string        `json:"email"`
	Thumb     string         `json:"thumb"`
	AuthToken string         `json:"authToken"`
	Home      bool           `json:"home"`
	HomeSize  int            `json:"homeSize"`
	HomeAdmin bool           `json:"homeAdmin"`
	Protected bool           `json:"protected"`
	Profile   map[string]any `json:"profile"`
}

// POST /api/v2/home/users/{uuid}/switch?pin=NNNN
func (s *Sim) switchHomeUser(w http.ResponseWriter, r *http.Request) {
	a, _, ok := s.authed(r)
	if !ok {
		writeUnauthorized(w, r)
		return
	}
	uuid := r.PathValue("uuid")
	pin := r.URL.Query().Get("pin")
	s.mu.Lock()
	h := s.homes[accountKey(a)]
	target := ""
	if h != nil {
		for _, m := range h.members {
			if s.accounts[m].UUID == uuid {
				target = m
			}
		}
	}
	if target == "" {
		s.mu.Unlock()
		writeError(w, r, http.StatusNotFound, 1020, "Not found")
		return
	}
	if want := h.pins[target]; want != "" && pin != want {
		s.mu.Unlock()
		writePINRequired(w, r)
		return
	}
	tok := s.newMemberTokenLocked(target)
	m := *s.accounts[target]
	out := switchJSON{
		ID: m.ID, UUID: m.UUID, Title: m.Title, Thumb: m.Thumb, AuthToken: tok,
		Home: true, HomeSize: len(h.members), HomeAdmin: h.members[0] == target, Protected: h.pins[target] != "",
		Profile: map[string]any{"defaultAudioLanguages": "en,sv", "defaultSubtitleLanguages": "en,sv"},
	}
	if m.Username != "" {
		username, email := m.Username, m.Email
		out.Username, out.Email = &username, &email
	}
	s.mu.Unlock()
	writeJSON(w, r, http.StatusCreated, out)
}

func writePINRequired(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, http.StatusForbidden, 1041, "A valid PIN is required to perform this action")
}

// isSwitch reports whether r is a profile switch (for 403 faults).
func isSwitch(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/v2/home/users/") && strings.HasSuffix(r.URL.Path, "/switch")
}

// Homes lists the Homes, each once, with their admin, profiles and PINs.
func (s *Sim) Homes() []Home {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Home
	seen := map[*simHome]bool{}
	for _, a := range s.sortedAccountKeysLocked() {
		h := s.homes[a]
		if h == nil || seen[h] {
			continue
		}
		seen[h] = true
		admin := *s.accounts[h.members[0]]
		home := Home{Name: h.name, Admin: admin, AdminPIN: h.pins[h.members[0]]}
		for _, m := range h.members[1:] {
			p := s.accounts[m]
			home.Profiles = append(home.Profiles, Profile{UUID: p.UUID, ID: p.ID, Title: p.Title, PIN: h.pins[m], Restricted: true})
		}
		out = append(out, home)
	}
	return out
}

func (s *Sim) sortedAccountKeysLocked() []string {
	var keys []string
	for k, a := range s.accounts {
		if a.Username != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
