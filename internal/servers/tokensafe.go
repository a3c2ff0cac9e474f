package servers

import (
	"net/netip"
	"net/url"
	"strings"
)

// TokenSafe reports whether a token may be sent to uri (in the
// X-Plex-Token header): https to any host (the certificate is verified),
// or plain http only to a loopback, private (RFC 1918, fc00::/7) or
// link-local IP literal, or "localhost". Plain http to a host name is not
// safe even if the name looks local (192-168-1-2.….plex.direct): what it
// resolves to is up to DNS. Anything unparsable, with user info, or of
// another scheme is not safe. Probes themselves never send a token.
func TokenSafe(uri string) bool {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return true
	case "http":
	default:
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()
}
