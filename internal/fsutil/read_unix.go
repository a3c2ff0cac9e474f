//go:build unix

package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// openNoFollow opens path for reading with O_NOFOLLOW (a symbolic link is
// refused, not followed) and O_NONBLOCK (a FIFO or device does not make
// the open wait).
func openNoFollow(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err == nil {
		return f, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	// A symbolic link gives ELOOP on Linux and most BSDs, EMLINK on
	// FreeBSD and EFTYPE on NetBSD; ask the file system rather than
	// guessing from the number.
	if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s: %w (a symbolic link)", path, ErrNotRegular)
	}
	return nil, err
}
