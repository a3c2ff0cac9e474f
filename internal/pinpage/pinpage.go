// Package pinpage serves the small local web page that asks for a Plex Home
// profile's 4-digit PIN. A tray menu cannot take text, so for a protected
// profile the tray opens this page in the default browser.
//
// The page is served on 127.0.0.1 only (a random port), under a one-time
// random path (256 bits from crypto/rand) that is the only way in. It
// accepts one successful submission; a wrong PIN says so and lets the
// person try again. Requests whose Host is not 127.0.0.1:port (DNS
// rebinding) or whose Origin is another site (CSRF) are refused. The page
// expires after two minutes (an injected clock), and the server stops when
// the PIN was accepted, the page expired, or the caller's context ended.
//
// Package pinpage knows nothing about plex.tv beyond recognising
// plextv.ErrProfilePIN in the caller's Submit error.
package pinpage

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/textsafe"
)

// DefaultTTL is how long the page lives.
const DefaultTTL = 2 * time.Minute

// ErrExpired: nobody entered an accepted PIN before the page expired.
var ErrExpired = errors.New("the PIN page expired")

// Options configure Serve.
type Options struct {
	// Title is the profile's name, shown on the page. It is untrusted
	// text: it is cleaned with textsafe and escaped.
	Title string
	// Submit tries pin (always 4 digits) and returns nil once the switch
	// is done. An error matching plextv.ErrProfilePIN shows "Wrong PIN";
	// any other error shows its message; both let the person try again.
	// ctx is the one given to Serve.
	Submit func(ctx context.Context, pin string) error
	// Clock times the expiry; default the real clock.
	Clock clock.Clock
	// TTL is the page's lifetime; default DefaultTTL.
	TTL time.Duration
}

// Result is how the page ended: Err is nil when a PIN was accepted,
// ErrExpired when it expired, or the context's cause when the caller
// cancelled.
type Result struct {
	Err error
}

// Serve starts the page and returns its URL, to open in a browser. done
// receives one Result once the server has stopped (nothing listens on
// the port any more), then closes.
func Serve(ctx context.Context, o Options) (url string, done <-chan Result, err error) {
	if o.Submit == nil {
		return "", nil, errors.New("pinpage: Options.Submit is required")
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return "", nil, fmt.Errorf("pinpage: making the page's secret: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("pinpage: listening on 127.0.0.1: %w", err)
	}
	p := &page{
		ctx:       ctx,
		submit:    o.Submit,
		title:     textsafe.Line(o.Title, textsafe.Name),
		host:      ln.Addr().String(),
		path:      "/" + base64.RawURLEncoding.EncodeToString(secret),
		succeeded: make(chan struct{}),
	}
	if p.title == "" {
		p.title = "this profile"
	}
	srv := &http.Server{
		Handler:           p,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	serveDone := make(chan struct{})
	go func() {
		defer close(serveDone)
		_ = srv.Serve(ln)
	}()
	out := make(chan Result, 1)
	expired, stopTimer := o.Clock.After(o.TTL)
	go func() {
		defer stopTimer()
		var res Result
		select {
		case <-p.succeeded:
		case <-expired:
			res.Err = ErrExpired
		case <-ctx.Done():
			res.Err = context.Cause(ctx)
		}
		// Wait for a submission in flight; a PIN accepted at the last
		// moment still counts. Afterwards the page answers "closed".
		p.mu.Lock()
		if p.state == stateDone {
			res.Err = nil
		}
		p.state = stateClosed
		p.mu.Unlock()
		// Let the last answer (the success page) reach the browser, then
		// stop. Shutdown returns once every connection is idle and closed.
		shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = srv.Shutdown(shutCtx)
		cancel()
		_ = srv.Close()
		<-serveDone
		out <- res
		close(out)
	}()
	return "http://" + p.host + p.path, out, nil
}

const (
	stateOpen = iota
	stateDone
	stateClosed
)

type page struct {
	ctx       context.Context
	submit    func(context.Context, string) error
	title     string
	host      string // 127.0.0.1:port
	path      string // "/" + secret
	succeeded chan struct{}

	mu    sync.Mutex // held while a PIN is being tried
	state int
}

var pinRE = regexp.MustCompile(`^[0-9]{4}$`)

func (p *page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	// DNS rebinding: a foreign name that resolves to 127.0.0.1 carries its
	// own Host.
	if r.Host != p.host {
		http.Error(w, "wrong host", http.StatusMisdirectedRequest)
		return
	}
	if r.URL.Path != p.path || r.URL.RawQuery != "" {
		http.NotFound(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		p.mu.Lock()
		state := p.state
		p.mu.Unlock()
		if state != stateOpen {
			p.render(w, http.StatusGone, view{Closed: true})
			return
		}
		p.render(w, http.StatusOK, view{Form: true})
	case http.MethodPost:
		if !p.sameOrigin(r) {
			http.Error(w, "cross-site request refused", http.StatusForbidden)
			return
		}
		p.post(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// sameOrigin accepts a POST only from the page itself. Browsers send
// Origin (and Sec-Fetch-Site) with every form POST; a client without them
// is not a browser that another site could drive.
func (p *page) sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "http://"+p.host {
		return false
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin":
		return true
	}
	return false
}

func (p *page) post(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<10)
	if err := r.ParseForm(); err != nil {
		p.render(w, http.StatusBadRequest, view{Form: true, Problem: "That didn't arrive whole. Try again."})
		return
	}
	pin := strings.TrimSpace(r.PostForm.Get("pin"))
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != stateOpen {
		p.render(w, http.StatusGone, view{Closed: true})
		return
	}
	if !pinRE.MatchString(pin) {
		p.render(w, http.StatusUnprocessableEntity, view{Form: true, Problem: "A PIN is 4 digits."})
		return
	}
	if err := p.submit(p.ctx, pin); err != nil {
		if errors.Is(err, plextv.ErrProfilePIN) {
			p.render(w, http.StatusForbidden, view{Form: true, Problem: "Wrong PIN. Try again."})
			return
		}
		p.render(w, http.StatusBadGateway, view{Form: true, Problem: "Couldn't switch: " + textsafe.Line(err.Error(), textsafe.Long)})
		return
	}
	p.state = stateDone
	close(p.succeeded)
	p.render(w, http.StatusOK, view{Done: true})
}

type view struct {
	Title, Action, Problem string
	Form, Done, Closed     bool
}

func (p *page) render(w http.ResponseWriter, status int, v view) {
	v.Title, v.Action = p.title, p.path
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, v)
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>plextray · {{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 26em; margin: 4em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.3em; }
input { font-size: 1.6em; width: 4.5em; letter-spacing: .3em; padding: .2em; }
button { font-size: 1.1em; padding: .4em 1.2em; margin-left: .5em; }
.problem { color: #b00020; }
</style>
</head>
<body>
{{- if .Done}}
<h1 id="result">Switched to {{.Title}} — you can close this tab</h1>
{{- else if .Closed}}
<h1 id="result">This page has expired — you can close this tab</h1>
<p>Choose the profile in plextray's menu again to get a new one.</p>
{{- else}}
<h1>Switch to {{.Title}}</h1>
<p>plextray needs this profile's 4-digit PIN.</p>
{{- if .Problem}}
<p class="problem" id="problem" role="alert">{{.Problem}}</p>
{{- end}}
<form method="post" action="{{.Action}}">
<input name="pin" type="password" inputmode="numeric" pattern="[0-9]{4}" minlength="4" maxlength="4" autocomplete="off" required autofocus aria-label="PIN">
<button type="submit">Switch</button>
</form>
{{- end}}
</body>
</html>
`))
