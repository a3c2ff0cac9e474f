package plextv

import (
	"bytes"
	"strconv"
	"strings"
	"time"
)

// PIN is plex.tv's AuthPinContainer. Fields we do not use are left out;
// unknown and null fields decode without error.
type PIN struct {
	ID               int64  `json:"id"`
	Code             string `json:"code"`
	Product          string `json:"product"`
	Trusted          bool   `json:"trusted"`
	QR               string `json:"qr"`
	ClientIdentifier string `json:"clientIdentifier"`
	ExpiresIn        int    `json:"expiresIn"`
	CreatedAt        Time   `json:"createdAt"`
	ExpiresAt        Time   `json:"expiresAt"`
	AuthToken        Token  `json:"authToken"`
}

// Linked reports whether the person has claimed the PIN.
func (p *PIN) Linked() bool { return !p.AuthToken.IsZero() }

// User is the part of plex.tv's UserPlexAccount we show.
type User struct {
	ID           int64  `json:"id"`
	UUID         string `json:"uuid"`
	Username     string `json:"username"`
	Title        string `json:"title"`
	Email        string `json:"email"`
	FriendlyName string `json:"friendlyName"`
	Thumb        string `json:"thumb"`
	// Home, HomeAdmin and HomeSize describe the account's Plex Home
	// (see OfferProfiles).
	// They decode leniently: a drifted type never fails the user.
	Home      LooseBool `json:"home"`
	HomeAdmin LooseBool `json:"homeAdmin"`
	HomeSize  LooseInt  `json:"homeSize"`
}

// DisplayName is the name to show for the account.
func (u *User) DisplayName() string {
	for _, s := range []string{u.Username, u.Title, u.FriendlyName, u.Email} {
		if s != "" {
			return s
		}
	}
	return "Plex user"
}

// AccountName is the name both front ends show for the account: plex.tv's
// title for it (what its Plex Home calls the admin), else DisplayName.
func (u *User) AccountName() string {
	if u.Title != "" {
		return u.Title
	}
	return u.DisplayName()
}

// Resource is one device of the account from /api/v2/resources.
// Booleans that plex.tv omits for players decode as false.
type Resource struct {
	Name             string `json:"name"`
	Product          string `json:"product"`
	ProductVersion   string `json:"productVersion"`
	Platform         string `json:"platform"`
	PlatformVersion  string `json:"platformVersion"`
	Device           string `json:"device"`
	ClientIdentifier string `json:"clientIdentifier"`
	Provides         string `json:"provides"`
	OwnerID          *int64 `json:"ownerId"`
	SourceTitle      string `json:"sourceTitle"`
	PublicAddress    string `json:"publicAddress"`
	AccessToken      Token  `json:"accessToken"` // this server's own token; never prints
	// AccessTokenErr is ErrBadToken when plex.tv sent an accessToken that
	// is not a token (Token.Check); AccessToken is then empty.
	AccessTokenErr         error        `json:"-"`
	LastSeenAt             Time         `json:"lastSeenAt"` // zero when absent or unreadable
	Owned                  bool         `json:"owned"`
	Home                   bool         `json:"home"`
	Relay                  bool         `json:"relay"`
	Presence               bool         `json:"presence"`
	HTTPSRequired          bool         `json:"httpsRequired"`
	PublicAddressMatches   bool         `json:"publicAddressMatches"`
	DNSRebindingProtection bool         `json:"dnsRebindingProtection"`
	NATLoopbackSupported   bool         `json:"natLoopbackSupported"`
	Connections            []Connection `json:"connections"`
}

// IsServer reports whether the resource provides "server"
// (a Plex Media Server, not a player or Plex Web).
func (r *Resource) IsServer() bool {
	for _, p := range strings.Split(r.Provides, ",") {
		if strings.TrimSpace(p) == "server" {
			return true
		}
	}
	return false
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

// Servers keeps the resources that are Plex Media Servers.
func Servers(rs []Resource) []Resource {
	var out []Resource
	for _, r := range rs {
		if r.IsServer() {
			out = append(out, r)
		}
	}
	return out
}

// Time decodes plex.tv's timestamps leniently: ISO 8601 strings, Unix
// seconds (the legacy API), null or anything unreadable (zero time).
type Time struct{ time.Time }

func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	t.Time = time.Time{}
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return nil
	}
	if b[0] == '"' {
		s, err := strconv.Unquote(string(b))
		if err != nil {
			return nil
		}
		if ts, err := time.Parse(time.RFC3339, s); err == nil {
			t.Time = ts
		} else if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			t.Time = time.Unix(n, 0).UTC() // "1600000000"
		}
		return nil
	}
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		t.Time = time.Unix(n, 0).UTC()
	}
	return nil
}

func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(strconv.Quote(t.UTC().Format(time.RFC3339))), nil
}
