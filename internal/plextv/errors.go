package plextv

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrTokenInvalid: plex.tv answered 401: the token is wrong or revoked.
	ErrTokenInvalid = errors.New("plex.tv rejected the token (401)")
	// ErrPINExpired: plex.tv answered 404 for a PIN: it expired or never existed.
	ErrPINExpired = errors.New("the PIN expired or is unknown")
	// ErrRateLimited: plex.tv answered 429. The concrete error is *RateLimitError.
	ErrRateLimited = errors.New("plex.tv rate limit exceeded (429)")
	// ErrDeviceNotFound: plex.tv answered 404 for a device: it is gone
	// (already removed, or never this account's).
	ErrDeviceNotFound = errors.New("plex.tv has no such device (404)")
)

// APIError is one entry of plex.tv's error envelope
// {"errors":[{"code":1020,"message":"…","status":404}]}.
type APIError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  int    `json:"status"`
}

// StatusError is any answer with an unexpected HTTP status.
// It unwraps to ErrTokenInvalid (401), ErrPINExpired (404 on a PIN)
// or ErrRateLimited (429) where those apply.
type StatusError struct {
	Op         string // e.g. "create PIN"
	StatusCode int
	API        []APIError // decoded error envelope, if any
	RetryAfter time.Duration
	kind       error
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("plex.tv %s: HTTP %d", e.Op, e.StatusCode)
	if len(e.API) > 0 && e.API[0].Message != "" {
		msg += fmt.Sprintf(" (code %d: %s)", e.API[0].Code, e.API[0].Message)
	}
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(", retry after %s", e.RetryAfter)
	}
	return msg
}

func (e *StatusError) Unwrap() error { return e.kind }

// Temporary reports whether trying again later may succeed
// (429 and 5xx).
func (e *StatusError) Temporary() bool {
	return e.StatusCode == 429 || e.StatusCode >= 500
}

// NetworkError wraps a failure to get any answer from plex.tv: DNS, refused,
// timeout, TLS, or a body that could not be read or decoded.
type NetworkError struct {
	Op  string
	Err error
}

func (e *NetworkError) Error() string { return fmt.Sprintf("plex.tv %s: %v", e.Op, e.Err) }
func (e *NetworkError) Unwrap() error { return e.Err }

// DecodeError is a 2xx answer whose body is not what plex.tv sends
// (malformed, truncated, too large).
type DecodeError struct {
	Op  string
	Err error
}

func (e *DecodeError) Error() string { return fmt.Sprintf("plex.tv %s: bad response: %v", e.Op, e.Err) }
func (e *DecodeError) Unwrap() error { return e.Err }

// IsTransient reports whether err is worth retrying: network failures,
// 429, 5xx and malformed answers. A transient error never means the token
// is bad or the PIN is gone.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Temporary()
	}
	var ne *NetworkError
	var de *DecodeError
	return errors.As(err, &ne) || errors.As(err, &de)
}

// RetryAfter returns the wait plex.tv asked for with Retry-After, or 0.
func RetryAfter(err error) time.Duration {
	var se *StatusError
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}
