package logging

import (
	"os"
	"sync"
)

// rotatingFile is an io.WriteCloser appending to path. A write that would
// take the file past max first renames it to path.1 (replacing the old one)
// and starts a new file; a single write larger than max still goes in whole.
// It is safe for concurrent use, and each Write lands in one file.
type rotatingFile struct {
	mu     sync.Mutex
	path   string
	max    int64
	f      *os.File // nil after a failed reopen; the next Write retries
	size   int64
	closed bool
}

func openRotating(path string, max int64) (*rotatingFile, error) {
	r := &rotatingFile{path: path, max: max}
	if err := r.reopen(0); err != nil {
		return nil, err
	}
	return r, nil
}

// reopen opens path for appending (flags may add os.O_TRUNC) and records
// its size.
func (r *rotatingFile) reopen(flags int) error {
	f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND|flags, 0o600)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	r.f, r.size = f, fi.Size()
	return nil
}

func (r *rotatingFile) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, os.ErrClosed
	}
	if r.f != nil && r.size > 0 && r.size+int64(len(p)) > r.max {
		r.f.Close()
		r.f = nil
		flags := 0
		if os.Rename(r.path, r.path+".1") != nil {
			// Windows refuses to rename a file another process has open.
			// Start over in place rather than grow without bound.
			flags = os.O_TRUNC
		}
		if err := r.reopen(flags); err != nil {
			return 0, err
		}
	}
	if r.f == nil {
		if err := r.reopen(0); err != nil {
			return 0, err
		}
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

// Close closes the file; later writes fail with os.ErrClosed.
func (r *rotatingFile) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	if r.f == nil {
		return nil
	}
	return r.f.Close()
}
