package fsutil

import (
	"errors"
	"fmt"
	"io"
)

// ErrNotRegular: the path is not a regular file (a directory, a FIFO, a
// device, a socket, or a symbolic link, which ReadRegular never follows).
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge: the file is larger than the caller allows.
var ErrTooLarge = errors.New("file too large")

// ReadRegular reads a small file that plextray keeps in its config folder,
// without ever blocking on what is there instead: the last element of path
// is not followed if it is a symbolic link, and the file is opened without
// waiting (a FIFO with no writer, a device) and read only if it is a
// regular file of at most limit bytes. Otherwise the error matches
// ErrNotRegular or ErrTooLarge (or fs.ErrNotExist when nothing is there).
func ReadRegular(path string, limit int64) ([]byte, error) {
	f, err := openNoFollow(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, fi.Mode().Type())
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s: %w (%d bytes)", path, ErrTooLarge, fi.Size())
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit { // it grew while we read it
		return nil, fmt.Errorf("%s: %w", path, ErrTooLarge)
	}
	return b, nil
}
