package servers

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
)

// Sockets are tied to probes, so a finished or cancelled check leaves
// none behind. net/http dials on a context detached from the request's
// cancellation (a dial may outlive its request to serve the next one);
// with keep-alives off that only keeps a socket open for nothing. So each
// request carries its probe in a context value, and dialTracked:
//   - cancels the dial when the probe ends,
//   - closes the socket when the probe ends (whoever holds it),
//   - counts open sockets per check, so Stream can wait for zero.

type probeKey struct{}

// probeScope is one probe: its context and its check's socket count.
type probeScope struct {
	ctx   context.Context
	check *sockets
	// address is plex.tv's address of the probed connection; route
	// records how the socket was made (see dialPlexDirect).
	address string
	route   *route
	// conn is the socket the probe dialled before its request
	// (dialProbe); the request's dial takes it instead of dialling.
	conn atomic.Pointer[trackedConn]
}

// sockets counts a check's dials and open sockets.
type sockets struct {
	mu     sync.Mutex
	n      int
	closed bool
	zero   chan struct{}
}

var errCheckOver = errors.New("servers: check is over")

func (s *sockets) acquire() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.n++
	return true
}

func (s *sockets) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n--
	if s.n == 0 && s.zero != nil {
		close(s.zero)
		s.zero = nil
	}
}

// wait refuses new dials and returns when every socket is closed. Call it
// only when every probe's context is done, so each socket is closing.
func (s *sockets) wait() {
	s.mu.Lock()
	s.closed = true
	if s.n == 0 {
		s.mu.Unlock()
		return
	}
	ch := make(chan struct{})
	s.zero = ch
	s.mu.Unlock()
	<-ch
}

// dialProbe dials address for the probe ps, on the probe's own context:
// the socket is counted in its check and closed when the probe ends.
func (p *Prober) dialProbe(ps *probeScope, address string) (*trackedConn, error) {
	if !ps.check.acquire() {
		return nil, errCheckOver
	}
	conn, err := p.dialRaw(ps.ctx, "tcp", address, ps)
	if err != nil {
		ps.check.release()
		return nil, err
	}
	tc := &trackedConn{Conn: conn, release: ps.check.release}
	context.AfterFunc(ps.ctx, func() { tc.Close() })
	return tc, nil
}

// dialTracked is the Transport's dialer. A probe that dialled first hands
// its socket over; otherwise it dials as dialProbe does, on net/http's
// dial context, which a probe's end also cancels.
func (p *Prober) dialTracked(ctx context.Context, network, address string) (net.Conn, error) {
	ps, _ := ctx.Value(probeKey{}).(*probeScope)
	if ps == nil {
		return p.dialRaw(ctx, network, address, nil)
	}
	if tc := ps.conn.Swap(nil); tc != nil {
		return tc, nil
	}
	if ps.ctx.Err() != nil {
		return nil, ps.ctx.Err()
	}
	if !ps.check.acquire() {
		return nil, errCheckOver
	}
	dctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(ps.ctx, cancel)
	conn, err := p.dialRaw(dctx, network, address, ps)
	stop()
	cancel()
	if err != nil {
		ps.check.release()
		return nil, err
	}
	tc := &trackedConn{Conn: conn, release: ps.check.release}
	// Every probe context ends (Stream cancels each when its probe
	// returns), so this always runs, soon after the probe is over.
	context.AfterFunc(ps.ctx, func() { tc.Close() })
	return tc, nil
}

// trackedConn closes once, and tells its check.
type trackedConn struct {
	net.Conn
	once    sync.Once
	release func()
	err     error
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.err = c.Conn.Close()
		c.release()
	})
	return c.err
}
