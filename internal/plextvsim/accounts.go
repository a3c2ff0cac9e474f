package plextvsim

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Account is a plex.tv account of the simulator.
type Account struct {
	ID           int64  `json:"id"`
	UUID         string `json:"uuid"`
	Username     string `json:"username"`
	Title        string `json:"title"`
	Email        string `json:"email"`
	FriendlyName string `json:"friendlyName"`
	Thumb        string `json:"thumb"`
	// Token is the account's first token, e.g. for PUT /api/v2/pins/link.
	// Each linked PIN gets a token of its own (see LinkPIN).
	Token string `json:"token"`
}

// Errors of the Go API (the control API answers them as 404 or 400).
var (
	ErrPINNotFound    = errors.New("plextvsim: PIN code not found or expired")
	ErrUnknownAccount = errors.New("plextvsim: unknown account")
	ErrUnknownPMS     = errors.New("plextvsim: unknown PMS")
)

// AddAccount adds an account. Username is required; empty fields get
// plausible values and Token a random "simtoken-<username>-…" token.
func (s *Sim) AddAccount(a Account) (Account, error) {
	if a.Username == "" {
		return Account{}, errors.New("plextvsim: account needs a username")
	}
	if a.ID == 0 {
		a.ID = 10000000 + int64(randInt(89999999))
	}
	if a.UUID == "" {
		a.UUID = randHex(8)
	}
	if a.Title == "" {
		a.Title = a.Username
	}
	if a.Email == "" {
		a.Email = a.Username + "@example.com"
	}
	if a.Thumb == "" {
		a.Thumb = "https://plex.tv/users/" + a.UUID + "/avatar"
	}
	if a.Token == "" {
		a.Token = newToken(a.Username)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[a.Username]; ok {
		return Account{}, fmt.Errorf("plextvsim: account %q exists", a.Username)
	}
	s.accounts[a.Username] = &a
	s.tokens[a.Token] = a.Username
	return a, nil
}

// DemoAccount is the account the link and auth pages sign in.
func (s *Sim) DemoAccount() Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.accounts[s.demo]
}

// Accounts lists the accounts, sorted by username. Home profiles are
// listed by Homes instead.
func (s *Sim) Accounts() []Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Account
	for _, a := range s.accounts {
		if a.Username == "" {
			continue // a Home's managed profile
		}
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b Account) int { return strings.Compare(a.Username, b.Username) })
	return out
}

// NewToken gives the account (demo if username is "") one more valid
// token, as signing in on another device would.
func (s *Sim) NewToken(username string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newTokenLocked(username)
}

func (s *Sim) newTokenLocked(username string) (string, error) {
	if username == "" {
		username = s.demo
	}
	if _, ok := s.accounts[username]; !ok {
		return "", fmt.Errorf("%w %q", ErrUnknownAccount, username)
	}
	t := s.mintLocked(newToken(username))
	s.tokens[t] = username
	return t, nil
}

// SetNextTokens makes the next tokens the simulator hands out (a linked
// PIN, a profile switch, NewToken) exactly these, in order: tests use it
// to send what plex.tv never should (control characters, spaces).
func (s *Sim) SetNextTokens(tokens ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextTokens = append(s.nextTokens, tokens...)
}

// mintLocked is the next token: one set by SetNextTokens, else fresh.
func (s *Sim) mintLocked(fresh string) string {
	if len(s.nextTokens) == 0 {
		return fresh
	}
	t := s.nextTokens[0]
	s.nextTokens = s.nextTokens[1:]
	return t
}

func newToken(username string) string { return "simtoken-" + username + "-" + randHex(10) }

// RevokeToken makes token invalid (later requests with it get 401). It
// reports whether the token was valid.
func (s *Sim) RevokeToken(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.tokens[token]
	delete(s.tokens, token)
	return ok
}

// TokenValid reports whether token is known and not revoked.
func (s *Sim) TokenValid(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.tokens[token]
	return ok
}

// authed returns the account of the request's X-Plex-Token header.
func (s *Sim) authed(r *http.Request) (Account, string, bool) {
	tok := r.Header.Get("X-Plex-Token")
	s.mu.Lock()
	defer s.mu.Unlock()
	name, ok := s.tokens[tok]
	if tok == "" || !ok {
		return Account{}, "", false
	}
	s.seenLocked(tok)
	return *s.accounts[name], tok, true
}

// userJSON is plex.tv's UserPlexAccount (GET /api/v2/user).
type userJSON struct {
	ID                      int64          `json:"id"`
	UUID                    string         `json:"uuid"`
	Username                string         `json:"username"`
	Title                   string         `json:"title"`
	Email                   string         `json:"email"`
	FriendlyName            string         `json:"friendlyName"`
	Locale                  *string        `json:"locale"`
	Confirmed               bool           `json:"confirmed"`
	JoinedAt                int64          `json:"joinedAt"`
	EmailOnlyAuth           bool           `json:"emailOnlyAuth"`
	HasPassword             bool           `json:"hasPassword"`
	Protected               bool           `json:"protected"`
	Thumb                   string         `json:"thumb"`
	AuthToken               string         `json:"authToken"`
	MailingListStatus       string         `json:"mailingListStatus"`
	MailingListActive       bool           `json:"mailingListActive"`
	ScrobbleTypes           string         `json:"scrobbleTypes"`
	Country                 string         `json:"country"`
	Subscription            subscription   `json:"subscription"`
	SubscriptionDescription *string        `json:"subscriptionDescription"`
	Restricted              bool           `json:"restricted"`
	Anonymous               bool           `json:"anonymous"`
	Home                    bool           `json:"home"`
	Guest                   bool           `json:"guest"`
	HomeSize                int            `json:"homeSize"`
	HomeAdmin               bool           `json:"homeAdmin"`
	MaxHomeSize             int            `json:"maxHomeSize"`
	RememberExpiresAt       int64          `json:"rememberExpiresAt"`
	Profile                 map[string]any `json:"profile"`
	Entitlements            []string       `json:"entitlements"`
	Roles                   []string       `json:"roles"`
	Subscriptions           []any          `json:"subscriptions"`
	PastSubscriptions       []any          `json:"pastSubscriptions"`
	Trials                  []any          `json:"trials"`
	Services                []any          `json:"services"`
	AdsConsent              *bool          `json:"adsConsent"`
	AdsConsentSetAt         *int64         `json:"adsConsentSetAt"`
	AdsConsentReminderAt    *int64         `json:"adsConsentReminderAt"`
	ExperimentalFeatures    bool           `json:"experimentalFeatures"`
	TwoFactorEnabled        bool           `json:"twoFactorEnabled"`
	BackupCodesCreated      bool           `json:"backupCodesCreated"`
	AttributionPartner      *string        `json:"attributionPartner"`
}

type subscription struct {
	Active         bool     `json:"active"`
	SubscribedAt   *string  `json:"subscribedAt"`
	Status         string   `json:"status"`
	PaymentService *string  `json:"paymentService"`
	Plan           *string  `json:"plan"`
	Features       []string `json:"features"`
}

// GET /api/v2/user
func (s *Sim) user(w http.ResponseWriter, r *http.Request) {
	a, tok, ok := s.authed(r)
	if !ok {
		writeUnauthorized(w, r)
		return
	}
	now := s.now()
	u := userJSON{
		ID: a.ID, UUID: a.UUID, Username: a.Username, Title: a.Title, Email: a.Email,
		FriendlyName: a.FriendlyName, Thumb: a.Thumb, AuthToken: tok,
		Confirmed: true, JoinedAt: now.AddDate(-3, 0, 0).Unix(), HasPassword: true,
		MailingListStatus: "unsubscribed", Country: "US",
		Subscription: subscription{Status: "Inactive", Features: []string{}},
		HomeSize:     1, MaxHomeSize: 15, RememberExpiresAt: now.AddDate(0, 0, 14).Unix(),
		Profile:      map[string]any{"autoSelectAudio": true, "defaultAudioLanguage": "en"},
		Entitlements: []string{}, Roles: []string{}, Subscriptions: []any{},
		PastSubscriptions: []any{}, Trials: []any{}, Services: []any{},
	}
	s.homeUserFields(a, &u)
	writeJSON(w, r, http.StatusOK, u)
}

// DELETE /api/v2/users/signout
func (s *Sim) signOut(w http.ResponseWriter, r *http.Request) {
	_, tok, ok := s.authed(r)
	if !ok {
		writeUnauthorized(w, r)
		return
	}
	s.RevokeToken(tok)
	w.WriteHeader(http.StatusNoContent)
}
