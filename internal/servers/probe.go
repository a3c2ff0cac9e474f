package servers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"unicode"
)

// outcome is how one probe ended; latency is filled in by the caller.
type outcome struct {
	state      State
	status     int
	detail     string
	dns        DNSStatus
	viaAddress bool
}

// probe sends GET <uri>/identity and classifies the result. parent is the
// check's context (its end means Cancelled); the probe gets its own
// timeout. No token is ever sent: /identity needs none.
func (p *Prober) probe(parent context.Context, check *sockets, uri, wantID, address string) outcome {
	rt := &route{}
	o := p.probeOnce(parent, check, rt, uri, wantID, address)
	o.dns, o.viaAddress = rt.get()
	if o.state != Reachable {
		o.viaAddress = false
	}
	return o
}

func (p *Prober) probeOnce(parent context.Context, check *sockets, rt *route, uri, wantID, address string) outcome {
	ctx, cancel := context.WithTimeout(parent, p.timeout)
	defer cancel()
	target, err := identityURL(uri)
	if err != nil {
		return outcome{state: Skipped, detail: SkipBadURI}
	}
	rctx := context.WithValue(ctx, probeKey{}, &probeScope{ctx: ctx, check: check, address: address, route: rt})
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, target, nil)
	if err != nil {
		return outcome{state: Skipped, detail: SkipBadURI}
	}
	req.Header.Set("Accept", "application/json")
	p.info.Headers(req.Header)

	resp, err := p.client.Do(req)
	if err != nil {
		return p.classify(parent, ctx, err, uri)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxIdentityBody+1))
	if err != nil {
		return p.classify(parent, ctx, err, uri)
	}
	if resp.StatusCode/100 != 2 {
		return outcome{state: HTTPError, status: resp.StatusCode, detail: httpDetail(resp.StatusCode)}
	}
	if len(body) > maxIdentityBody {
		return outcome{state: WrongServer, detail: fmt.Sprintf("answer larger than %d KiB: not a Plex identity", maxIdentityBody>>10)}
	}
	id, err := ParseIdentity(body)
	if err != nil {
		return outcome{state: WrongServer, detail: "answered, but " + clean(err.Error(), 160) + " (not a Plex Media Server?)"}
	}
	if wantID != "" && !strings.EqualFold(id.MachineIdentifier, wantID) {
		return outcome{state: WrongServer, detail: fmt.Sprintf("a different Plex server answered (machineIdentifier %s, expected %s)", clean(id.MachineIdentifier, 12), clean(wantID, 12))}
	}
	o := outcome{state: Reachable, detail: "Plex Media Server"}
	if id.Version != "" {
		o.detail += " " + clean(id.Version, 40)
	}
	if wantID == "" {
		o.detail += "; identity not checked (plex.tv gave no clientIdentifier)"
	}
	return o
}

func httpDetail(code int) string {
	msg := fmt.Sprintf("answered HTTP %d %s", code, http.StatusText(code))
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		msg += ": something is there, but /identity needs no sign-in on a Plex server, so this is likely a proxy or login wall; not counted as reachable"
	case code/100 == 3:
		msg += ": redirected (not followed)"
	}
	return msg
}

// classify maps a failed request to one state. parent's end means the
// whole check was cancelled; ctx is the probe's own (timeout) context.
func (p *Prober) classify(parent, ctx context.Context, err error, uri string) outcome {
	host := hostOf(uri)
	var dnsErr *net.DNSError
	isDNS := errors.As(err, &dnsErr)
	switch {
	case errors.Is(context.Cause(parent), errCheckDeadline):
		return outcome{state: TimedOut, detail: "no answer within the check's overall deadline"}
	case parent.Err() != nil:
		return outcome{state: Cancelled, detail: "check cancelled"}
	case isDNS && !dnsErr.IsTimeout && ctx.Err() == nil:
		return outcome{state: DNSFailure, detail: dnsDetail(host, dnsErr)}
	case isTLS(err) && ctx.Err() == nil:
		return outcome{state: TLSError, detail: tlsDetail(err)}
	case ctx.Err() != nil || isTimeout(err):
		d := fmt.Sprintf("no answer within %s", p.timeout)
		if isDNS {
			d = fmt.Sprintf("DNS lookup of %s timed out", host)
		}
		return outcome{state: TimedOut, detail: d}
	case isRefused(err):
		return outcome{state: Refused, detail: "connection refused: nothing listens at that address and port"}
	}
	return outcome{state: Unreachable, detail: unwrapURL(err).Error()}
}

func dnsDetail(host string, e *net.DNSError) string {
	if isPlexDirect(host) {
		return fmt.Sprintf("%s did not resolve (%s). This usually means the router's DNS-rebinding protection blocks plex.direct: allow plex.direct in the router's or DNS server's settings", host, e.Err)
	}
	return fmt.Sprintf("%s did not resolve (%s)", host, e.Err)
}

func isTLS(err error) bool {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		roots    x509.SystemRootsError
	)
	switch {
	case errors.As(err, &unknown), errors.As(err, &hostname), errors.As(err, &invalid),
		errors.As(err, &verify), errors.As(err, &record), errors.As(err, &alert), errors.As(err, &roots):
		return true
	}
	// Alerts sent by the server ("remote error: tls: …") have no exported
	// type, and net/http turns a RecordHeaderError into a plain error.
	msg := err.Error()
	return strings.Contains(msg, "tls: ") || strings.Contains(msg, errHTTPToHTTPS)
}

// errHTTPToHTTPS is net/http's text for a plain-http answer to a TLS hello.
const errHTTPToHTTPS = "server gave HTTP response to HTTPS client"

func tlsDetail(err error) string {
	var record tls.RecordHeaderError
	if errors.As(err, &record) || strings.Contains(err.Error(), errHTTPToHTTPS) {
		return "the server does not speak TLS on this port (try its http URI)"
	}
	var hostname x509.HostnameError
	if errors.As(err, &hostname) {
		return "certificate is for another name: " + hostname.Error() + " (Plex certificates cover *.plex.direct names, not raw IPs)"
	}
	return unwrapURL(err).Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

func isRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || isRefusedOS(err)
}

// unwrapURL drops *url.Error's "Get <url>:" prefix; the URI is shown
// beside the detail anyway.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// clean makes text from the network fit for a menu: printable runes
// only, at most n of them ("…" marks a cut).
func clean(s string, n int) string {
	var b strings.Builder
	i := 0
	for _, r := range s {
		if !unicode.IsPrint(r) {
			r = '?'
		}
		if i == n {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		i++
	}
	return b.String()
}
