//go:build linux

package netwatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"golang.org/x/sys/unix"
)

// netlinkSource is the Linux address source (runNetlink), logging once it
// listens.
type netlinkSource struct{ log *slog.Logger }

func (s netlinkSource) Run(ctx context.Context, out chan<- Trigger) error {
	return runNetlink(ctx, out, func() { s.log.Info("netwatch: listening for address changes (rtnetlink)") })
}

// runNetlink is the Linux address source: an rtnetlink socket subscribed
// to the kernel's IPv4 and IPv6 address notifications (RTM_NEWADDR,
// RTM_DELADDR for any interface). The socket is non-blocking and read
// through the runtime's poller, so waiting costs no wakeup. Plain
// golang.org/x/sys/unix: one socket and a 16-byte header are not worth a
// netlink library.
func runNetlink(ctx context.Context, out chan<- Trigger, listening func()) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("netwatch: rtnetlink socket: %w", err)
	}
	sa := &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: unix.RTMGRP_IPV4_IFADDR | unix.RTMGRP_IPV6_IFADDR}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return fmt.Errorf("netwatch: rtnetlink bind: %w", err)
	}
	f := os.NewFile(uintptr(fd), "rtnetlink") // non-blocking: uses the poller
	defer f.Close()
	stop := context.AfterFunc(ctx, func() { f.Close() })
	defer stop()
	listening()
	buf := make([]byte, 32<<10)
	for {
		n, err := f.Read(buf)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, unix.ENOBUFS):
			// The kernel dropped notifications (a burst): something
			// changed.
			send(ctx, out, NetworkChanged)
		case err != nil:
			return fmt.Errorf("netwatch: rtnetlink read: %w", err)
		case netlinkAddrChange(buf[:n]):
			send(ctx, out, NetworkChanged)
		}
	}
}
