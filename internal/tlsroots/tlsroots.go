//go:build linux

package tlsroots

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"time"
)

// verifier verifies a server's chain: bundle (nil: none) first, then the
// system pool.
type verifier struct {
	bundle func() *x509.CertPool
	system func() (*x509.CertPool, error)
}

// verify is crypto/tls's verification of a server's certificates for
// name (x509.VerifyOptions as crypto/tls fills them), with the roots
// tried in two steps.
func (v verifier) verify(certs []*x509.Certificate, name string, now time.Time) error {
	if len(certs) == 0 {
		return errors.New("tls: server sent no certificate")
	}
	opts := x509.VerifyOptions{DNSName: name, CurrentTime: now, Intermediates: x509.NewCertPool()}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	if b := v.bundle(); b != nil {
		opts.Roots = b
		if _, err := certs[0].Verify(opts); err == nil {
			return nil
		}
	}
	roots, err := v.system()
	if err == nil {
		opts.Roots = roots
		_, err = certs[0].Verify(opts)
	}
	if err != nil {
		return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
	}
	return nil
}

// install sets t.DialTLSContext to dial with t.DialContext and verify
// with v. t.TLSClientConfig is read at each dial; its RootCAs must be nil
// (the caller checks).
func (v verifier) install(t *http.Transport) {
	t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		dial := t.DialContext
		if dial == nil {
			dial = (&net.Dialer{}).DialContext
		}
		raw, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		cfg := &tls.Config{}
		if t.TLSClientConfig != nil {
			cfg = t.TLSClientConfig.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = host // as http.Transport does
		}
		name, now, also := cfg.ServerName, cfg.Time, cfg.VerifyConnection
		// Verified below, as crypto/tls would, before the handshake
		// completes; nothing is skipped.
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			var at time.Time
			if now != nil {
				at = now()
			}
			if err := v.verify(cs.PeerCertificates, name, at); err != nil {
				return err
			}
			if also != nil {
				return also(cs)
			}
			return nil
		}
		tc := tls.Client(raw, cfg)
		hctx := ctx
		if d := t.TLSHandshakeTimeout; d > 0 {
			var cancel context.CancelFunc
			hctx, cancel = context.WithTimeout(ctx, d)
			defer cancel()
		}
		if err := tc.HandshakeContext(hctx); err != nil {
			raw.Close()
			return nil, err
		}
		return tc, nil
	}
}
