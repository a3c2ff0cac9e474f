package plextvsim

import (
	"crypto/sha1"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

const defaultPMSVersion = "1.41.0.8992-8463ad060"

// PMSOptions configure a fake Plex Media Server.
type PMSOptions struct {
	Name              string // friendlyName, and the PMS's name in the control API
	MachineIdentifier string // default: 40 random hex characters
	Version           string // default "1.41.0.8992-8463ad060"
	// TLS serves https with a certificate for 127.0.0.1, ::1 and localhost
	// signed by the simulator CA (see CACertPEM). Fixed for the PMS's life.
	TLS bool
	// Addr is the listen address; default "127.0.0.1:0".
	Addr     string
	Behavior PMSBehavior
}

// PMSBehavior is how a PMS answers; change it with SetBehavior.
type PMSBehavior struct {
	Delay time.Duration // wait before answering
	// Hang accepts the request and never answers, until the client gives
	// up or the PMS goes down or closes.
	Hang bool
	// Down stops listening: connections are refused. Clearing it listens
	// again on the same address.
	Down bool
	// WrongMachine answers /identity with another machineIdentifier.
	WrongMachine bool
}

// PMS is a fake Plex Media Server serving GET /identity (no token) and
// GET / (needs the server's accessToken, see Sim.AddServer).
type PMS struct {
	name, machineID, version string
	addr, url                string
	tlsConf                  *tls.Config

	stateMu sync.Mutex // serialises going up, down and Close
	srv     *httpServer
	closed  bool

	mu       sync.Mutex
	behavior PMSBehavior
	token    string
	log      []*Request

	profileTokens map[string]bool // Home profiles' own tokens (home.go)
}

// StartPMS starts a fake PMS.
func StartPMS(opts PMSOptions) (*PMS, error) {
	p := &PMS{name: opts.Name, machineID: opts.MachineIdentifier, version: opts.Version, behavior: opts.Behavior}
	if p.machineID == "" {
		p.machineID = randHex(20)
	}
	if p.version == "" {
		p.version = defaultPMSVersion
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	scheme := "http"
	if opts.TLS {
		ca, err := loadCA()
		if err != nil {
			return nil, fmt.Errorf("plextvsim: CA: %w", err)
		}
		p.tlsConf = &tls.Config{Certificates: []tls.Certificate{ca.leaf}, MinVersion: tls.VersionTLS12}
		scheme = "https"
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("plextvsim: PMS %q: %w", opts.Name, err)
	}
	p.addr = ln.Addr().String()
	p.url = scheme + "://" + p.addr
	if opts.Behavior.Down {
		ln.Close()
	} else {
		p.srv = serve(ln, p, p.tlsConf)
	}
	return p, nil
}

// URL is the PMS's base URL, e.g. https://127.0.0.1:40123.
func (p *PMS) URL() string { return p.url }

// Name is the PMS's friendlyName.
func (p *PMS) Name() string { return p.name }

// MachineIdentifier is the identifier /identity answers.
func (p *PMS) MachineIdentifier() string { return p.machineID }

// Version is the PMS version /identity answers.
func (p *PMS) Version() string { return p.version }

// Behavior returns the current behaviour.
func (p *PMS) Behavior() PMSBehavior {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.behavior
}

// SetBehavior changes how the PMS answers from the next request on.
// Requests already waiting keep their behaviour, except that going Down
// ends them. Coming back up fails if the port was taken meanwhile; the
// PMS then stays down.
func (p *PMS) SetBehavior(b PMSBehavior) error {
	p.stateMu.Lock()
	defer p.stateMu.Unlock()
	if p.closed {
		return errClosed
	}
	switch {
	case b.Down && p.srv != nil:
		p.srv.stop()
		p.srv = nil
	case !b.Down && p.srv == nil:
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			b.Down = true
			p.setBehavior(b)
			return fmt.Errorf("plextvsim: PMS %q back up on %s: %w", p.name, p.addr, err)
		}
		p.srv = serve(ln, p, p.tlsConf)
	}
	p.setBehavior(b)
	return nil
}

func (p *PMS) setBehavior(b PMSBehavior) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.behavior = b
}

func (p *PMS) setAccessToken(tok string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.token = tok
}

// Close stops the PMS; waiting requests end and no goroutine is left.
func (p *PMS) Close() error {
	p.stateMu.Lock()
	defer p.stateMu.Unlock()
	p.closed = true
	if p.srv != nil {
		p.srv.stop()
		p.srv = nil
	}
	return nil
}

// Requests returns the requests the PMS received, oldest first, with
// tokens redacted (Request.HasToken tells whether one was sent).
func (p *PMS) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Request, len(p.log))
	for i, r := range p.log {
		out[i] = *r
	}
	return out
}

// identityJSON is a PMS MediaContainer; fields of / only are omitempty.
type identityJSON struct {
	Size              int    `json:"size"`
	Claimed           bool   `json:"claimed"`
	FriendlyName      string `json:"friendlyName,omitempty"`
	MachineIdentifier string `json:"machineIdentifier"`
	MyPlex            bool   `json:"myPlex,omitempty"`
	Version           string `json:"version"`
}

// ServeHTTP answers one request as the PMS, with its current behaviour.
func (p *PMS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	entry := newRequest(r, time.Now())
	p.mu.Lock()
	p.log = append(p.log, entry)
	b, token := p.behavior, p.token
	p.mu.Unlock()
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		p.mu.Lock()
		entry.Status = sw.status
		p.mu.Unlock()
	}()

	if b.Delay > 0 {
		sleep(r.Context(), b.Delay)
	}
	if b.Hang {
		hang(r.Context())
	}
	mc := identityJSON{Claimed: true, MachineIdentifier: p.machineID, Version: p.version}
	switch r.URL.Path {
	case "/identity":
		if b.WrongMachine {
			sum := sha1.Sum([]byte("wrong machine " + p.machineID))
			mc.MachineIdentifier = hex.EncodeToString(sum[:])
		}
	case "/":
		got := r.Header.Get("X-Plex-Token")
		if got == "" {
			got = r.URL.Query().Get("X-Plex-Token")
		}
		if (token == "" || got != token) && !p.acceptsProfileToken(got) {
			sw.Header().Set("Content-Type", "text/html")
			sw.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(sw, "<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>")
			return
		}
		mc.FriendlyName, mc.MyPlex = p.name, true
	default:
		http.NotFound(sw, r)
		return
	}
	if acceptsJSON(r.Header) {
		sw.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(sw).Encode(map[string]identityJSON{"MediaContainer": mc})
		return
	}
	sw.Header().Set("Content-Type", "text/xml;charset=utf-8")
	fmt.Fprintf(sw, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MediaContainer size=\"0\" claimed=\"1\"")
	if mc.FriendlyName != "" {
		fmt.Fprintf(sw, " friendlyName=\"%s\" myPlex=\"1\"", xmlEscape(mc.FriendlyName))
	}
	fmt.Fprintf(sw, " machineIdentifier=\"%s\" version=\"%s\">\n</MediaContainer>\n", xmlEscape(mc.MachineIdentifier), xmlEscape(mc.Version))
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
