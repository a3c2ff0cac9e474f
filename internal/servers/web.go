package servers

import (
	"net/url"
	"regexp"
	"strings"
)

// machineIDRE is what a server's clientIdentifier (its machineIdentifier)
// looks like: plex.tv's are 40 hex characters; letters, digits and '-'
// are accepted, nothing that could change the web app's address.
var machineIDRE = regexp.MustCompile(`^[A-Za-z0-9-]{1,128}$`)

// WebURL is where Plex Web opens s: the server's own /web when the URI
// handed out for it (Server.URI) is a local connection, else the Plex web
// app at appURL (https://app.plex.tv) on the server's library. "" when
// there is neither: no local connection and no usable identifier.
func WebURL(s Server, appURL string) string {
	if c, ok := s.URIConnection(); ok && c.Local && !c.Relay {
		if u, err := url.Parse(s.URI); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			u.User, u.RawQuery, u.Fragment = nil, "", ""
			u.Path = strings.TrimRight(u.Path, "/") + "/web"
			return u.String()
		}
	}
	if !machineIDRE.MatchString(s.ClientIdentifier) {
		return ""
	}
	return strings.TrimRight(appURL, "/") + "/desktop/#!/media/" + s.ClientIdentifier + "/com.plexapp.plugins.library"
}
