package plextvsim

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// Resource is one device of /api/v2/resources, in plex.tv's JSON shape.
// OwnerID and SourceTitle are null for owned devices; AccessToken is left
// out when empty (plex.tv omits it for many players).
type Resource struct {
	Name                   string       `json:"name"`
	Product                string       `json:"product"`
	ProductVersion         string       `json:"productVersion"`
	Platform               string       `json:"platform"`
	PlatformVersion        string       `json:"platformVersion"`
	Device                 string       `json:"device"`
	ClientIdentifier       string       `json:"clientIdentifier"`
	CreatedAt              time.Time    `json:"createdAt"`
	LastSeenAt             time.Time    `json:"lastSeenAt"`
	Provides               string       `json:"provides"`
	OwnerID                *int64       `json:"ownerId"`
	SourceTitle            *string      `json:"sourceTitle"`
	PublicAddress          string       `json:"publicAddress"`
	AccessToken            string       `json:"accessToken,omitempty"`
	Owned                  bool         `json:"owned"`
	Home                   bool         `json:"home"`
	Synced                 bool         `json:"synced"`
	Relay                  bool         `json:"relay"`
	Presence               bool         `json:"presence"`
	HTTPSRequired          bool         `json:"httpsRequired"`
	PublicAddressMatches   bool         `json:"publicAddressMatches"`
	DNSRebindingProtection bool         `json:"dnsRebindingProtection"`
	NATLoopbackSupported   bool         `json:"natLoopbackSupported"`
	Connections            []Connection `json:"connections"`
}

// Connection is one way to reach a resource.
type Connection struct {
	Protocol string `json:"protocol"`
	Address  string `json:"address"`
	Port     int    `json:"port"`
	URI      string `json:"uri"`
	Local    bool   `json:"local"`
	Relay    bool   `json:"relay"`
	IPv6     bool   `json:"IPv6"`
}

// ServerSpec describes a Plex Media Server for AddServer.
type ServerSpec struct {
	Name string
	// MachineIdentifier is the resource's clientIdentifier; default: the
	// first connection's PMS's, else random.
	MachineIdentifier    string
	Owned                bool
	SourceTitle          string // the owner's username, for shared servers
	HTTPSRequired        bool
	PublicAddressMatches bool
	Offline              bool // presence: false
	Connections          []ConnSpec
}

// ConnSpec is one connection of a ServerSpec: a fake PMS of this package,
// or any URI (a refused port, a name that does not resolve…).
type ConnSpec struct {
	PMS   *PMS
	URI   string // used when PMS is nil
	Local bool
	Relay bool
	// PlexDirect lists a TLS PMS by its PlexDirectURL (address 127.0.0.1).
	PlexDirect bool
}

// AddServer adds a Plex Media Server resource built from spec, with
// connection fields taken from each URI and a random per-server
// accessToken, which the spec's PMSs then accept on GET /. It returns the
// resource added.
func (s *Sim) AddServer(spec ServerSpec) (Resource, error) {
	now := s.now().UTC().Truncate(time.Second)
	res := Resource{
		Name: spec.Name, Product: "Plex Media Server", ProductVersion: defaultPMSVersion,
		Platform: "Linux", PlatformVersion: "6.1.0", Device: "PC",
		ClientIdentifier: spec.MachineIdentifier,
		CreatedAt:        now.AddDate(-1, 0, 0), LastSeenAt: now,
		Provides: "server", PublicAddress: "203.0.113.10",
		AccessToken: "simsrv-" + randHex(10),
		Owned:       spec.Owned, Presence: !spec.Offline,
		HTTPSRequired: spec.HTTPSRequired, PublicAddressMatches: spec.PublicAddressMatches,
		Connections: []Connection{},
	}
	if !spec.Owned {
		owner := int64(1000000 + randInt(8999999))
		title := spec.SourceTitle
		res.OwnerID, res.SourceTitle = &owner, &title
	}
	for _, cs := range spec.Connections {
		uri := cs.URI
		if cs.PMS != nil {
			uri = cs.PMS.URL()
			if cs.PlexDirect && cs.PMS.PlexDirectURL() != "" {
				uri = cs.PMS.PlexDirectURL()
			}
			if res.ClientIdentifier == "" {
				res.ClientIdentifier = cs.PMS.MachineIdentifier()
			}
			res.ProductVersion = cs.PMS.Version()
		}
		c, err := connectionFor(uri)
		if err != nil {
			return Resource{}, err
		}
		c.Local, c.Relay = cs.Local, cs.Relay
		res.Relay = res.Relay || cs.Relay
		res.Connections = append(res.Connections, c)
	}
	if res.ClientIdentifier == "" {
		res.ClientIdentifier = randHex(20)
	}
	for _, cs := range spec.Connections {
		if cs.PMS != nil {
			cs.PMS.setAccessToken(res.AccessToken)
		}
	}
	s.AddResource(res)
	return res, nil
}

// connectionFor fills protocol, address, port and IPv6 from a URI.
func connectionFor(uri string) (Connection, error) {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return Connection{}, fmt.Errorf("plextvsim: connection URI %q: want http(s)://host:port", uri)
	}
	port := 80
	if u.Scheme == "https" {
		port = 443
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return Connection{}, fmt.Errorf("plextvsim: connection URI %q: bad port", uri)
		}
	}
	addr := u.Hostname()
	if a := plexDirectAddress(uri); a != "" {
		addr = a // plex.tv's address is the IP the name encodes
	}
	ip := net.ParseIP(addr)
	return Connection{
		Protocol: u.Scheme, Address: addr, Port: port, URI: uri,
		IPv6: ip != nil && ip.To4() == nil,
	}, nil
}

// AddResource appends a resource (a server or a player) to the list.
func (s *Sim) AddResource(r Resource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resources = append(s.resources, r)
	s.rawRes = nil
}

// SetResources replaces the list every account sees.
func (s *Sim) SetResources(rs []Resource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resources = slices.Clone(rs)
	s.rawRes = nil
}

// SetResourcesJSON makes /api/v2/resources answer body verbatim (for
// example a fixture file), until SetResources or AddResource is called.
// body must be valid JSON.
func (s *Sim) SetResourcesJSON(body []byte) error {
	if !json.Valid(body) {
		return fmt.Errorf("plextvsim: resources body is not valid JSON")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rawRes = slices.Clone(body)
	return nil
}

// Resources returns the list set with SetResources, AddResource and
// AddServer.
func (s *Sim) Resources() []Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.resources)
}

// GET /api/v2/resources. As on plex.tv, relay connections are listed only
// with includeRelay=1 and IPv6 ones only with includeIPv6=1.
func (s *Sim) listResources(w http.ResponseWriter, r *http.Request) {
	a, _, ok := s.authed(r)
	if !ok {
		writeUnauthorized(w, r)
		return
	}
	s.mu.Lock()
	raw, rs := s.rawRes, slices.Clone(s.resources)
	s.mu.Unlock()
	if raw != nil && acceptsJSON(r.Header) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(raw)
		return
	}
	q := r.URL.Query()
	relay, ipv6 := q.Get("includeRelay") == "1", q.Get("includeIPv6") == "1"
	for i := range rs {
		conns := []Connection{}
		for _, c := range rs[i].Connections {
			if (c.Relay && !relay) || (c.IPv6 && !ipv6) {
				continue
			}
			conns = append(conns, c)
		}
		rs[i].Connections = conns
		rs[i].AccessToken = s.homeServerToken(a, rs[i])
		rs[i].CreatedAt = rs[i].CreatedAt.UTC().Truncate(time.Second)
		rs[i].LastSeenAt = rs[i].LastSeenAt.UTC().Truncate(time.Second)
	}
	if rs == nil {
		rs = []Resource{}
	}
	writeJSON(w, r, http.StatusOK, rs)
}
