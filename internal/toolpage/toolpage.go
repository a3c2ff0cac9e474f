// Package toolpage serves the small local web page that makes a token for
// another program (Kometa, Tautulli, a docker-compose.yml): a tray menu
// cannot take a name, so "New token for a tool…" opens this page in the
// default browser.
//
// The page is a one-time page of package localpage (127.0.0.1 only, a
// secret address only a launch file leads to, Host and Origin checks).
// It asks for the tool's name, has the caller make the token (Make), and
// shows it exactly once, with Copy buttons and the lines to paste: the
// answer that shows it ends the page, so a reload says it was shown. The
// token is held in memory only until that answer and is never logged.
//
// It lives five minutes (an injected clock) while nobody has asked for a
// token, and ends when the token was shown or the caller's context ended.
package toolpage

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
	"github.com/plextray/plextray/internal/localpage"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/textsafe"
)

// DefaultTTL is how long the form waits for a name.
const DefaultTTL = 5 * time.Minute

// ErrExpired: nobody asked for a token before the page expired.
var ErrExpired = errors.New("the new-token page expired")

// Options configure Serve.
type Options struct {
	// Make makes the token for the tool called name (as typed; Make
	// checks it) and returns it. Its error is shown on the form, which
	// lets the person try again.
	Make func(ctx context.Context, name string) (plextv.Token, error)
	// Clock times the expiry; default the real clock.
	Clock clock.Clock
	// TTL is how long the form waits; default DefaultTTL.
	TTL time.Duration
	// Server serves the page; default localpage.Shared().
	Server *localpage.Server
}

// Result is how the page ended: Name is the tool whose token was shown
// (Err nil), else Err is ErrExpired or the context's cause.
type Result struct {
	Name string
	Err  error
}

// Serve starts the page and returns the file:// address of its launch
// file, to give a browser. done receives one Result once the page has
// ended, then closes.
func Serve(ctx context.Context, o Options) (launch string, done <-chan Result, err error) {
	if o.Make == nil {
		return "", nil, errors.New("toolpage: Options.Make is required")
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	srv := o.Server
	if srv == nil {
		if srv, err = localpage.Shared(); err != nil {
			return "", nil, fmt.Errorf("toolpage: %w", err)
		}
	}
	p := &page{ctx: ctx, o: o, ended: make(chan struct{})}
	if p.lp, err = srv.Add(p); err != nil {
		return "", nil, fmt.Errorf("toolpage: %w", err)
	}
	if launch, err = p.lp.LaunchFile(); err != nil {
		p.lp.End(nil)
		return "", nil, fmt.Errorf("toolpage: %w", err)
	}
	out := make(chan Result, 1)
	expired, stopTimer := o.Clock.After(o.TTL)
	go func() {
		defer stopTimer()
		select {
		case <-p.ended:
		case <-expired:
			p.mu.Lock()
			if p.state == open {
				p.end(ErrExpired) // a token being made or ready is shown still
			}
			p.mu.Unlock()
		case <-ctx.Done():
		}
		select {
		case <-p.ended:
		case <-ctx.Done():
			p.mu.Lock()
			p.tok = ""
			p.end(context.Cause(ctx))
			p.mu.Unlock()
		}
		out <- Result{p.name, p.err}
		close(out)
	}()
	return launch, out, nil
}

type state int

const (
	open   state = iota // the form
	making              // the token is being made
	ready               // made: the next answer shows it
	over                // ended; err says how
)

type page struct {
	ctx   context.Context
	o     Options
	lp    *localpage.Page
	ended chan struct{} // closed by end

	mu      sync.Mutex
	state   state
	typed   string       // the name as last typed, for the form
	name    string       // the tool being made
	problem string       // what the form says about the last try
	tok     plextv.Token // ready: the token, until shown
	err     error
}

func (p *page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		p.mu.Lock()
		defer p.mu.Unlock()
		p.show(w, r, http.StatusOK)
	case http.MethodPost:
		p.post(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

const footer = "This page is served by plextray on this computer; the token goes only to this page, once, and plextray keeps no copy."

// show answers with the page as it is now (p.mu held).
func (p *page) show(w http.ResponseWriter, r *http.Request, status int) {
	switch p.state {
	case making:
		localpage.Write(w, status, localpage.Doc{
			Title: "new token", Heading: "Making a token for " + p.name + "…", Refresh: 1, Footer: footer,
			Body: html(makingTmpl(), nil),
		})
	case ready:
		if r.Method == http.MethodHead {
			w.WriteHeader(status) // a HEAD never takes the one showing
			return
		}
		tok := p.tok.Reveal()
		p.tok = ""
		localpage.Write(w, status, localpage.Doc{
			Title: "new token", Heading: "A token for " + p.name, Tone: "ok", Copy: true, Footer: footer,
			Body: html(tokenTmpl(), map[string]string{"Name": p.name, "Token": tok}),
		})
		p.end(nil)
	case over:
		p.final(w)
	default:
		localpage.Write(w, status, localpage.Doc{
			Title: "new token", Heading: "A new token for a tool", Footer: footer,
			Body: html(formTmpl(), map[string]string{"Action": p.lp.Path(), "Problem": p.problem, "Name": p.typed}),
		})
	}
}

func (p *page) post(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<10)
	err := r.ParseForm()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != open {
		http.Redirect(w, r, p.lp.Path(), http.StatusSeeOther)
		return
	}
	if err != nil {
		p.problem = "That didn't arrive whole. Try again."
		p.show(w, r, http.StatusBadRequest)
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	p.typed = textsafe.Line(name, 60)
	if name == "" {
		p.problem = "Name the tool, e.g. Kometa."
		p.show(w, r, http.StatusUnprocessableEntity)
		return
	}
	p.state, p.name = making, textsafe.Line(name, 60)
	go p.make(name)
	// Post/Redirect/Get: a reload never makes a second token.
	http.Redirect(w, r, p.lp.Path(), http.StatusSeeOther)
}

// make has the token made and keeps it for the one answer that shows it.
func (p *page) make(name string) {
	tok, err := p.o.Make(p.ctx, name)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != making {
		return // ended meanwhile
	}
	if err != nil {
		p.state, p.problem = open, "Couldn't make the token: "+textsafe.Line(err.Error(), textsafe.Long)
		return
	}
	p.state, p.tok = ready, tok
}

// end ends the page with err (p.mu held).
func (p *page) end(err error) {
	if p.state == over {
		return
	}
	p.state, p.err = over, err
	p.lp.End(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.final(w) }))
	close(p.ended)
}

// final answers with how the page ended; never the token.
func (p *page) final(w http.ResponseWriter) {
	d := localpage.Doc{Title: "new token", Footer: "This page is served by plextray on this computer."}
	status := http.StatusGone
	switch {
	case p.err == nil:
		d.Heading = "The token for " + p.name + " was shown once"
		d.Body = html(shownTmpl(), p.name)
	case errors.Is(p.err, ErrExpired):
		d.Heading = "This page has expired"
		d.Body = html(expiredTmpl(), nil)
	default:
		d.Heading = "This page was closed"
		d.Body = html(closedTmpl(), nil)
	}
	localpage.Write(w, status, d)
}

func html(t *template.Template, data any) template.HTML {
	var b strings.Builder
	_ = t.Execute(&b, data)
	return template.HTML(b.String()) // escaped by html/template
}

// The page's templates are parsed on first use, not at package init:
// every command of the program links this package, few serve the page.
var (
	formTmpl = sync.OnceValue(func() *template.Template {
		return template.Must(template.New("form").Parse(`<p>plextray makes the tool a token of its own: plex.tv lists it under Authorized Devices as "<em>name</em> (via plextray)", plextray's next sign-in leaves it working, and revoking it (in plextray's menu, under Tokens for tools) stops only this tool.</p>
{{- if .Problem}}
<p class="problem" id="problem" role="alert">{{.Problem}}</p>
{{- end}}
<form method="post" action="{{.Action}}">
<label for="name">The tool's name</label>
<div class="row">
<input class="name" id="name" name="name" type="text" maxlength="40" placeholder="Kometa" value="{{.Name}}" autocomplete="off" required autofocus>
<button type="submit">Make token</button>
</div>
</form>`))
	})
	makingTmpl = sync.OnceValue(func() *template.Template {
		return template.Must(template.New("making").Parse(`<div class="progress" role="status"><div class="spinner"></div><p>Asking plex.tv; the page shows the token by itself.</p></div>`))
	})
	tokenTmpl = sync.OnceValue(func() *template.Template {
		return template.Must(template.New("token").Parse(`<p>This is the only time the token is shown: paste it into {{.Name}} now. plextray keeps no copy; if it is lost, revoke it and make another.</p>
<label>Token</label>
<pre id="token">{{.Token}}</pre>
<button class="copy" type="button" data-copy="token" hidden>Copy</button>
<label>For an .env file or a shell</label>
<pre id="env">PLEX_TOKEN={{.Token}}</pre>
<button class="copy" type="button" data-copy="env" hidden>Copy</button>
<label>For a docker-compose.yml (under the service's <code>environment:</code>)</label>
<pre id="compose">      - PLEX_TOKEN={{.Token}}</pre>
<button class="copy" type="button" data-copy="compose" hidden>Copy</button>`))
	})
	shownTmpl = sync.OnceValue(func() *template.Template {
		return template.Must(template.New("shown").Parse(`<p id="result">plextray shows a token only once and keeps no copy. If it was not saved, revoke {{.}}'s token in plextray's menu (Tokens for tools) and make another. You can close this tab.</p>`))
	})
	expiredTmpl = sync.OnceValue(func() *template.Template {
		return template.Must(template.New("expired").Parse(`<p id="result">No token was asked for in time. Choose "New token for a tool…" in plextray's menu again for a new page. You can close this tab.</p>`))
	})
	closedTmpl = sync.OnceValue(func() *template.Template {
		return template.Must(template.New("closed").Parse(`<p id="result">plextray closed this page (it signed out or quit). You can close this tab.</p>`))
	})
)
