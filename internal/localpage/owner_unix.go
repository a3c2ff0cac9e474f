//go:build unix

package localpage

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// ownedPrivate checks that dir belongs to this user, and closes it to
// others if it was open (it is the user's own, so that is theirs to do).
func ownedPrivate(dir string, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || int(st.Uid) != os.Getuid() {
		return fmt.Errorf("%s: %w (another user owns it)", dir, ErrUnsafeFolder)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("%s: %w: %v", dir, ErrUnsafeFolder, err)
		}
	}
	return nil
}
