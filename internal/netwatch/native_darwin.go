//go:build darwin

package netwatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"golang.org/x/sys/unix"
)

// NativeSources on macOS: a route socket (addresses added or removed,
// interfaces up or down). There is no wake event without cgo
// (NSWorkspaceDidWakeNotification is Objective-C): the periodic timer
// tells a wake-up by the wall clock's jump, and waking usually changes an
// address too.
func NativeSources(*slog.Logger) []Source { return []Source{SourceFunc(runRouteSocket)} }

// runRouteSocket reads the kernel's routing messages (pure Go: a
// PF_ROUTE socket read through the runtime's poller, so waiting costs no
// wakeup). Every routing message wakes the process, route changes
// included; only address and interface messages become a trigger.
func runRouteSocket(ctx context.Context, out chan<- Trigger) error {
	fd, err := unix.Socket(unix.AF_ROUTE, unix.SOCK_RAW, unix.AF_UNSPEC)
	if err != nil {
		return fmt.Errorf("netwatch: route socket: %w", err)
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return fmt.Errorf("netwatch: route socket: %w", err)
	}
	f := os.NewFile(uintptr(fd), "route") // non-blocking: uses the poller
	defer f.Close()
	stop := context.AfterFunc(ctx, func() { f.Close() })
	defer stop()
	buf := make([]byte, 2048)
	for {
		n, err := f.Read(buf)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, unix.ENOBUFS):
			send(ctx, out, NetworkChanged) // messages were dropped: a burst
		case err != nil:
			return fmt.Errorf("netwatch: route socket read: %w", err)
		case routeAddrChange(buf[:n]):
			send(ctx, out, NetworkChanged)
		}
	}
}
