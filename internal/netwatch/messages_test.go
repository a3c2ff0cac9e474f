package netwatch

import (
	"encoding/binary"
	"testing"
)

// nlmsg is one rtnetlink message of type typ with a payload of n bytes.
func nlmsg(typ uint16, n int) []byte {
	b := make([]byte, nlmsgHdrLen+n)
	binary.NativeEndian.PutUint32(b[0:4], uint32(len(b)))
	binary.NativeEndian.PutUint16(b[4:6], typ)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func TestNetlinkAddrChange(t *testing.T) {
	const rtmNewLink, rtmNewRoute = 16, 24
	cat := func(bs ...[]byte) (out []byte) {
		for _, b := range bs {
			out = append(out, b...)
		}
		return out
	}
	bad := nlmsg(rtmNewAddr, 8)
	binary.NativeEndian.PutUint32(bad[0:4], 4) // shorter than its header
	for _, tc := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"new address", nlmsg(rtmNewAddr, 40), true},
		{"address removed", nlmsg(rtmDelAddr, 40), true},
		{"link only", nlmsg(rtmNewLink, 30), false},
		{"route, then address (unaligned payload)", cat(nlmsg(rtmNewRoute, 27), nlmsg(rtmDelAddr, 8)), true},
		{"empty", nil, false},
		{"short header", nlmsg(rtmNewAddr, 0)[:12], false},
		{"length past the end", nlmsg(rtmNewAddr, 8)[:20], false},
		{"length below the header", bad, false},
	} {
		if got := netlinkAddrChange(tc.b); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func routeMsg(typ byte, n int) []byte {
	b := make([]byte, n)
	binary.NativeEndian.PutUint16(b[0:2], uint16(n))
	b[2], b[3] = 5, typ // RTM_VERSION
	return b
}

func TestRouteAddrChange(t *testing.T) {
	const rtmAdd, rtmDelete = 0x1, 0x2
	for _, tc := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"new address", routeMsg(rtmDarwinNewAddr, 20), true},
		{"address removed", routeMsg(rtmDarwinDelAddr, 20), true},
		{"interface up/down", routeMsg(rtmDarwinIfInfo, 112), true},
		{"route added (ARP)", routeMsg(rtmAdd, 92), false},
		{"route deleted", routeMsg(rtmDelete, 92), false},
		{"short", []byte{4, 0, 5}, false},
		{"length past the end", routeMsg(rtmDarwinNewAddr, 20)[:10], false},
	} {
		if got := routeAddrChange(tc.b); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The decoders read kernel bytes: no input may make them panic or loop.
func FuzzNetlinkAddrChange(f *testing.F) {
	f.Add(nlmsg(rtmNewAddr, 40))
	f.Add(append(nlmsg(16, 27), nlmsg(rtmDelAddr, 8)...))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 20, 0})
	f.Fuzz(func(t *testing.T, b []byte) { netlinkAddrChange(b) })
}

func FuzzRouteAddrChange(f *testing.F) {
	f.Add(routeMsg(rtmDarwinNewAddr, 20))
	f.Add([]byte{0, 0, 5, 0xc})
	f.Fuzz(func(t *testing.T, b []byte) { routeAddrChange(b) })
}
