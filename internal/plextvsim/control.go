package plextvsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// The control API under /_sim/ (JSON in and out; documented in doc.go).

func (s *Sim) controlRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /_sim/{$}", func(w http.ResponseWriter, r *http.Request) {
		writeCtl(w, http.StatusOK, controlIndex)
	})
	mux.HandleFunc("GET /_sim/accounts", func(w http.ResponseWriter, r *http.Request) {
		writeCtl(w, http.StatusOK, s.Accounts())
	})
	mux.HandleFunc("POST /_sim/accounts", func(w http.ResponseWriter, r *http.Request) {
		var a Account
		if !readCtl(w, r, &a) {
			return
		}
		a, err := s.AddAccount(a)
		if err != nil {
			ctlError(w, http.StatusBadRequest, err)
			return
		}
		writeCtl(w, http.StatusOK, a)
	})
	mux.HandleFunc("POST /_sim/tokens", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Username string }
		if !readCtl(w, r, &in) {
			return
		}
		tok, err := s.NewToken(in.Username)
		if err != nil {
			ctlError(w, http.StatusNotFound, err)
			return
		}
		writeCtl(w, http.StatusOK, map[string]string{"token": tok})
	})
	mux.HandleFunc("POST /_sim/revoke", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Token string }
		if !readCtl(w, r, &in) {
			return
		}
		if !s.RevokeToken(in.Token) {
			ctlError(w, http.StatusNotFound, errors.New("unknown token"))
			return
		}
		writeCtl(w, http.StatusOK, okBody)
	})
	mux.HandleFunc("GET /_sim/pins", func(w http.ResponseWriter, r *http.Request) {
		writeCtl(w, http.StatusOK, s.PINs())
	})
	mux.HandleFunc("GET /_sim/devices", func(w http.ResponseWriter, r *http.Request) {
		writeCtl(w, http.StatusOK, s.Devices(r.URL.Query().Get("username")))
	})
	mux.HandleFunc("POST /_sim/link", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Code, Username string }
		if !readCtl(w, r, &in) {
			return
		}
		tok, err := s.LinkPIN(in.Code, in.Username)
		if err != nil {
			ctlError(w, http.StatusNotFound, err)
			return
		}
		writeCtl(w, http.StatusOK, map[string]string{"authToken": tok})
	})
	mux.HandleFunc("POST /_sim/expire", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Code string }
		if !readCtl(w, r, &in) {
			return
		}
		if err := s.ExpirePIN(in.Code); err != nil {
			ctlError(w, http.StatusNotFound, err)
			return
		}
		writeCtl(w, http.StatusOK, okBody)
	})
	mux.HandleFunc("PUT /_sim/ratelimit", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ PINPollsPerSecond int }
		if !readCtl(w, r, &in) {
			return
		}
		s.SetPINPollLimit(in.PINPollsPerSecond)
		writeCtl(w, http.StatusOK, okBody)
	})
	mux.HandleFunc("GET /_sim/resources", func(w http.ResponseWriter, r *http.Request) {
		writeCtl(w, http.StatusOK, s.Resources())
	})
	mux.HandleFunc("PUT /_sim/resources", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
		if err == nil {
			err = s.SetResourcesJSON(body)
		}
		if err != nil {
			ctlError(w, http.StatusBadRequest, err)
			return
		}
		writeCtl(w, http.StatusOK, okBody)
	})
	mux.HandleFunc("GET /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		var out []faultJSON
		for _, f := range s.Faults() {
			out = append(out, toFaultJSON(f))
		}
		writeCtl(w, http.StatusOK, out)
	})
	mux.HandleFunc("POST /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		var in faultJSON
		if !readCtl(w, r, &in) {
			return
		}
		f, err := in.fault()
		if err == nil {
			err = s.AddFault(f)
		}
		if err != nil {
			ctlError(w, http.StatusBadRequest, err)
			return
		}
		writeCtl(w, http.StatusOK, okBody)
	})
	mux.HandleFunc("DELETE /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearFaults()
		writeCtl(w, http.StatusOK, okBody)
	})
	mux.HandleFunc("GET /_sim/requests", func(w http.ResponseWriter, r *http.Request) {
		writeCtl(w, http.StatusOK, s.Requests())
	})
	mux.HandleFunc("DELETE /_sim/requests", func(w http.ResponseWriter, r *http.Request) {
		s.ClearLog()
		writeCtl(w, http.StatusOK, okBody)
	})
	mux.HandleFunc("GET /_sim/violations", func(w http.ResponseWriter, r *http.Request) {
		writeCtl(w, http.StatusOK, s.Violations())
	})
	mux.HandleFunc("GET /_sim/clients", func(w http.ResponseWriter, r *http.Request) {
		writeCtl(w, http.StatusOK, s.ClientIdentifiers())
	})
	mux.HandleFunc("GET /_sim/pms", func(w http.ResponseWriter, r *http.Request) {
		var out []pmsJSON
		for _, p := range s.PMSs() {
			out = append(out, pmsJSON{Name: p.Name(), MachineIdentifier: p.MachineIdentifier(), URL: p.URL(), Behavior: toBehaviorJSON(p.Behavior())})
		}
		writeCtl(w, http.StatusOK, out)
	})
	mux.HandleFunc("PUT /_sim/pms", func(w http.ResponseWriter, r *http.Request) {
		var in pmsJSON
		if !readCtl(w, r, &in) {
			return
		}
		b, err := in.Behavior.behavior()
		if err != nil {
			ctlError(w, http.StatusBadRequest, err)
			return
		}
		p := s.FindPMS(in.Name)
		if p == nil {
			ctlError(w, http.StatusNotFound, fmt.Errorf("%w %q", ErrUnknownPMS, in.Name))
			return
		}
		if err := p.SetBehavior(b); err != nil {
			ctlError(w, http.StatusConflict, err)
			return
		}
		writeCtl(w, http.StatusOK, okBody)
	})
	s.networkRoutes(mux)
	mux.HandleFunc("/_sim/", func(w http.ResponseWriter, r *http.Request) {
		ctlError(w, http.StatusNotFound, errors.New("no such control endpoint; GET /_sim/ lists them"))
	})
}

var okBody = map[string]bool{"ok": true}

var controlIndex = []string{
	"GET /_sim/accounts", "POST /_sim/accounts {username,…}", "POST /_sim/tokens {username}",
	"POST /_sim/revoke {token}", "GET /_sim/pins", "GET /_sim/devices[?username=]", "POST /_sim/link {code,username}",
	"POST /_sim/expire {code}", "PUT /_sim/ratelimit {pinPollsPerSecond}",
	"GET /_sim/resources", "PUT /_sim/resources <JSON array, served verbatim>",
	"GET /_sim/faults", "POST /_sim/faults {endpoint,count,delay,hang,status,retryAfter,body,size}", "DELETE /_sim/faults",
	"GET /_sim/requests", "DELETE /_sim/requests", "GET /_sim/violations", "GET /_sim/clients",
	"GET /_sim/pms", "PUT /_sim/pms {name,behavior:{delay,hang,down,wrongMachine}}",
	"GET /_sim/home", "POST /_sim/home {admin,adminPin,profiles:[{title,pin,uuid}]}", "POST /_sim/home/token {uuid}",
	"PUT /_sim/connection {server,index,down,local}", "PUT /_sim/server {server,publicAddressMatches,presence,lastSeenAt}",
}

// faultJSON is Fault on the wire, with Delay as a Go duration string.
type faultJSON struct {
	Endpoint   Endpoint  `json:"endpoint"`
	Count      int       `json:"count,omitempty"`
	Delay      string    `json:"delay,omitempty"`
	Hang       bool      `json:"hang,omitempty"`
	Status     int       `json:"status,omitempty"`
	RetryAfter int       `json:"retryAfter,omitempty"`
	Body       BodyFault `json:"body,omitempty"`
	Size       int       `json:"size,omitempty"`

	NoRetryAfter bool `json:"noRetryAfter,omitempty"` // a 429 without Retry-After
}

func toFaultJSON(f Fault) faultJSON {
	return faultJSON{Endpoint: f.Endpoint, Count: f.Count, Delay: durationString(f.Delay), Hang: f.Hang,
		Status: f.Status, RetryAfter: f.RetryAfter, NoRetryAfter: f.NoRetryAfter, Body: f.Body, Size: f.Size}
}

func (j faultJSON) fault() (Fault, error) {
	d, err := parseDuration(j.Delay)
	return Fault{Endpoint: j.Endpoint, Count: j.Count, Delay: d, Hang: j.Hang,
		Status: j.Status, RetryAfter: j.RetryAfter, NoRetryAfter: j.NoRetryAfter, Body: j.Body, Size: j.Size}, err
}

type behaviorJSON struct {
	Delay        string `json:"delay,omitempty"`
	Hang         bool   `json:"hang"`
	Down         bool   `json:"down"`
	WrongMachine bool   `json:"wrongMachine"`
}

func toBehaviorJSON(b PMSBehavior) behaviorJSON {
	return behaviorJSON{Delay: durationString(b.Delay), Hang: b.Hang, Down: b.Down, WrongMachine: b.WrongMachine}
}

func (j behaviorJSON) behavior() (PMSBehavior, error) {
	d, err := parseDuration(j.Delay)
	return PMSBehavior{Delay: d, Hang: j.Hang, Down: j.Down, WrongMachine: j.WrongMachine}, err
}

type pmsJSON struct {
	Name              string       `json:"name"`
	MachineIdentifier string       `json:"machineIdentifier,omitempty"`
	URL               string       `json:"url,omitempty"`
	Behavior          behaviorJSON `json:"behavior"`
}

func durationString(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

func parseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad duration %q (want e.g. \"250ms\")", s)
	}
	return d, nil
}

func readCtl(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		ctlError(w, http.StatusBadRequest, fmt.Errorf("bad JSON body: %w", err))
		return false
	}
	return true
}

func writeCtl(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func ctlError(w http.ResponseWriter, status int, err error) {
	writeCtl(w, status, map[string]string{"error": err.Error()})
}

// StartPMS starts a fake PMS that the Sim closes on Close and that the
// control API can change by name (PUT /_sim/pms).
func (s *Sim) StartPMS(opts PMSOptions) (*PMS, error) {
	p, err := StartPMS(opts)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pmss = append(s.pmss, p)
	return p, nil
}

// PMSs lists the PMSs started with Sim.StartPMS.
func (s *Sim) PMSs() []*PMS {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*PMS(nil), s.pmss...)
}

// FindPMS returns the PMS started with Sim.StartPMS named name, or nil.
func (s *Sim) FindPMS(name string) *PMS {
	for _, p := range s.PMSs() {
		if p.Name() == name {
			return p
		}
	}
	return nil
}
