// Package localpage serves one-time pages for the person at this computer:
// small forms a tray menu cannot show (a profile's PIN, a new token for a
// tool), in the default browser, on 127.0.0.1 only.
//
// One Server per process listens on 127.0.0.1 (a random port) for as long
// as the process runs, so a page reloaded after it ended still gets an
// answer ("this page has expired", or the page's last word) instead of
// "connection refused". Each page lives under its own random path (256
// bits from crypto/rand), which is the only way in. Requests whose Host
// is not 127.0.0.1:port (DNS rebinding) and posts from another origin
// (CSRF) are refused before a page sees them; every answer carries a
// strict Content-Security-Policy and is never cached.
//
// The secret address never goes on a command line (other local users can
// read those): LaunchFile writes a small file, readable only by the user,
// that redirects the browser to it, and the browser is given the file's
// path instead, as Jupyter does.
//
// What a page says and when it ends are up to its owner (package pinpage
// for the PIN page); this package gives it the address, the checks, the
// launch file, the look (Write) and the answer after the end (End).
package localpage

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// keepEnded is how many ended pages keep answering with their last word;
// older ones answer "this page has expired".
const keepEnded = 16

// Server serves pages on 127.0.0.1. Create it with Listen or OnDemand, or
// use Shared.
type Server struct {
	dir      string // launch files; "" is DefaultDir()
	onDemand bool   // listen only while a page is open

	mu    sync.Mutex
	srv   *http.Server // nil while not listening
	ln    net.Listener
	host  string        // 127.0.0.1:port, while listening
	done  chan struct{} // closed when srv's Serve has returned
	pages map[string]*Page
	ended []string // paths of ended pages, oldest first
}

// Listen starts a server on a random port of 127.0.0.1, whose pages'
// launch files go to dir ("" is DefaultDir()). It runs until Close.
func Listen(dir string) (*Server, error) {
	s := &Server{dir: dir, pages: map[string]*Page{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.listenLocked(); err != nil {
		return nil, err
	}
	return s, nil
}

// OnDemand returns a server that listens only while one of its pages is
// open, on a new port each time; an ended page's address then refuses
// connections. It suits code run inside a testing/synctest bubble, where
// a listener waiting for connections keeps time from moving.
func OnDemand(dir string) *Server {
	return &Server{dir: dir, onDemand: true, pages: map[string]*Page{}}
}

func (s *Server) listenLocked() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening on 127.0.0.1: %w", err)
	}
	s.host, s.ln = ln.Addr().String(), ln
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	done := make(chan struct{})
	s.done = done
	srv := s.srv
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	return nil
}

// stopLocked stops listening and forgets every page. Gently, answers in
// flight are finished first (in the background), else connections are
// cut.
func (s *Server) stopLocked(gently bool) (pages map[string]*Page, err error) {
	if s.srv != nil {
		if gently {
			// No new connections; those open finish their answer and
			// end with it (a kept-alive one when its client closes it).
			err = s.ln.Close()
		} else {
			err = s.srv.Close()
		}
		<-s.done // Serve returns once the listener is closed
		s.srv, s.ln, s.done = nil, nil, nil
	}
	pages = s.pages
	s.pages, s.ended = map[string]*Page{}, nil
	return pages, err
}

var shared struct {
	mu sync.Mutex
	s  *Server
}

// Shared returns the process's server, starting it on first use; it runs
// until the process ends. A failed start is tried again on the next call.
func Shared() (*Server, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.s == nil {
		s, err := Listen("")
		if err != nil {
			return nil, err
		}
		shared.s = s
	}
	return shared.s, nil
}

// Close stops the server at once and removes the launch files of its
// pages.
func (s *Server) Close() error {
	s.mu.Lock()
	pages, err := s.stopLocked(false)
	s.mu.Unlock()
	for _, p := range pages {
		p.removeLaunchFile()
	}
	return err
}

// Page is one page: an address and what answers there.
type Page struct {
	s    *Server
	host string // 127.0.0.1:port
	path string // "/" + secret

	mu      sync.Mutex
	handler http.Handler
	ended   bool
	launch  string // the launch file, until the page ends
}

// Add makes a page answered by h, under a new secret address. h sees only
// requests for exactly that address, from this computer's browser: the
// right Host, no query, and for anything but GET and HEAD the page's own
// origin.
func (s *Server) Add(h http.Handler) (*Page, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("making a page's secret: %w", err)
	}
	p := &Page{s: s, path: "/" + base64.RawURLEncoding.EncodeToString(secret), handler: h}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		if !s.onDemand {
			return nil, errors.New("the page server is closed")
		}
		if err := s.listenLocked(); err != nil {
			return nil, err
		}
	}
	p.host = s.host
	s.pages[p.path] = p
	return p, nil
}

// URL is the page's secret address. Hand a browser LaunchFile's address
// instead; never put this one on a command line or in a log.
func (p *Page) URL() string { return "http://" + p.host + p.path }

// Path is the URL's path, for a form's action.
func (p *Page) Path() string { return p.path }

// End replaces the page's handler by last, which answers reloads from now
// on (a success page, or a "closed" page; nil: "this page has expired"),
// and removes the launch file. The most recent ended pages keep their
// last word; older ones say they have expired.
func (p *Page) End(last http.Handler) {
	p.mu.Lock()
	if p.ended {
		p.mu.Unlock()
		return
	}
	p.ended = true
	p.handler = last
	p.mu.Unlock()
	p.removeLaunchFile()
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pages[p.path] != p {
		return
	}
	if last == nil {
		delete(s.pages, p.path)
	} else {
		s.ended = append(s.ended, p.path)
		for len(s.ended) > keepEnded {
			delete(s.pages, s.ended[0])
			s.ended = s.ended[1:]
		}
	}
	if s.onDemand && len(s.pages) == len(s.ended) {
		_, _ = s.stopLocked(true) // no page open; the last answer still goes out
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src "+scriptSrc+"; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin") // "no-referrer" would make a form post say Origin: null
	// DNS rebinding: a foreign name that resolves to 127.0.0.1 carries its
	// own Host.
	s.mu.Lock()
	host := s.host
	p := s.pages[r.URL.Path]
	s.mu.Unlock()
	if r.Host != host {
		http.Error(w, "wrong host", http.StatusMisdirectedRequest)
		return
	}
	if p == nil || r.URL.RawQuery != "" {
		Expired(w, http.StatusNotFound)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	default:
		if !sameOrigin(r, host) {
			http.Error(w, "cross-site request refused", http.StatusForbidden)
			return
		}
	}
	p.mu.Lock()
	handler := p.handler
	p.mu.Unlock()
	if handler == nil {
		Expired(w, http.StatusGone)
		return
	}
	handler.ServeHTTP(w, r)
}

// sameOrigin accepts a request only from the page itself. Browsers send
// Origin (and Sec-Fetch-Site) with every form POST; a client without them
// is not a browser that another site could drive.
func sameOrigin(r *http.Request, host string) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "http://"+host {
		return false
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin":
		return true
	}
	return false
}

// ErrUnsafeFolder: the launch folder is not the user's own (a link,
// another owner, or open to others).
var ErrUnsafeFolder = errors.New("the folder for launch files is not private to this user")

// LaunchFile writes a file in the server's launch folder (made if
// missing; the folder only the user can open, mode 0700, the file only
// the user can read, 0600) that sends a browser on to the page, and
// returns its file:// address: that address is what a browser's command
// line shows. The page's End removes the file.
func (p *Page) LaunchFile() (string, error) {
	dir := p.s.dir
	if dir == "" {
		var err error
		if dir, err = DefaultDir(); err != nil {
			return "", err
		}
	}
	name, err := writeLaunchFile(dir, p.URL())
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	if p.ended {
		p.mu.Unlock()
		_ = os.Remove(name)
		return "", errors.New("the page has ended")
	}
	if p.launch != "" {
		_ = os.Remove(p.launch)
	}
	p.launch = name
	p.mu.Unlock()
	return fileURL(name), nil
}

func (p *Page) removeLaunchFile() {
	p.mu.Lock()
	name := p.launch
	p.launch = ""
	p.mu.Unlock()
	if name != "" {
		_ = os.Remove(name)
	}
}
