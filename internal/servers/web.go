package servers

import (
	"net/url"
	"strings"
)

// validMachineID reports whether id looks like a server's clientIdentifier
// (its machineIdentifier): plex.tv's are 40 hex characters; 1 to 128
// ASCII letters, digits and '-' are accepted, nothing that could change
// the web app's address. A loop, not a regular expression compiled at
// start-up by every command.
func validMachineID(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-') {
			return false
		}
	}
	return true
}

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
	if !validMachineID(s.ClientIdentifier) {
		return ""
	}
	return strings.TrimRight(appURL, "/") + "/desktop/#!/media/" + s.ClientIdentifier + "/com.plexapp.plugins.library"
}
