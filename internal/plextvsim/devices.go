package plextvsim

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Devices, claim tokens and the keep-alive ping.
//
// Every linked PIN makes (or renews) the device of its (account, client
// identifier) pair, as plex.tv's "Authorized Devices" lists it: the
// product and device name the PIN was created with, when it was first
// linked, when its token was last used, and its one token. Deleting a
// device revokes exactly that token.

// Device is one authorized device of an account (GET /_sim/devices,
// Sim.Devices).
type Device struct {
	ID               int64     `json:"id"`
	Username         string    `json:"username"` // the account's key ("profile:<uuid>" for a managed profile)
	ClientIdentifier string    `json:"clientIdentifier"`
	Name             string    `json:"name"`
	Product          string    `json:"product"`
	Platform         string    `json:"platform"`
	Token            string    `json:"token"`
	CreatedAt        time.Time `json:"createdAt"`
	LastSeenAt       time.Time `json:"lastSeenAt"`
}

// ClaimTokenLife is how long a claim token from /api/claim/token.json
// is good for.
const ClaimTokenLife = 4 * time.Minute

// deviceLinkedLocked records that PIN p's client identifier now holds tok
// for p's account: a new device, or the same one with its new token.
func (s *Sim) deviceLinkedLocked(p *PIN, tok string) {
	if s.devices == nil {
		s.devices = map[clientKey]*Device{}
		s.nextDeviceID = 480000000 + int64(randInt(100000))
	}
	now := s.now().Truncate(time.Second)
	key := clientKey{p.Username, p.ClientIdentifier}
	d := s.devices[key]
	if d == nil {
		s.nextDeviceID++
		d = &Device{ID: s.nextDeviceID, Username: p.Username, ClientIdentifier: p.ClientIdentifier, CreatedAt: now}
		s.devices[key] = d
	}
	d.Name = cmp.Or(p.DeviceName, p.Product)
	d.Product, d.Platform, d.Token, d.LastSeenAt = p.Product, p.Platform, tok, now
}

// seenLocked marks the device holding tok as seen now.
func (s *Sim) seenLocked(tok string) {
	for _, d := range s.devices {
		if d.Token == tok {
			d.LastSeenAt = s.now().Truncate(time.Second)
			return
		}
	}
}

// liveDevicesLocked lists the account's devices whose token still works
// (signing out removes a device too), oldest first.
func (s *Sim) liveDevicesLocked(username string) []Device {
	var out []Device
	for _, d := range s.devices {
		if _, ok := s.tokens[d.Token]; ok && (username == "" || d.Username == username) {
			out = append(out, *d)
		}
	}
	slices.SortFunc(out, func(a, b Device) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Devices lists the authorized devices of the account username (every
// account's for ""), tokens included, oldest first.
func (s *Sim) Devices(username string) []Device {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.liveDevicesLocked(username)
}

// deviceXML is one <Device> of plex.tv/devices.xml.
type deviceXML struct {
	Name             string `xml:"name,attr"`
	PublicAddress    string `xml:"publicAddress,attr"`
	Product          string `xml:"product,attr"`
	ProductVersion   string `xml:"productVersion,attr"`
	Platform         string `xml:"platform,attr"`
	PlatformVersion  string `xml:"platformVersion,attr"`
	Device           string `xml:"device,attr"`
	Model            string `xml:"model,attr"`
	Vendor           string `xml:"vendor,attr"`
	Provides         string `xml:"provides,attr"`
	ClientIdentifier string `xml:"clientIdentifier,attr"`
	Version          string `xml:"version,attr"`
	ID               int64  `xml:"id,attr"`
	Token            string `xml:"token,attr"`
	CreatedAt        int64  `xml:"createdAt,attr"`
	LastSeenAt       int64  `xml:"lastSeenAt,attr"`
}

// GET /devices.xml: the token's account's devices, each with its token,
// as plex.tv lists them.
func (s *Sim) listDevices(w http.ResponseWriter, r *http.Request) {
	a, _, ok := s.authed(r)
	if !ok {
		writeUnauthorized(w, r)
		return
	}
	s.mu.Lock()
	ds := s.liveDevicesLocked(accountKey(a))
	s.mu.Unlock()
	out := struct {
		XMLName       xml.Name    `xml:"MediaContainer"`
		PublicAddress string      `xml:"publicAddress,attr"`
		Devices       []deviceXML `xml:"Device"`
	}{PublicAddress: "203.0.113.7"}
	for _, d := range ds {
		out.Devices = append(out.Devices, deviceXML{
			Name: d.Name, PublicAddress: "203.0.113.7", Product: d.Product, ProductVersion: "0.1.0",
			Platform: d.Platform, ClientIdentifier: d.ClientIdentifier, ID: d.ID, Token: d.Token,
			CreatedAt: d.CreatedAt.Unix(), LastSeenAt: d.LastSeenAt.Unix(),
		})
	}
	b, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "%s%s\n", xml.Header, b)
}

// DELETE /devices/{id}.xml: removes one of the token's account's devices
// and revokes its token; 404 for a device of another account or none.
func (s *Sim) deleteDevice(w http.ResponseWriter, r *http.Request) {
	a, _, ok := s.authed(r)
	if !ok {
		writeUnauthorized(w, r)
		return
	}
	id, err := strconv.ParseInt(strings.TrimSuffix(r.PathValue("file"), ".xml"), 10, 64)
	if err != nil || !strings.HasSuffix(r.PathValue("file"), ".xml") || !s.DeleteDevice(accountKey(a), id) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, xml.Header+`<Response code="404" status="Device not found"/>`+"\n")
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, xml.Header+`<Response code="200" status="Device deleted"/>`+"\n")
}

// DeleteDevice removes the device id of the account username and revokes
// its token. It reports whether there was such a device.
func (s *Sim) DeleteDevice(username string, id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, d := range s.devices {
		if d.ID != id || d.Username != username {
			continue
		}
		if _, live := s.tokens[d.Token]; !live {
			return false
		}
		delete(s.tokens, d.Token)
		if s.byClient[key] == d.Token {
			delete(s.byClient, key)
		}
		delete(s.devices, key)
		return true
	}
	return false
}

// GET /api/claim/token.json: a claim token for a new server, good for
// ClaimTokenLife.
func (s *Sim) claimToken(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := s.authed(r); !ok {
		writeUnauthorized(w, r)
		return
	}
	tok := "claim-" + randString(20, linkCodeAlphabet+strongCodeAlphabet)
	s.mu.Lock()
	if s.claims == nil {
		s.claims = map[string]time.Time{}
	}
	s.claims[tok] = s.now().Add(ClaimTokenLife)
	s.mu.Unlock()
	writeJSON(w, r, http.StatusOK, map[string]string{"token": tok})
}

// ClaimTokenValid reports whether tok is a claim token the simulator
// handed out that has not expired.
func (s *Sim) ClaimTokenValid(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.claims[tok]
	return ok && s.now().Before(exp)
}

// GET /api/v2/ping: {"pong":true} for a working token.
func (s *Sim) ping(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := s.authed(r); !ok {
		writeUnauthorized(w, r)
		return
	}
	writeJSON(w, r, http.StatusOK, map[string]bool{"pong": true})
}
