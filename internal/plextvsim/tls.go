package plextvsim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"sync"
	"time"
)

// The simulator CA is made once per process. It signs one certificate for
// 127.0.0.1, ::1, localhost and *.<PlexDirectHash()>.plex.direct that every
// TLS PMS serves. Trust it with
// SSL_CERT_FILE=<file written by WriteCACert> or CACertPool.

type simCA struct {
	pem  []byte
	pool *x509.CertPool
	leaf tls.Certificate
}

var loadCA = sync.OnceValues(func() (*simCA, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "plextray simulator CA", Organization: []string{"plextvsim"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano() + 1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		DNSNames:     []string{"localhost", "*." + plexDirectHash() + ".plex.direct"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return &simCA{
		pem:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pool: pool,
		leaf: tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key},
	}, nil
})

// CACertPEM returns the simulator CA certificate in PEM form.
func CACertPEM() ([]byte, error) {
	ca, err := loadCA()
	if err != nil {
		return nil, err
	}
	return ca.pem, nil
}

// WriteCACert writes the CA certificate (PEM) to path, for SSL_CERT_FILE.
func WriteCACert(path string) error {
	pemBytes, err := CACertPEM()
	if err != nil {
		return err
	}
	return os.WriteFile(path, pemBytes, 0o644)
}

// CACertPool returns a pool holding only the simulator CA, for an
// http.Client's tls.Config.RootCAs.
func CACertPool() (*x509.CertPool, error) {
	ca, err := loadCA()
	if err != nil {
		return nil, err
	}
	return ca.pool, nil
}
