package netwatch

import "encoding/binary"

// The kernels' change messages, read by the address-event sources. The
// decoders are portable (and fuzzed on every OS); the sockets are not.

// Linux rtnetlink (linux/netlink.h, linux/rtnetlink.h): every message
// starts with a 16-byte nlmsghdr (length u32, type u16, flags u16, seq
// u32, pid u32) in host order; messages are 4-byte aligned in a datagram.
const (
	nlmsgHdrLen = 16
	rtmNewAddr  = 20
	rtmDelAddr  = 21
)

// netlinkAddrChange reports whether a datagram from an rtnetlink socket
// holds an address added or removed. A truncated or malformed datagram
// counts only for the whole messages before the damage.
func netlinkAddrChange(b []byte) bool {
	for len(b) >= nlmsgHdrLen {
		n := binary.NativeEndian.Uint32(b[0:4])
		typ := binary.NativeEndian.Uint16(b[4:6])
		if n < nlmsgHdrLen || uint64(n) > uint64(len(b)) {
			return false
		}
		if typ == rtmNewAddr || typ == rtmDelAddr {
			return true
		}
		step := (uint64(n) + 3) &^ 3
		if step >= uint64(len(b)) {
			return false
		}
		b = b[step:]
	}
	return false
}

// Darwin route socket (net/route.h): every message starts with
// msglen u16, version u8, type u8 in host order; one read returns one
// message.
const (
	rtmDarwinNewAddr = 0xc
	rtmDarwinDelAddr = 0xd
	rtmDarwinIfInfo  = 0xe
)

// routeAddrChange reports whether a message read from a route socket says
// an address was added or removed or an interface went up or down.
// Route additions and deletions (ARP entries among them) are not a change
// of network.
func routeAddrChange(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	if n := binary.NativeEndian.Uint16(b[0:2]); n < 4 || int(n) > len(b) {
		return false
	}
	switch b[3] {
	case rtmDarwinNewAddr, rtmDarwinDelAddr, rtmDarwinIfInfo:
		return true
	}
	return false
}
