// Package tlsroots makes an http.Transport verify servers against the
// system's root certificates exactly as crypto/tls does, while reading
// fewer of them at start.
//
// On Linux the standard library loads the system roots from the CA
// bundle file (SSL_CERT_FILE, else the first of the usual bundle paths)
// and then every file of the certificate directories (SSL_CERT_DIR, else
// /etc/ssl/certs and /etc/pki/tls/certs): about 300 files on Debian, half
// of a short command's run. Install verifies against the bundle file
// alone first and, only when that fails, against the whole system pool
// (x509.SystemCertPool, loaded then). The bundle's roots are a subset of
// the system pool's, so a chain that verifies with them verifies with the
// whole pool, and one that does not is judged by the whole pool: the
// outcome, and the error, are those of the standard verification.
//
// Elsewhere (Windows and macOS verify through the OS) Install changes
// nothing.
package tlsroots
