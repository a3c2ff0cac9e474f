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

// WebURL is where Plex Web opens s: the server's own /web when its best
// connection is a local one (the address other programs here can use,
// PortableURI, when DNS blocks its plex.direct name), else the Plex web
// app at appURL (https://app.plex.tv) on the server's library. "" when
// there is neither: no local connection and no usable identifier.
func WebURL(s Server, appURL string) string {
	if c, ok := s.BestConnection(); ok && c.Local && !c.Relay {
		base := s.PortableURI
		if base == "" {
			base = s.Best
		}
		if u, err := url.Parse(base); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
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
