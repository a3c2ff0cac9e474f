package plextv

import (
	"net/url"
	"strings"
)

// DefaultAppURL is Plex's web app, whose /auth page signs a strong PIN in
// with one click for a person already signed into plex.tv in the browser.
const DefaultAppURL = "https://app.plex.tv"

// AuthAppURL builds <app>/auth#?clientID=…&code=…&context%5Bdevice%5D%5Bproduct%5D=…
// for a strong PIN. No forwardUrl: the app polls the PIN.
func AuthAppURL(app, clientID, code, product string) string {
	q := "clientID=" + url.QueryEscape(clientID) +
		"&code=" + url.QueryEscape(code) +
		"&" + url.QueryEscape("context[device][product]") + "=" + strings.ReplaceAll(url.QueryEscape(product), "+", "%20")
	return strings.TrimRight(app, "/") + "/auth#?" + q
}
