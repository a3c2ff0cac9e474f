package lastcheck

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"slices"
	"strings"
)

// Network names the network this machine is on now, as the addresses of
// its interfaces (loopback and IPv6 link-local ones left out: they are
// the same on every network): two calls on the same network give the
// same name, and an address that appears or goes gives another. "" when
// the addresses cannot be read: nothing is then the same network.
func Network() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	return networkOf(addrs)
}

// networkOf is Network for addrs: a hash, so that the record does not
// list the machine's addresses.
func networkOf(addrs []net.Addr) string {
	var keep []string
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() && ipn.IP.To4() == nil {
			continue
		}
		keep = append(keep, ipn.String())
	}
	slices.Sort(keep)
	keep = slices.Compact(keep)
	sum := sha256.Sum256([]byte("plextray network\n" + strings.Join(keep, "\n")))
	return hex.EncodeToString(sum[:16])
}
