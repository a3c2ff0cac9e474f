package plextvsim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"sync"
	"time"
)

// Options configure a Sim. The zero value is ready to use.
type Options struct {
	// Addr is the listen address; default "127.0.0.1:0" (a free port).
	Addr string
	// Now is the clock for PIN expiry, the poll rate limit and the request
	// log; default time.Now. See ManualClock.
	Now func() time.Time
	// LinkPINTTL is the lifetime of a 4-character PIN; default 900 s.
	LinkPINTTL time.Duration
	// StrongPINTTL is the lifetime of a strong PIN; default 1800 s.
	StrongPINTTL time.Duration
	// PINPollLimit, if > 0, answers 429 (code 1003, Retry-After: 1) when
	// one PIN is read more than this many times within one second.
	PINPollLimit int
}

// Sim is a running plex.tv simulator. Its methods are safe for concurrent
// use.
type Sim struct {
	now       func() time.Time
	linkTTL   time.Duration
	strongTTL time.Duration
	url       string
	srv       *httpServer
	closeOnce sync.Once

	mu        sync.Mutex
	pollLimit int
	accounts  map[string]*Account // by username
	tokens    map[string]string   // token → username
	// byClient is the one token of each (account, client identifier):
	// linking a PIN for that pair revokes the token before it (LinkPIN).
	byClient   map[clientKey]string
	demo       string // the demo account's username
	pins       map[int64]*PIN
	nextPINID  int64
	polls      map[string][]time.Time // PIN id → recent reads
	resources  []Resource
	rawRes     []byte // when non-nil, served verbatim as /api/v2/resources
	faults     []*Fault
	log        []*Request
	violations []violation
	clientIDs  []string
	pmss       []*PMS
	homes      map[string]*simHome // account key → its Plex Home (home.go)
	nextTokens []string            // handed out before any new token (SetNextTokens)
	// devices are the authorized devices per (account, client identifier),
	// made by linked PINs (devices.go); claims the claim tokens handed out,
	// with their expiry.
	devices      map[clientKey]*Device
	nextDeviceID int64
	claims       map[string]time.Time
}

// Start starts a simulator listening on opts.Addr.
func Start(opts Options) (*Sim, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.LinkPINTTL <= 0 {
		opts.LinkPINTTL = 900 * time.Second
	}
	if opts.StrongPINTTL <= 0 {
		opts.StrongPINTTL = 1800 * time.Second
	}
	s := &Sim{
		now:       opts.Now,
		linkTTL:   opts.LinkPINTTL,
		strongTTL: opts.StrongPINTTL,
		pollLimit: opts.PINPollLimit,
		accounts:  map[string]*Account{},
		tokens:    map[string]string{},
		byClient:  map[clientKey]string{},
		pins:      map[int64]*PIN{},
		nextPINID: 373040000 + int64(randInt(100000)),
		polls:     map[string][]time.Time{},
	}
	demo, err := s.AddAccount(Account{Username: "demo", Title: "Demo User", FriendlyName: "Demo"})
	if err != nil {
		return nil, err
	}
	s.demo = demo.Username

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("plextvsim: %w", err)
	}
	s.url = "http://" + ln.Addr().String()
	s.srv = serve(ln, s.logged(s.routes()), nil)
	return s, nil
}

// URL is the simulator's base URL, e.g. http://127.0.0.1:32499. Use it as
// both the plex.tv URL and the app (auth page) URL.
func (s *Sim) URL() string { return s.url }

// Close stops the simulator and every PMS it started. Requests still
// running (delays, hangs) end at once.
func (s *Sim) Close() error {
	s.closeOnce.Do(func() {
		s.srv.stop()
		s.mu.Lock()
		pmss := s.pmss
		s.mu.Unlock()
		for _, p := range pmss {
			p.Close()
		}
	})
	return nil
}

func (s *Sim) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v2/pins", s.api(EndpointCreatePIN, s.createPIN))
	mux.HandleFunc("GET /api/v2/pins/{id}", s.api(EndpointCheckPIN, s.checkPIN))
	mux.HandleFunc("PUT /api/v2/pins/link", s.api(EndpointLinkPIN, s.linkPIN))
	mux.HandleFunc("GET /api/v2/user", s.api(EndpointUser, s.user))
	mux.HandleFunc("DELETE /api/v2/users/signout", s.api(EndpointSignOut, s.signOut))
	mux.HandleFunc("GET /api/v2/resources", s.api(EndpointResources, s.listResources))
	mux.HandleFunc("GET /api/v2/ping", s.api(EndpointPing, s.ping))
	mux.HandleFunc("GET /api/claim/token.json", s.api(EndpointClaim, s.claimToken))
	mux.HandleFunc("GET /devices.xml", s.api(EndpointDevices, s.listDevices))
	mux.HandleFunc("DELETE /devices/{file}", s.api(EndpointDeleteDevice, s.deleteDevice))
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, http.StatusNotFound, 1020, "Not found (simulator)")
	})
	s.homeRoutes(mux)
	s.pageRoutes(mux)
	s.controlRoutes(mux)
	return mux
}

// api wraps a plex.tv API handler with the checks every endpoint shares
// and with fault injection.
func (s *Sim) api(ep Endpoint, h http.HandlerFunc) http.HandlerFunc {
	inner := func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Plex-Client-Identifier") == "" {
			writeError(w, r, http.StatusBadRequest, 1000, "X-Plex-Client-Identifier is missing")
			return
		}
		h(w, r)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		// plex.tv accepts a token in the query; the simulator refuses it so
		// that an app that leaks tokens into URLs fails loudly.
		if tokenInQuery(r.URL.Query()) {
			writeError(w, r, http.StatusBadRequest, 1000, "X-Plex-Token must be sent in a header, not in the URL (simulator rule)")
			return
		}
		if f, ok := s.takeFault(ep); ok {
			s.serveFault(w, r, f, inner)
			return
		}
		inner(w, r)
	}
}

// writeJSON answers v as JSON, or, like plex.tv, as XML when the request
// did not ask for JSON. The simulator's XML is only a stand-in: an app
// that forgets Accept: application/json fails to decode it, as with plex.tv.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	if !acceptsJSON(r.Header) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<response simulator="XML because the request lacked Accept: application/json"/>`+"\n")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  int    `json:"status,omitempty"`
}

// writeError answers plex.tv's error envelope. Code 1020 has no "status"
// field, as in plex.tv's answers.
func writeError(w http.ResponseWriter, r *http.Request, status, code int, msg string) {
	e := apiError{Code: code, Message: msg, Status: status}
	if code == 1020 {
		e.Status = 0
	}
	writeJSON(w, r, status, map[string][]apiError{"errors": {e}})
}

func writeUnauthorized(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, http.StatusUnauthorized, 1001, "User could not be authenticated")
}

// ManualClock is a clock for Options.Now that moves only when told to.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock returns a clock reading t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t} }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// randHex returns n random bytes as hex.
func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// randString returns n characters drawn from alphabet.
func randString(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[randInt(len(alphabet))]
	}
	return string(b)
}

func randInt(n int) int {
	v, _ := rand.Int(rand.Reader, big.NewInt(int64(n)))
	return int(v.Int64())
}
