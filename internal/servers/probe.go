package servers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
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
	reason     Reason
	err        string // the network's words (see Connection.Err)
	found      string // the machineIdentifier that answered instead
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
		return outcome{state: Skipped, reason: SkipBadURI}
	}
	ps := &probeScope{ctx: ctx, check: check, address: address, route: rt}
	// Most probes of a large check fail at the TCP dial (refused, no
	// route, timeout). Dialling first, on this goroutine, settles those
	// without a request, net/http's connection machinery or a dial
	// goroutine; the request then runs over the socket already made.
	if addr, ok := p.dialFirstAddr(target); ok {
		conn, err := p.dialProbe(ps, addr)
		if err != nil {
			return p.classifyDial(parent, ctx, err)
		}
		ps.conn.Store(conn)
	}
	req, err := http.NewRequestWithContext(context.WithValue(ctx, probeKey{}, ps), http.MethodGet, target.String(), nil)
	if err != nil {
		return outcome{state: Skipped, reason: SkipBadURI}
	}
	req.Header = p.header.Clone()

	resp, err := p.client.Do(req)
	if err != nil {
		return p.classify(parent, ctx, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxIdentityBody+1))
	if err != nil {
		return p.classify(parent, ctx, err)
	}
	if resp.StatusCode/100 != 2 {
		return outcome{state: HTTPError, status: resp.StatusCode, reason: httpReason(resp.StatusCode)}
	}
	if len(body) > maxIdentityBody {
		return outcome{state: WrongServer, reason: ReasonTooLarge}
	}
	id, err := ParseIdentity(body)
	if err != nil {
		return outcome{state: WrongServer, reason: ReasonNotIdentity, err: clean(err.Error(), 160)}
	}
	if wantID != "" && !strings.EqualFold(id.MachineIdentifier, wantID) {
		return outcome{state: WrongServer, reason: ReasonOtherMachine, found: clean(id.MachineIdentifier, 64)}
	}
	if wantID == "" {
		return outcome{state: Reachable, reason: ReasonIdentityUnchecked}
	}
	return outcome{state: Reachable}
}

// httpReason: a non-2xx answer to /identity, which needs no sign-in.
func httpReason(code int) Reason {
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return ReasonLoginWall
	case code/100 == 3:
		return ReasonRedirect
	}
	return ReasonNone
}

// classify maps a failed request to one state. parent's end means the
// whole check was cancelled; ctx is the probe's own (timeout) context.
func (p *Prober) classify(parent, ctx context.Context, err error) outcome {
	var dnsErr *net.DNSError
	isDNS := errors.As(err, &dnsErr)
	switch {
	case errors.Is(context.Cause(parent), errCheckDeadline):
		return outcome{state: TimedOut, reason: ReasonCheckDeadline}
	case parent.Err() != nil:
		return outcome{state: Cancelled, reason: ReasonCancelled}
	case isDNS && !dnsErr.IsTimeout && ctx.Err() == nil:
		return outcome{state: DNSFailure, reason: ReasonNoSuchHost, err: clean(dnsErr.Err, 160)}
	case isTLS(err) && ctx.Err() == nil:
		return tlsOutcome(err)
	case ctx.Err() != nil || isTimeout(err):
		if isDNS {
			return outcome{state: TimedOut, reason: ReasonDNSTimeout}
		}
		return outcome{state: TimedOut, reason: ReasonProbeTimeout}
	case isRefused(err):
		return outcome{state: Refused}
	}
	return outcome{state: Unreachable, reason: ReasonNetwork, err: clean(unwrapURL(err).Error(), 160)}
}

// classifyDial is classify for the error of a probe's own dial, which is
// neither TLS nor HTTP: a refused connection (most of a large check's
// failures) is told without classify's tests of TLS error types and text.
// The outcome is classify's.
func (p *Prober) classifyDial(parent, ctx context.Context, err error) outcome {
	var dnsErr *net.DNSError
	if parent.Err() == nil && ctx.Err() == nil && isRefused(err) && !errors.As(err, &dnsErr) {
		return outcome{state: Refused}
	}
	return p.classify(parent, ctx, err)
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

func tlsOutcome(err error) outcome {
	var record tls.RecordHeaderError
	if errors.As(err, &record) || strings.Contains(err.Error(), errHTTPToHTTPS) {
		return outcome{state: TLSError, reason: ReasonNotTLS}
	}
	var hostname x509.HostnameError
	if errors.As(err, &hostname) {
		return outcome{state: TLSError, reason: ReasonWrongName, err: clean(hostname.Error(), 160)}
	}
	return outcome{state: TLSError, reason: ReasonBadCertificate, err: clean(unwrapURL(err).Error(), 160)}
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
