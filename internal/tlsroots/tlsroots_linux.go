//go:build linux

package tlsroots

import (
	"crypto/x509"
	"net/http"
	"os"
	"sync"
)

// bundleFiles are crypto/x509's CA bundle paths on Linux, in its order
// (the first that can be read is the bundle).
var bundleFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",                // Debian/Ubuntu/Gentoo etc.
	"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora/RHEL 6
	"/etc/ssl/ca-bundle.pem",                            // OpenSUSE
	"/etc/pki/tls/cacert.pem",                           // OpenELEC
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS/RHEL 7
	"/etc/ssl/cert.pem",                                 // Alpine Linux
}

// loadBundle reads the bundle file crypto/x509 reads first (SSL_CERT_FILE
// when set); nil when there is none or it holds no certificate.
func loadBundle() *x509.CertPool {
	files := bundleFiles
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		p := x509.NewCertPool()
		if !p.AppendCertsFromPEM(data) {
			return nil
		}
		return p
	}
	return nil
}

var system = verifier{bundle: sync.OnceValue(loadBundle), system: sync.OnceValues(x509.SystemCertPool)}

// Install makes t verify servers with the system roots in two steps (see
// the package doc). It does nothing when t.TLSClientConfig names its own
// RootCAs. It sets t.DialTLSContext, which dials with t.DialContext; set
// those fields (and TLSClientConfig, TLSHandshakeTimeout) before using t,
// and install again on a clone.
func Install(t *http.Transport) {
	if t.TLSClientConfig != nil && t.TLSClientConfig.RootCAs != nil {
		return
	}
	system.install(t)
}
