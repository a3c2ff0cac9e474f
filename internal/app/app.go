// Package app is the environment both front ends start from: the
// settings main read, the install's identity (client identifier), the
// plex.tv client, the keychain and the config folder. The tray and the
// command line both build theirs here, so they share one client
// identifier and one truth; the tray's own wiring is in internal/launch.
package app

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/plextray/plextray/internal/config"
	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/servers"
	"github.com/plextray/plextray/internal/tlsroots"
)

// Env is everything a front end needs.
type Env struct {
	Version  string
	Settings Settings
	Info     plextv.Info
	PlexTV   *plextv.Client
	Keychain keychain.Keyring
	// Replaced is set when a damaged client-id file was set aside and a
	// new identifier made (Plex will list this install once more).
	Replaced *config.Replaced
	// ConfigDir holds the client identifier and profiles.json (see
	// core.Services).
	ConfigDir string
}

// Setup makes sure the install has its client identifier and builds the
// plex.tv client from s. Commands that need neither (`token`) don't call
// it, so a damaged client-id file cannot block them.
func Setup(version string, s Settings) (*Env, error) {
	dir, err := s.ConfigDir, s.ConfigDirErr
	if err != nil {
		return nil, err
	}
	id, replaced, err := config.ClientID(dir)
	if err != nil {
		return nil, err
	}
	info := Identity(version, id)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	tlsroots.Install(transport) // the CA bundle alone unless it cannot verify
	client, err := plextv.New(s.PlexTVURL, info, plextv.WithHTTPClient(&http.Client{
		Transport: transport,
		Timeout:   plextv.DefaultTimeout,
		// Never follow a redirect to another scheme or host with our
		// headers: Go drops X-Plex-Token on cross-host redirects only for
		// well-known auth headers, so refuse redirects altogether.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvPlexTVURL, err)
	}
	return &Env{Version: version, Settings: s, Info: info, PlexTV: client, Keychain: Keychain(s), Replaced: replaced,
		ConfigDir: dir}, nil
}

// Keychain is the OS keychain for s: without a session bus it answers
// keychain.ErrNoSessionBus and never starts one.
func Keychain(s Settings) keychain.OS {
	return keychain.OS{SessionBus: s.SessionBus}
}

// Services are the core's use-cases on this environment; checker may be
// nil (no server checks).
func (e *Env) Services(checker core.Checker) core.Services {
	return core.Services{
		PlexTV:        e.PlexTV,
		Keychain:      e.Keychain,
		Checker:       checker,
		LinkURL:       e.PlexTV.LinkURL,
		AppURL:        e.AuthURL,
		SigninTimeout: e.Settings.SigninTimeout,
		ConfigDir:     e.ConfigDir,
	}
}

// Checker is the server check with a per-connection timeout (0: the
// setting, else the default) and an overall deadline of that timeout plus
// CheckSlack, so a check of thousands of hung connections still ends.
func (e *Env) Checker(timeout time.Duration) core.ProberChecker {
	if timeout <= 0 {
		timeout = e.Settings.Probe()
	}
	return e.CheckerWithin(timeout, timeout+CheckSlack)
}

// CheckSlack is how much longer than one probe's timeout a whole check
// may take (probes queued behind others start a little later).
const CheckSlack = 500 * time.Millisecond

// CheckerWithin is the server check with a per-connection timeout and an
// overall deadline for a whole check (`uri --timeout`).
func (e *Env) CheckerWithin(timeout, deadline time.Duration) core.ProberChecker {
	return core.ProberChecker{Prober: servers.New(servers.Options{Info: e.Info, Timeout: timeout, CheckTimeout: deadline})}
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

// AuthURL is the one-click page for a strong code.
func (e *Env) AuthURL(code string) string {
	return plextv.AuthAppURL(e.Settings.AppURL, e.Info.ClientIdentifier, code, e.Info.Product)
}
