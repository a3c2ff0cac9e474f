package plextvsim

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Endpoint names a plex.tv API endpoint for fault injection.
type Endpoint string

// The simulated endpoints. AllEndpoints matches every one of them.
const (
	AllEndpoints      Endpoint = ""
	EndpointCreatePIN Endpoint = "pins.create" // POST /api/v2/pins
	EndpointCheckPIN  Endpoint = "pins.check"  // GET /api/v2/pins/{id}
	EndpointLinkPIN   Endpoint = "pins.link"   // PUT /api/v2/pins/link
	EndpointUser      Endpoint = "user"        // GET /api/v2/user
	EndpointSignOut   Endpoint = "signout"     // DELETE /api/v2/users/signout
	EndpointResources Endpoint = "resources"   // GET /api/v2/resources
	EndpointHomeUsers Endpoint = "home.users"  // GET /api/v2/home/users
	EndpointSwitch    Endpoint = "home.switch" // POST /api/v2/home/users/{uuid}/switch
	EndpointPing      Endpoint = "ping"        // GET /api/v2/ping
	EndpointClaim     Endpoint = "claim"       // GET /api/claim/token.json
	EndpointDevices   Endpoint = "devices"     // GET /devices.xml
	// EndpointDeleteDevice is DELETE /devices/{id}.xml.
	EndpointDeleteDevice Endpoint = "devices.delete"
)

var endpoints = []Endpoint{AllEndpoints, EndpointCreatePIN, EndpointCheckPIN, EndpointLinkPIN, EndpointUser, EndpointSignOut, EndpointResources, EndpointHomeUsers, EndpointSwitch, EndpointPing, EndpointClaim, EndpointDevices, EndpointDeleteDevice}

// BodyFault is a broken answer body.
type BodyFault string

const (
	// BodyTruncated sends the first half of the real answer's body.
	BodyTruncated BodyFault = "truncated"
	// BodyHTML sends an HTML page, as a captive portal or proxy would.
	BodyHTML BodyFault = "html"
	// BodyOversized sends Size bytes (default 5 MiB) of valid-looking JSON.
	BodyOversized BodyFault = "oversized"
)

// Fault changes how an endpoint answers. Delay applies first; then Hang,
// or a Body fault, or a Status override; a Fault with only Delay set
// delays the real answer.
type Fault struct {
	Endpoint Endpoint // AllEndpoints for every endpoint
	// Count is how many matching requests the fault applies to before it
	// is removed; 0 keeps it until ClearFaults.
	Count int
	Delay time.Duration
	// Hang answers nothing until the client gives up or the Sim closes.
	Hang bool
	// Status overrides the answer: 429 gives plex.tv's code 1003 envelope
	// with Retry-After, 5xx an HTML gateway error page, other statuses the
	// JSON error envelope. With a Body fault it is the status sent with the
	// broken body (default: the real one for BodyTruncated, else 200).
	Status int
	// RetryAfter is the Retry-After value in seconds for 429 (default 1)
	// and 503 (none by default).
	RetryAfter int
	Body       BodyFault
	// Size is the body size for BodyOversized; default 5 MiB.
	Size int

	// NoRetryAfter sends a 429 without Retry-After, as plex.tv does when
	// profiles are switched quickly.
	NoRetryAfter bool
}

func (f Fault) validate() error {
	if !slices.Contains(endpoints, f.Endpoint) {
		return fmt.Errorf("plextvsim: unknown endpoint %q", f.Endpoint)
	}
	switch f.Body {
	case "", BodyTruncated, BodyHTML, BodyOversized:
	default:
		return fmt.Errorf("plextvsim: unknown body fault %q", f.Body)
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 599) {
		return fmt.Errorf("plextvsim: bad status %d", f.Status)
	}
	if f.Count < 0 || f.Delay < 0 || f.RetryAfter < 0 || f.Size < 0 {
		return fmt.Errorf("plextvsim: negative count, delay, retryAfter or size")
	}
	return nil
}

// AddFault adds a fault. When several match a request, the oldest applies.
func (s *Sim) AddFault(f Fault) error {
	if err := f.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
	return nil
}

// ClearFaults removes every fault.
func (s *Sim) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Faults lists the active faults; Count shows the uses left.
func (s *Sim) Faults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, len(s.faults))
	for i, f := range s.faults {
		out[i] = *f
	}
	return out
}

// takeFault returns the fault for one request to ep, using up one count.
func (s *Sim) takeFault(ep Endpoint) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Endpoint != AllEndpoints && f.Endpoint != ep {
			continue
		}
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
		}
		return *f, true
	}
	return Fault{}, false
}

// serveFault answers r according to f; real is the endpoint's handler.
func (s *Sim) serveFault(w http.ResponseWriter, r *http.Request, f Fault, real http.HandlerFunc) {
	if f.Delay > 0 {
		sleep(r.Context(), f.Delay)
	}
	if f.Hang {
		hang(r.Context())
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	switch f.Body {
	case BodyTruncated:
		rec := httptest.NewRecorder()
		real(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		if f.Status == 0 {
			status = rec.Code
		}
		body := rec.Body.Bytes()
		w.WriteHeader(status)
		_, _ = w.Write(body[:len(body)/2])
	case BodyHTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "<!DOCTYPE html>\n<html><head><title>Sign in to the network</title></head>\n<body><h1>Welcome to Guest Wi-Fi</h1><p>Please accept the terms to continue.</p></body></html>\n")
	case BodyOversized:
		size := f.Size
		if size == 0 {
			size = 5 << 20
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		writeOversized(w, size, strings.HasSuffix(r.URL.Path, "/resources"))
	default:
		if f.Status == 0 {
			real(w, r)
			return
		}
		writeStatus(w, r, f)
	}
}

// writeStatus answers a Status override.
func writeStatus(w http.ResponseWriter, r *http.Request, f Fault) {
	retry := f.RetryAfter
	if f.Status == http.StatusTooManyRequests && retry == 0 && !f.NoRetryAfter {
		retry = 1
	}
	if retry > 0 && (f.Status == http.StatusTooManyRequests || f.Status == http.StatusServiceUnavailable) {
		w.Header().Set("Retry-After", strconv.Itoa(retry))
	}
	switch {
	case f.Status == http.StatusTooManyRequests:
		writeError(w, r, f.Status, 1003, "API rate limit exceeded")
	case f.Status == http.StatusForbidden && isSwitch(r):
		writePINRequired(w, r)
	case f.Status == http.StatusUnauthorized:
		writeUnauthorized(w, r)
	case f.Status == http.StatusNotFound:
		writeError(w, r, f.Status, 1020, "Code not found or expired")
	case f.Status >= 500:
		text := fmt.Sprintf("%d %s", f.Status, http.StatusText(f.Status))
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", text, text)
	default:
		// plex.tv's docs give no code for these; the simulator uses the status.
		writeError(w, r, f.Status, f.Status, http.StatusText(f.Status))
	}
}

// writeOversized writes about size bytes of JSON: an array of player
// resources, or an object with a long padding string. It stops early if
// the client goes away.
func writeOversized(w io.Writer, size int, array bool) {
	if !array {
		head := `{"id":1,"code":"PADD","product":"simulator","authToken":null,"padding":"`
		if _, err := io.WriteString(w, head); err != nil {
			return
		}
		chunk := strings.Repeat("x", 32<<10)
		for n := len(head); n < size; n += len(chunk) {
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
		_, _ = io.WriteString(w, `"}`)
		return
	}
	if _, err := io.WriteString(w, "["); err != nil {
		return
	}
	for i, n := 0, 1; n < size; i++ {
		item := fmt.Sprintf(`{"name":"Filler Player %06d","product":"Plex for Android (TV)","productVersion":"10.0.0.1","platform":"Android","platformVersion":"12","device":"SHIELD Android TV","clientIdentifier":"filler%034d","provides":"client,player,pubsub-player","owned":true,"presence":true,"connections":[{"protocol":"http","address":"192.168.1.60","port":32500,"uri":"http://192.168.1.60:32500","local":true,"relay":false,"IPv6":false}]}`, i, i)
		if i > 0 {
			item = "," + item
		}
		if _, err := io.WriteString(w, item); err != nil {
			return
		}
		n += len(item)
	}
	_, _ = io.WriteString(w, "]")
}
