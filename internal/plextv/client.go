// Package plextv is a small client for plex.tv's v2 API: PINs, the user,
// sign-out and resources. It has no UI imports; every call takes a context.
//
// Security rules kept here, in one place:
//   - the token travels only in the X-Plex-Token header, never in a URL;
//   - the base URL must be https, or plain http on a loopback address (tests);
//   - bodies are size-limited and decoded leniently.
package plextv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultBaseURL is plex.tv itself.
const DefaultBaseURL = "https://plex.tv"

// DefaultTimeout bounds one request to plex.tv.
const DefaultTimeout = 15 * time.Second

// Body size limits: no plex.tv answer we use comes near them; a larger
// answer is a fault, not data.
const (
	maxBody          = 1 << 20
	maxResourcesBody = 16 << 20
)

// Info is what the client says about itself in the X-Plex-* headers.
// Plex lists each ClientIdentifier as one "Authorized Device", so it must
// be stable per install.
type Info struct {
	Product          string
	Version          string
	Platform         string
	PlatformVersion  string
	Device           string
	DeviceName       string
	ClientIdentifier string
}

// Headers sets the X-Plex-* headers of info on h.
func (info Info) Headers(h http.Header) {
	set := func(k, v string) {
		if v != "" {
			h.Set(k, v)
		}
	}
	set("X-Plex-Product", info.Product)
	set("X-Plex-Version", info.Version)
	set("X-Plex-Platform", info.Platform)
	set("X-Plex-Platform-Version", info.PlatformVersion)
	set("X-Plex-Device", info.Device)
	set("X-Plex-Device-Name", info.DeviceName)
	set("X-Plex-Client-Identifier", info.ClientIdentifier)
}

// Client talks to plex.tv. The zero value is not usable; use New.
type Client struct {
	base *url.URL
	info Info
	http *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (its Timeout bounds each request).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.http = hc } }

// New returns a client for base (see ParseBaseURL).
func New(base string, info Info, opts ...Option) (*Client, error) {
	u, err := ParseBaseURL(base)
	if err != nil {
		return nil, err
	}
	if info.ClientIdentifier == "" {
		return nil, errors.New("plextv: a client identifier is required")
	}
	c := &Client{base: u, info: info, http: &http.Client{Timeout: DefaultTimeout}}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// ParseBaseURL accepts https URLs, and http URLs only on loopback hosts,
// so a token can never be sent in clear text over a network.
func ParseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil {
		return nil, fmt.Errorf("plex.tv URL %q: %w", s, err)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("plex.tv URL %q: no host", s)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("plex.tv URL %q: plain http is allowed only for loopback addresses", s)
		}
	default:
		return nil, fmt.Errorf("plex.tv URL %q: scheme must be https", s)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("plex.tv URL %q: must not carry credentials, query or fragment", s)
	}
	return u, nil
}

// IsLoopbackHost reports whether host is localhost or a loopback IP.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BaseURL returns the base URL the client uses.
func (c *Client) BaseURL() string { return c.base.String() }

// Info returns the identity the client sends.
func (c *Client) Info() Info { return c.info }

// LinkURL is the page where a person types a 4-character code,
// prefilled with it: <base>/link/?pin=CODE.
func (c *Client) LinkURL(code string) string {
	return LinkURL(c.base.String(), code)
}

// LinkURL builds the link page URL for base.
func LinkURL(base, code string) string {
	u := strings.TrimRight(base, "/") + "/link/"
	if code != "" {
		u += "?" + url.Values{"pin": {code}}.Encode()
	}
	return u
}

// CreatePIN asks for a new PIN: strong=false gives a 4-character code for
// plex.tv/link, strong=true a long code for the app sign-in page.
func (c *Client) CreatePIN(ctx context.Context, strong bool) (*PIN, error) {
	form := url.Values{"strong": {strconv.FormatBool(strong)}}
	var p PIN
	if err := c.do(ctx, "create PIN", http.MethodPost, "/api/v2/pins", "", form, &p, maxBody); err != nil {
		return nil, err
	}
	if p.ID == 0 || p.Code == "" {
		return nil, &DecodeError{Op: "create PIN", Err: errors.New("answer has no PIN id or code")}
	}
	return &p, nil
}

// CheckPIN reads a PIN. A linked PIN carries AuthToken. An expired or
// unknown PIN gives an error matching ErrPINExpired; a linked PIN whose
// token is not a token (see Token.Check) an error matching ErrBadToken,
// which waiting cannot fix.
func (c *Client) CheckPIN(ctx context.Context, id int64) (*PIN, error) {
	var p PIN
	if err := c.do(ctx, "check PIN", http.MethodGet, "/api/v2/pins/"+strconv.FormatInt(id, 10), "", nil, &p, maxBody); err != nil {
		return nil, err
	}
	if p.Linked() {
		if err := p.AuthToken.Check(); err != nil {
			return nil, fmt.Errorf("plex.tv check PIN: %w", err)
		}
	}
	return &p, nil
}

// User checks token and returns its account. 401 matches ErrTokenInvalid;
// anything else that fails says nothing about the token (see IsTransient).
func (c *Client) User(ctx context.Context, token Token) (*User, error) {
	if token.IsZero() {
		return nil, ErrTokenInvalid
	}
	var u User
	if err := c.do(ctx, "user", http.MethodGet, "/api/v2/user", token, nil, &u, maxBody); err != nil {
		return nil, err
	}
	return &u, nil
}

// SignOut invalidates token at plex.tv.
func (c *Client) SignOut(ctx context.Context, token Token) error {
	return c.do(ctx, "sign out", http.MethodDelete, "/api/v2/users/signout", token, nil, nil, maxBody)
}

// Resources lists the account's devices, servers and players, with HTTPS,
// relay and IPv6 connections. Use Servers to keep the servers.
func (c *Client) Resources(ctx context.Context, token Token) ([]Resource, error) {
	var rs []Resource
	path := "/api/v2/resources?includeHttps=1&includeRelay=1&includeIPv6=1"
	if err := c.do(ctx, "resources", http.MethodGet, path, token, nil, &rs, maxResourcesBody); err != nil {
		return nil, err
	}
	for i := range rs {
		if r := &rs[i]; !r.AccessToken.IsZero() && r.AccessToken.Check() != nil {
			r.AccessToken, r.AccessTokenErr = "", ErrBadToken
		}
	}
	return rs, nil
}

// do sends one request and decodes a 2xx JSON body into out (if non-nil).
func (c *Client) do(ctx context.Context, op, method, path string, token Token, form url.Values, out any, limit int64) error {
	data, err := c.send(ctx, op, method, path, "application/json", token, form, limit)
	if err != nil || out == nil {
		return err
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &DecodeError{Op: op, Err: err}
	}
	return nil
}

// send sends one request asking for accept and returns a 2xx answer's
// body, at most limit bytes.
func (c *Client) send(ctx context.Context, op, method, path, accept string, token Token, form url.Values, limit int64) ([]byte, error) {
	u := c.base.String() + path
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("plex.tv %s: %w", op, err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", accept)
	c.info.Headers(req.Header)
	if !token.IsZero() {
		req.Header.Set("X-Plex-Token", token.Reveal())
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &NetworkError{Op: op, Err: scrub(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, &NetworkError{Op: op, Err: fmt.Errorf("reading answer: %w", err)}
	}
	if int64(len(data)) > limit {
		if resp.StatusCode/100 == 2 {
			return nil, &DecodeError{Op: op, Err: fmt.Errorf("answer larger than %d bytes", limit)}
		}
		data = data[:limit]
	}
	if resp.StatusCode/100 != 2 {
		return nil, statusError(op, path, resp, data)
	}
	return data, nil
}

func statusError(op, path string, resp *http.Response, data []byte) error {
	e := &StatusError{Op: op, StatusCode: resp.StatusCode}
	var env struct {
		Errors []APIError `json:"errors"`
	}
	if json.Unmarshal(data, &env) == nil {
		e.API = env.Errors
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		e.kind = ErrTokenInvalid
	case resp.StatusCode == http.StatusNotFound && strings.HasPrefix(path, "/api/v2/pins/"):
		e.kind = ErrPINExpired
	case resp.StatusCode == http.StatusNotFound && strings.HasPrefix(path, "/devices/"):
		e.kind = ErrDeviceNotFound
	case resp.StatusCode == http.StatusTooManyRequests:
		e.kind = ErrRateLimited
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	case resp.StatusCode == http.StatusServiceUnavailable:
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return e
}

// parseRetryAfter reads seconds or an HTTP date; bad values give 0.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// scrub removes the URL from *url.Error (it never holds a token, since we
// never put one there, but the message is shorter and clearer without it).
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
