package plextvsim

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Code alphabets: 4-character codes for the link page are uppercase
// letters and digits (e.g. "7RQZ"); strong codes are 25 lowercase letters
// and digits (e.g. "8lzjqnq8lye02n52jq3fqxf8e").
const (
	linkCodeAlphabet   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	strongCodeAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// PIN is the simulator's view of one PIN (GET /_sim/pins, Sim.PINs).
type PIN struct {
	ID               int64     `json:"id"`
	Code             string    `json:"code"`
	Strong           bool      `json:"strong"`
	Product          string    `json:"product"`
	DeviceName       string    `json:"deviceName,omitempty"`
	Platform         string    `json:"platform,omitempty"`
	ClientIdentifier string    `json:"clientIdentifier"`
	CreatedAt        time.Time `json:"createdAt"`
	ExpiresAt        time.Time `json:"expiresAt"`
	Expired          bool      `json:"expired"`
	// AuthToken is the token minted when the PIN was linked, "" before.
	AuthToken string `json:"authToken,omitempty"`
	// Username is the account the PIN was linked to.
	Username string `json:"username,omitempty"`
}

// pinJSON is plex.tv's AuthPinContainer.
type pinJSON struct {
	ID               int64    `json:"id"`
	Code             string   `json:"code"`
	Product          string   `json:"product"`
	Trusted          bool     `json:"trusted"`
	QR               string   `json:"qr"`
	ClientIdentifier string   `json:"clientIdentifier"`
	Location         location `json:"location"`
	ExpiresIn        int      `json:"expiresIn"`
	CreatedAt        string   `json:"createdAt"`
	ExpiresAt        string   `json:"expiresAt"`
	AuthToken        *string  `json:"authToken"`
	NewRegistration  *bool    `json:"newRegistration"`
}

type location struct {
	Code                       string `json:"code"`
	EuropeanUnionMember        bool   `json:"european_union_member"`
	ContinentCode              string `json:"continent_code"`
	Country                    string `json:"country"`
	City                       string `json:"city"`
	TimeZone                   string `json:"time_zone"`
	PostalCode                 string `json:"postal_code"`
	InPrivacyRestrictedCountry bool   `json:"in_privacy_restricted_country"`
	InPrivacyRestrictedRegion  bool   `json:"in_privacy_restricted_region"`
	Subdivisions               string `json:"subdivisions"`
	Coordinates                string `json:"coordinates"`
}

var simLocation = location{
	Code: "US", ContinentCode: "NA", Country: "United States", City: "San Francisco",
	TimeZone: "America/Los_Angeles", PostalCode: "94124", Subdivisions: "California",
	Coordinates: "37.7308, -122.3838",
}

const isoSeconds = "2006-01-02T15:04:05Z"

func (p *PIN) expired(now time.Time) bool { return !now.Before(p.ExpiresAt) }

// wire is the PIN as plex.tv sends it, as seen at now.
func (p *PIN) wire(r *http.Request, now time.Time) pinJSON {
	j := pinJSON{
		ID: p.ID, Code: p.Code, Product: p.Product,
		QR:               "http://" + r.Host + "/api/v2/pins/qr/" + p.Code,
		ClientIdentifier: p.ClientIdentifier, Location: simLocation,
		ExpiresIn: max(0, int((p.ExpiresAt.Sub(now)+time.Second-1)/time.Second)), // rounded up
		CreatedAt: p.CreatedAt.UTC().Format(isoSeconds),
		ExpiresAt: p.ExpiresAt.UTC().Format(isoSeconds),
	}
	if p.AuthToken != "" {
		tok := p.AuthToken
		j.AuthToken = &tok
	}
	return j
}

// POST /api/v2/pins
func (s *Sim) createPIN(w http.ResponseWriter, r *http.Request) {
	strong, _ := strconv.ParseBool(r.FormValue("strong"))
	now := s.now()
	created := now.Truncate(time.Second)
	s.mu.Lock()
	p := &PIN{
		ID: s.nextPINID, Strong: strong,
		Product:          r.Header.Get("X-Plex-Product"),
		DeviceName:       r.Header.Get("X-Plex-Device-Name"),
		Platform:         r.Header.Get("X-Plex-Platform"),
		ClientIdentifier: r.Header.Get("X-Plex-Client-Identifier"),
		CreatedAt:        created,
	}
	s.nextPINID++
	if strong {
		p.ExpiresAt = created.Add(s.strongTTL)
	} else {
		p.ExpiresAt = created.Add(s.linkTTL)
	}
	for p.Code == "" || s.findPINLocked(p.Code, now) != nil {
		if strong {
			p.Code = randString(25, strongCodeAlphabet)
		} else {
			p.Code = randString(4, linkCodeAlphabet)
		}
	}
	s.pins[p.ID] = p
	j := p.wire(r, now)
	s.mu.Unlock()
	writeJSON(w, r, http.StatusCreated, j)
}

// GET /api/v2/pins/{id}
func (s *Sim) checkPIN(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	if !s.allowPoll(r.PathValue("id"), now) {
		w.Header().Set("Retry-After", "1")
		writeError(w, r, http.StatusTooManyRequests, 1003, "API rate limit exceeded")
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	p := s.pins[id]
	// Only the client that made a PIN may read it.
	if p == nil || p.expired(now) || p.ClientIdentifier != r.Header.Get("X-Plex-Client-Identifier") {
		s.mu.Unlock()
		writeError(w, r, http.StatusNotFound, 1020, "Code not found or expired")
		return
	}
	j := p.wire(r, now)
	s.mu.Unlock()
	writeJSON(w, r, http.StatusOK, j)
}

// allowPoll applies the PIN poll rate limit: at most pollLimit reads of
// one PIN within any second. Refused reads do not count.
func (s *Sim) allowPoll(id string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pollLimit <= 0 {
		return true
	}
	recent := slices.DeleteFunc(s.polls[id], func(t time.Time) bool { return now.Sub(t) >= time.Second })
	if len(recent) >= s.pollLimit {
		s.polls[id] = recent
		return false
	}
	s.polls[id] = append(recent, now)
	return true
}

// SetPINPollLimit sets Options.PINPollLimit at run time (0 turns it off).
func (s *Sim) SetPINPollLimit(perSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pollLimit = perSecond
	clear(s.polls)
}

// PUT /api/v2/pins/link (form code=…), what plex.tv/link does for a
// signed-in person.
func (s *Sim) linkPIN(w http.ResponseWriter, r *http.Request) {
	a, _, ok := s.authed(r)
	if !ok {
		writeUnauthorized(w, r)
		return
	}
	// A managed profile's token links the PIN to the profile.
	if _, err := s.LinkPIN(r.FormValue("code"), accountKey(a)); err != nil {
		writeError(w, r, http.StatusNotFound, 1020, "Code not found or expired")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// findPINLocked finds a live PIN by code. 4-character codes match in any
// case, as on plex.tv/link.
func (s *Sim) findPINLocked(code string, now time.Time) *PIN {
	if len(code) == 4 {
		code = strings.ToUpper(code)
	}
	for _, p := range s.pins {
		if p.Code == code && !p.expired(now) {
			return p
		}
	}
	return nil
}

// clientKey names one (account, client identifier) pair.
type clientKey struct{ username, clientID string }

// LinkPIN links the live PIN with code (4-character or strong) to the
// account username ("" for the demo account), as a person signing in
// would. The PIN then carries a new token of that account, which it
// returns. Linking a linked PIN again returns its token.
//
// As on plex.tv, an account has one token per client identifier: the new
// token revokes the one an earlier PIN of the same client identifier
// handed to that account (tokens from NewToken, other devices', stay).
func (s *Sim) LinkPIN(code, username string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.findPINLocked(strings.TrimSpace(code), s.now())
	if p == nil {
		return "", ErrPINNotFound
	}
	if p.AuthToken != "" {
		return p.AuthToken, nil
	}
	tok, err := s.newTokenLocked(username)
	if err != nil {
		return "", err
	}
	p.AuthToken, p.Username = tok, s.tokens[tok]
	key := clientKey{p.Username, p.ClientIdentifier}
	if old, ok := s.byClient[key]; ok {
		delete(s.tokens, old)
	}
	s.byClient[key] = tok
	s.deviceLinkedLocked(p, tok)
	return tok, nil
}

// ExpirePIN makes the live PIN with code expire now.
func (s *Sim) ExpirePIN(code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	p := s.findPINLocked(code, now)
	if p == nil {
		return ErrPINNotFound
	}
	p.ExpiresAt = now
	return nil
}

// PINs lists every PIN made so far, oldest first, expired ones included.
func (s *Sim) PINs() []PIN {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := make([]PIN, 0, len(s.pins))
	for _, p := range s.pins {
		c := *p
		c.Expired = p.expired(now)
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b PIN) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
