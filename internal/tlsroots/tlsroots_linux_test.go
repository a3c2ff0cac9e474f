//go:build linux

package tlsroots

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// dialVia dials srv's address whatever the name asked for, so a test can
// ask for names that no DNS knows.
func dialVia(srv *httptest.Server) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}
}

// get fetches url through a transport that dials srv; install sets up its
// verification.
func get(t *testing.T, srv *httptest.Server, url string, install func(*http.Transport)) error {
	t.Helper()
	tr := &http.Transport{DialContext: dialVia(srv), TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
	install(tr)
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(url)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// The two-step verification decides every case as crypto/tls does with
// the whole pool, with the same error; the whole pool is loaded only when
// the bundle alone does not verify.
func TestSameVerdictAsCryptoTLS(t *testing.T) {
	srv := quietServer()
	defer srv.Close()
	other := otherCA(t) // a root that did not sign srv's certificate
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	// httptest's certificate names example.com, 127.0.0.1 and ::1.
	byIP := "https://" + srv.Listener.Addr().String() + "/"
	byName := "https://example.com:" + itoa(port) + "/"
	wrongName := "https://plex.example:" + itoa(port) + "/"
	for _, tc := range []struct {
		name           string
		bundle, system *x509.CertPool // system ⊇ bundle, as on Linux
		url            string
		ok, loadsAll   bool
	}{
		{"in the bundle, by address", pool(srv.Certificate()), pool(srv.Certificate()), byIP, true, false},
		{"in the bundle, by name", pool(srv.Certificate()), pool(srv.Certificate()), byName, true, false},
		{"only in the directory", pool(other), pool(other, srv.Certificate()), byName, true, true},
		{"no bundle", nil, pool(srv.Certificate()), byIP, true, true},
		{"unknown authority", pool(other), pool(other), byIP, false, true},
		{"wrong name", pool(srv.Certificate()), pool(srv.Certificate()), wrongName, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loads := 0
			v := verifier{
				bundle: func() *x509.CertPool { return tc.bundle },
				system: func() (*x509.CertPool, error) { loads++; return tc.system, nil },
			}
			got := get(t, srv, tc.url, v.install)
			want := get(t, srv, tc.url, func(tr *http.Transport) { tr.TLSClientConfig.RootCAs = tc.system })
			if (got == nil) != tc.ok || (want == nil) != tc.ok {
				t.Fatalf("two steps: %v; crypto/tls: %v; want ok=%v", got, want, tc.ok)
			}
			if got != nil && got.Error() != want.Error() {
				t.Fatalf("error\n%v\nwant (crypto/tls)\n%v", got, want)
			}
			var verr *tls.CertificateVerificationError
			if got != nil && !errors.As(got, &verr) {
				t.Fatalf("error %T is not a *tls.CertificateVerificationError", got)
			}
			if (loads > 0) != tc.loadsAll {
				t.Fatalf("system pool loaded %d times, want loaded: %v", loads, tc.loadsAll)
			}
		})
	}
}

// quietServer is an httptest TLS server that does not log the handshakes
// the tests make fail.
func quietServer() *httptest.Server {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	return srv
}

// otherCA is a self-signed root of its own (httptest's servers all share
// one certificate).
func otherCA(t *testing.T) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "other root"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func itoa(n int) string { return (&net.TCPAddr{Port: n}).String()[1:] }

// The bundle is SSL_CERT_FILE when set, as for crypto/x509; Install
// leaves a transport with its own roots alone.
func TestBundleAndInstall(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	f := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", f)
	b := loadBundle()
	if b == nil || !b.Equal(pool(srv.Certificate())) {
		t.Fatal("bundle is not SSL_CERT_FILE's certificate")
	}
	t.Setenv("SSL_CERT_FILE", filepath.Join(t.TempDir(), "empty.pem"))
	os.WriteFile(os.Getenv("SSL_CERT_FILE"), []byte("no certificate"), 0o600)
	if loadBundle() != nil {
		t.Fatal("a bundle without certificates")
	}
	own := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool()}}
	Install(own)
	if own.DialTLSContext != nil {
		t.Fatal("Install replaced the verification of a transport with its own roots")
	}
	tr := &http.Transport{}
	Install(tr)
	if tr.DialTLSContext == nil {
		t.Fatal("Install did nothing")
	}
}
