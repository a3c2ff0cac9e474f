// Package app wires the pieces together from the environment: the install's
// identity, the plex.tv client, the keychain. The tray and the command line
// both start here, so they share one client identifier and one token.
package app

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"

	"github.com/plextray/plextray/internal/config"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
)

// Env is everything a front end needs.
type Env struct {
	Version   string
	ConfigDir string
	Info      plextv.Info
	PlexTV    *plextv.Client
	Keychain  keychain.Store
	AppURL    string // base of the one-click sign-in page
}

// Setup reads the environment (PLEXTRAY_PLEXTV_URL, PLEXTRAY_APP_URL,
// XDG_CONFIG_HOME, SSL_CERT_FILE via Go's system roots) and makes sure the
// install has its client identifier.
func Setup(version string) (*Env, error) {
	dir, err := config.Dir(os.Getenv)
	if err != nil {
		return nil, err
	}
	id, _, err := config.ClientID(dir)
	if err != nil {
		return nil, err
	}
	info := Identity(version, id)
	client, err := plextv.New(plextv.BaseURLFromEnv(), info, plextv.WithHTTPClient(&http.Client{
		Timeout: plextv.DefaultTimeout,
		// Never follow a redirect to another scheme or host with our
		// headers: Go drops X-Plex-Token on cross-host redirects only for
		// well-known auth headers, so refuse redirects altogether.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", plextv.EnvBaseURL, err)
	}
	appURL := plextv.AppURLFromEnv()
	if _, err := plextv.ParseBaseURL(appURL); err != nil {
		return nil, fmt.Errorf("%s: %w", plextv.EnvAppURL, err)
	}
	return &Env{
		Version:   version,
		ConfigDir: dir,
		Info:      info,
		PlexTV:    client,
		Keychain:  keychain.OS{SessionBus: os.Getenv("DBUS_SESSION_BUS_ADDRESS")},
		AppURL:    appURL,
	}, nil
}

// Identity is what plextray says about itself in X-Plex-* headers.
func Identity(version, clientID string) plextv.Info {
	host, _ := os.Hostname()
	platform := map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}[runtime.GOOS]
	if platform == "" {
		platform = runtime.GOOS
	}
	return plextv.Info{
		Product:          "plextray",
		Version:          version,
		Platform:         platform,
		PlatformVersion:  osVersion(),
		Device:           platform,
		DeviceName:       strings.TrimSpace(host),
		ClientIdentifier: clientID,
	}
}

func osVersion() string {
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		return strings.TrimSpace(string(b))
	}
	return runtime.GOARCH
}

// LinkURL is the page for a 4-character code.
func (e *Env) LinkURL(code string) string { return e.PlexTV.LinkURL(code) }

// AuthURL is the one-click page for a strong code.
func (e *Env) AuthURL(code string) string {
	return plextv.AuthAppURL(e.AppURL, e.Info.ClientIdentifier, code, e.Info.Product)
}
