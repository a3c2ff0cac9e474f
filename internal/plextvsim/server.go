package plextvsim

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// httpServer serves one listener. Every request context derives from a
// context that stop cancels, so handlers that wait (delays, hangs) end
// when the server stops; stop then waits for all of them to return, so
// nothing is left running after Close.
type httpServer struct {
	srv       *http.Server
	cancel    context.CancelFunc
	serveDone chan struct{}

	mu       sync.Mutex
	stopped  bool
	handlers sync.WaitGroup
}

// serve starts serving h on ln, over TLS when tlsConf is non-nil.
func serve(ln net.Listener, h http.Handler, tlsConf *tls.Config) *httpServer {
	ctx, cancel := context.WithCancel(context.Background())
	s := &httpServer{cancel: cancel, serveDone: make(chan struct{})}
	s.srv = &http.Server{
		Handler:           s.track(h),
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // TLS handshake noise from probes
	}
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	go func() {
		defer close(s.serveDone)
		_ = s.srv.Serve(ln)
	}()
	return s
}

// track counts running handlers so stop can wait for them.
func (s *httpServer) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.stopped {
			s.mu.Unlock()
			panic(http.ErrAbortHandler) // drop the connection quietly
		}
		s.handlers.Add(1)
		s.mu.Unlock()
		defer s.handlers.Done()
		h.ServeHTTP(w, r)
	})
}

// stop closes the listener and all connections, ends waiting handlers
// and returns once every handler and the serve loop have finished.
func (s *httpServer) stop() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	s.mu.Unlock()
	s.cancel()
	_ = s.srv.Close()
	s.handlers.Wait()
	<-s.serveDone
}

// sleep waits d. If ctx ends first (the client gave up or the server is
// stopping) it aborts the handler, so that no answer at all is sent.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		panic(http.ErrAbortHandler)
	}
}

// hang waits until ctx ends (the client gave up or the server is
// stopping), then aborts the handler without answering.
func hang(ctx context.Context) {
	<-ctx.Done()
	panic(http.ErrAbortHandler)
}

// statusWriter remembers the status a handler sent.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

var errClosed = errors.New("plextvsim: closed")
