// Package pinpage serves the small local web page that asks for a Plex Home
// profile's 4-digit PIN. A tray menu cannot take text, so for a protected
// profile the tray opens this page in the default browser.
//
// The page is a one-time page of package localpage: 127.0.0.1 only, a
// secret address that only a launch file readable by the user leads to
// (the browser's command line shows the file, never the address), Host
// and Origin checks. On top of that:
//
//   - it sends plex.tv at most MaxTries PINs (default 5); after the last
//     refused one it closes and says so;
//   - it answers at once: a PIN is checked in the background while the
//     page shows progress (and says so when plex.tv asks to slow down),
//     then the outcome;
//   - it lives two minutes (an injected clock), and ends when a PIN was
//     accepted, it expired, it ran out of tries or the caller's context
//     ended. Its address then keeps answering with the outcome (the
//     success page, or "this page has expired") while the process runs.
//
// Package pinpage knows nothing about plex.tv beyond recognising
// plextv.ErrProfilePIN and plextv.ErrRateLimited in the caller's Submit
// error.
package pinpage

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/localpage"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/textsafe"
)

// DefaultTTL is how long the page lives.
const DefaultTTL = 2 * time.Minute

// DefaultMaxTries is how many PINs one page sends to plex.tv at most.
const DefaultMaxTries = 5

var (
	// ErrExpired: nobody entered an accepted PIN before the page expired.
	ErrExpired = errors.New("the PIN page expired")
	// ErrTooManyTries: plex.tv refused every PIN the page was allowed to
	// send; the page closed.
	ErrTooManyTries = errors.New("too many wrong PINs: the PIN page closed")
)

// Options configure Serve.
type Options struct {
	// Title is the profile's name, shown on the page. It is untrusted
	// text: it is cleaned with textsafe and escaped.
	Title string
	// Submit tries pin (always 4 digits) and returns nil once the switch
	// is done. An error matching plextv.ErrProfilePIN shows "Wrong PIN";
	// any other error shows what went wrong; both let the person try
	// again while tries are left. ctx is the one given to Serve, carrying
	// a home.Trace that shows plex.tv's requests to slow down on the page.
	Submit func(ctx context.Context, pin string) error
	// Clock times the expiry; default the real clock.
	Clock clock.Clock
	// TTL is the page's lifetime; default DefaultTTL.
	TTL time.Duration
	// MaxTries is how many PINs the page sends at most; default
	// DefaultMaxTries.
	MaxTries int
	// Server serves the page (and says where its launch file goes);
	// default localpage.Shared().
	Server *localpage.Server

	// checked, in tests, hears each time a PIN's check has ended.
	checked chan<- struct{}
}

// Result is how the page ended: Err is nil when a PIN was accepted,
// ErrExpired, ErrTooManyTries, or the context's cause when the caller
// cancelled. A PIN being checked when the page expires or is cancelled
// decides: accepted, the page ends with nil and says so.
type Result struct {
	Err error
}

// Serve starts the page and returns the file:// address of its launch
// file, to give a browser (it leads to the page; the page's own address
// appears nowhere else). done receives one Result once the page has
// ended, then closes.
func Serve(ctx context.Context, o Options) (launch string, done <-chan Result, err error) {
	if o.Submit == nil {
		return "", nil, errors.New("pinpage: Options.Submit is required")
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.MaxTries <= 0 {
		o.MaxTries = DefaultMaxTries
	}
	srv := o.Server
	if srv == nil {
		if srv, err = localpage.Shared(); err != nil {
			return "", nil, fmt.Errorf("pinpage: %w", err)
		}
	}
	p := &page{
		ctx:      ctx,
		o:        o,
		title:    textsafe.Line(o.Title, textsafe.Name),
		deadline: o.Clock.Now().Add(o.TTL),
		ended:    make(chan struct{}),
	}
	if p.title == "" {
		p.title = "this profile"
	}
	if p.lp, err = srv.Add(p); err != nil {
		return "", nil, fmt.Errorf("pinpage: %w", err)
	}
	if launch, err = p.lp.LaunchFile(); err != nil {
		p.lp.End(nil)
		return "", nil, fmt.Errorf("pinpage: %w", err)
	}
	out := make(chan Result, 1)
	expired, stopTimer := o.Clock.After(o.TTL)
	go func() {
		defer stopTimer()
		select {
		case <-p.ended:
		case <-expired:
			p.mu.Lock()
			if p.state == checking {
				p.expiring = true // the check in flight decides
			} else {
				p.end(ErrExpired)
			}
			p.mu.Unlock()
		case <-ctx.Done():
			p.mu.Lock()
			if p.state == checking {
				// The check in flight decides: the caller may cancel
				// because that very PIN switched (Submit's ctx is this
				// one, so a check still waiting on plex.tv ends too).
				p.cancelled = true
			} else {
				p.end(context.Cause(ctx))
			}
			p.mu.Unlock()
		}
		<-p.ended
		out <- Result{p.err}
		close(out)
	}()
	return launch, out, nil
}

type state int

const (
	open     state = iota // the form
	checking              // a PIN is with plex.tv
	over                  // ended; p.err says how
)

type page struct {
	ctx      context.Context
	o        Options
	lp       *localpage.Page
	title    string
	deadline time.Time
	ended    chan struct{} // closed by end

	mu        sync.Mutex
	state     state
	tries     int    // PINs sent to plex.tv
	problem   string // what the form says about the last try
	waiting   string // while checking: what plex.tv asked
	expiring  bool   // expired during a check
	cancelled bool   // ctx ended during a check
	err       error  // how it ended
}

// validPIN reports whether pin is a profile PIN: 4 ASCII digits.
func validPIN(pin string) bool {
	if len(pin) != 4 {
		return false
	}
	for i := 0; i < len(pin); i++ {
		if pin[i] < '0' || pin[i] > '9' {
			return false
		}
	}
	return true
}

func (p *page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		p.mu.Lock()
		defer p.mu.Unlock()
		p.show(w, http.StatusOK)
	case http.MethodPost:
		p.post(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// show answers with the page as it is now (p.mu held).
func (p *page) show(w http.ResponseWriter, status int) {
	switch p.state {
	case checking:
		p.write(w, status, localpage.Doc{
			Title:   p.title + "'s PIN",
			Heading: "Checking the PIN with plex.tv…",
			Body:    p.html(checkingTmpl(), map[string]string{"Waiting": p.waiting}),
			Refresh: 1,
		})
	case over:
		p.final(w)
	default:
		p.write(w, status, localpage.Doc{
			Title:   p.title + "'s PIN",
			Heading: "Enter " + p.title + "'s PIN",
			Body: p.html(formTmpl(), map[string]any{
				"Title": p.title, "Action": p.lp.Path(), "Problem": p.problem,
				"Left": p.o.MaxTries - p.tries, "Tried": p.tries > 0,
			}),
		})
	}
}

// write adds the page's small print to d.
func (p *page) write(w http.ResponseWriter, status int, d localpage.Doc) {
	d.Footer = "This page is served by plextray on this computer; your PIN goes only to plex.tv; it expires in " + p.left() + "."
	localpage.Write(w, status, d)
}

// left is the time until the page expires, in words.
func (p *page) left() string {
	d := p.deadline.Sub(p.o.Clock.Now())
	switch {
	case d >= 90*time.Second:
		return fmt.Sprintf("%d minutes", int((d+30*time.Second)/time.Minute))
	case d >= 60*time.Second:
		return "1 minute"
	case d > time.Second:
		return fmt.Sprintf("%d seconds", int(d/time.Second))
	}
	return "a moment"
}

func (p *page) post(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<10)
	if err := r.ParseForm(); err != nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.problem = "That didn't arrive whole. Try again."
		p.show(w, http.StatusBadRequest)
		return
	}
	pin := strings.TrimSpace(r.PostForm.Get("pin"))
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != open {
		// Checking already, or over: the page says which.
		http.Redirect(w, r, p.lp.Path(), http.StatusSeeOther)
		return
	}
	if !validPIN(pin) {
		p.problem = "A PIN is 4 digits."
		p.show(w, http.StatusUnprocessableEntity)
		return
	}
	p.state, p.waiting = checking, ""
	p.tries++
	go p.check(pin)
	// Post/Redirect/Get: the page answers now and shows the check's
	// progress; a reload never sends the PIN again.
	http.Redirect(w, r, p.lp.Path(), http.StatusSeeOther)
}

// check sends pin to plex.tv (through Submit) and records the outcome.
func (p *page) check(pin string) {
	ctx := home.WithTrace(p.ctx, &home.Trace{RateLimited: func(wait, asked time.Duration) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if asked > wait {
			p.waiting = fmt.Sprintf("plex.tv asks to wait %s (too many requests); plextray tries once more in %s.", roughly(asked), roughly(wait))
		} else {
			p.waiting = fmt.Sprintf("plex.tv asks to wait (too many requests); plextray tries again in %s.", roughly(wait))
		}
	}})
	err := p.o.Submit(ctx, pin)
	p.mu.Lock()
	defer func() {
		p.mu.Unlock()
		if p.o.checked != nil {
			p.o.checked <- struct{}{}
		}
	}()
	if p.state == over {
		return // cancelled meanwhile
	}
	if err == nil {
		p.end(nil)
		return
	}
	if p.cancelled {
		p.end(context.Cause(p.ctx))
		return
	}
	switch {
	case errors.Is(err, plextv.ErrProfilePIN):
		p.problem = "Wrong PIN."
	case errors.Is(err, plextv.ErrRateLimited):
		if ra := plextv.RetryAfter(err); ra > 0 {
			p.problem = "plex.tv is refusing requests for now (too many); try again in " + roughly(ra) + "."
		} else {
			p.problem = "plex.tv is refusing requests for now (too many); try again later."
		}
	default:
		p.problem = "Couldn't switch: " + textsafe.Line(err.Error(), textsafe.Long)
	}
	switch {
	case p.tries >= p.o.MaxTries:
		p.end(ErrTooManyTries)
	case p.expiring:
		p.end(ErrExpired)
	default:
		p.state = open
	}
}

// end ends the page with err (p.mu held): its address answers with the
// outcome from now on.
func (p *page) end(err error) {
	if p.state == over {
		return
	}
	p.state, p.err = over, err
	p.lp.End(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.final(w) }))
	close(p.ended)
}

// final answers with how the page ended.
func (p *page) final(w http.ResponseWriter) {
	d := localpage.Doc{Title: p.title, Footer: "This page is served by plextray on this computer."}
	status := http.StatusGone
	switch {
	case p.err == nil:
		status = http.StatusOK
		d.Heading, d.Tone = "Switched to "+p.title, "ok"
		d.Body = p.html(doneTmpl(), p.title)
	case errors.Is(p.err, ErrTooManyTries):
		d.Heading, d.Tone = "Too many wrong PINs", "problem"
		d.Body = p.html(triesTmpl(), map[string]any{"Title": p.title, "Tries": p.o.MaxTries})
	case errors.Is(p.err, ErrExpired):
		d.Heading = "This page has expired"
		d.Body = p.html(expiredTmpl(), p.title)
	default:
		d.Heading = "This page was closed"
		d.Body = p.html(closedTmpl(), p.title)
	}
	localpage.Write(w, status, d)
}

func (p *page) html(t *template.Template, data any) template.HTML {
	var b strings.Builder
	_ = t.Execute(&b, data)
	return template.HTML(b.String()) // escaped by html/template
}

// roughly: "3 seconds", "1 minute", "2 hours".
func roughly(d time.Duration) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d < time.Minute:
		return plural(max(1, int((d+time.Second-1)/time.Second)), "second")
	case d < time.Hour:
		return plural(int((d+time.Minute-1)/time.Minute), "minute")
	}
	return plural(int((d+time.Hour-1)/time.Hour), "hour")
}

// The page's templates are parsed on first use, not at package init:
// every command of the program links this package, few serve the page.
var (
	formTmpl = sync.OnceValue(func() *template.Template {
		return template.Must(template.New("form").Parse(`<p>plextray is switching to the Plex Home profile <strong>{{.Title}}</strong>, which has a PIN.</p>
{{- if .Problem}}
<p class="problem" id="problem" role="alert">{{.Problem}}{{if .Tried}} {{.Left}} {{if eq .Left 1}}try{{else}}tries{{end}} left.{{end}}</p>
{{- end}}
<form method="post" action="{{.Action}}">
<label for="pin">{{.Title}}'s 4-digit PIN</label>
<div class="row">
<input id="pin" name="pin" type="password" inputmode="numeric" pattern="[0-9]{4}" minlength="4" maxlength="4" autocomplete="off" required autofocus>
<button type="submit">Switch</button>
</div>
</form>`))
	})
	checkingTmpl = sync.OnceValue(func() *template.Template {
		return template.Must(template.New("checking").Parse(`<div class="progress" role="status"><div class="spinner"></div><p>This takes a moment; the page shows the outcome by itself.</p></div>
{{- if .Waiting}}
<p class="problem" id="waiting">{{.Waiting}}</p>
{{- end}}`))
	})
	doneTmpl = sync.OnceValue(func() *template.Template {
		return template.Must(template.New("done").Parse(`<p id="result">plextray now uses {{.}}'s token. You can close this tab.</p>`))
	})
	triesTmpl = sync.OnceValue(func() *template.Template {
		return template.Must(template.New("tries").Parse(`<p id="result">This page has sent plex.tv {{.Tries}} PINs for {{.Title}} that were not accepted, so it is closed and sends no more. Try again later: choose {{.Title}} in plextray's menu for a new page. You can close this tab.</p>`))
	})
	expiredTmpl = sync.OnceValue(func() *template.Template {
		return template.Must(template.New("expired").Parse(`<p id="result">No PIN was accepted in time. Choose {{.}} in plextray's menu again for a new page. You can close this tab.</p>`))
	})
	closedTmpl = sync.OnceValue(func() *template.Template {
		return template.Must(template.New("closed").Parse(`<p id="result">plextray no longer needs {{.}}'s PIN (another profile was chosen, or plextray signed out or quit). You can close this tab.</p>`))
	})
)
