package netwatch

import "context"

// send passes t to the watcher's loop, which always receives, unless ctx
// has ended.
func send(ctx context.Context, out chan<- Trigger, t Trigger) {
	select {
	case out <- t:
	case <-ctx.Done():
	}
}
