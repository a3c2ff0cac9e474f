//go:build !unix

package fsutil

import (
	"fmt"
	"os"
)

// openNoFollow opens path for reading only if it is a regular file and
// not a link: Windows has no O_NOFOLLOW, so it checks with Lstat first
// and, after opening, that the opened file is the one it checked.
func openNoFollow(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, fi.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if err := sameRegular(path, f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// sameRegular reports whether the opened file is what Lstat saw at path
// (for systems without O_NOFOLLOW).
func sameRegular(path string, f *os.File) error {
	before, err := os.Lstat(path)
	if err != nil {
		return err
	}
	after, err := f.Stat()
	if err != nil {
		return err
	}
	if !before.Mode().IsRegular() || !os.SameFile(before, after) {
		return fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	return nil
}
