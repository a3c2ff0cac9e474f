package config

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/fsnotify/fsnotify"
)

// Watch reports, on the returned channel, every change to the files
// called names in the folder dir (created if missing): written, created,
// renamed into place or removed. At most one report is pending; the
// watch ends with ctx. It wakes only when the folder changes (inotify on
// Linux, ReadDirectoryChangesW on Windows, kqueue on macOS), never on a
// timer.
func Watch(ctx context.Context, dir string, names ...string) (<-chan struct{}, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("watching the config folder: %w", err)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watching the config folder: %w", err)
	}
	if err := w.Add(dir); err != nil {
		w.Close()
		return nil, fmt.Errorf("watching the config folder: %w", err)
	}
	out := make(chan struct{}, 1)
	go func() {
		defer w.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if !slices.Contains(names, filepath.Base(ev.Name)) || ev.Op == fsnotify.Chmod {
					continue
				}
				select {
				case out <- struct{}{}:
				default: // one report pending is enough
				}
			case _, ok := <-w.Errors:
				if !ok {
					return
				}
			}
		}
	}()
	return out, nil
}
