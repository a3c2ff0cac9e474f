package servers

import (
	"errors"
	"syscall"
)

// wsaeconnrefused is WSAECONNREFUSED, which syscall.ECONNREFUSED does not
// match on Windows.
const wsaeconnrefused = syscall.Errno(10061)

func isRefusedOS(err error) bool { return errors.Is(err, wsaeconnrefused) }
