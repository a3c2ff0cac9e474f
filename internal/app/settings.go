package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/plextray/plextray/internal/autostart"
	"github.com/plextray/plextray/internal/config"
	"github.com/plextray/plextray/internal/logging"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/servers"
)

// The environment variables plextray reads (README.md, "Settings"). Only
// main reads the environment; it hands the getter to ParseSettings.
const (
	EnvPlexTVURL      = "PLEXTRAY_PLEXTV_URL"      // plex.tv base; default https://plex.tv
	EnvAppURL         = "PLEXTRAY_APP_URL"         // web app base; default https://app.plex.tv
	EnvToken          = "PLEXTRAY_TOKEN"           // token instead of the keychain
	EnvSigninTimeout  = "PLEXTRAY_SIGNIN_TIMEOUT"  // e.g. 10m; default 5m
	EnvClearClipboard = "PLEXTRAY_CLEAR_CLIPBOARD" // e.g. 10s, or "off"; default 30s
	EnvProbeTimeout   = "PLEXTRAY_PROBE_TIMEOUT"   // e.g. 2s; default 3s
	// EnvRecheckInterval: how long the tray's server list may sit idle
	// before it is checked again; default 10m (netwatch.DefaultPeriodic).
	EnvRecheckInterval = "PLEXTRAY_RECHECK_INTERVAL"
)

// Settings are every tunable, the same for the tray and the command line.
// Zero durations mean the default.
type Settings struct {
	PlexTVURL           string        // plex.tv base URL
	AppURL              string        // Plex web app base (one-click sign-in)
	Token               string        // PLEXTRAY_TOKEN; "" if unset
	SigninTimeout       time.Duration // 0: default
	ClearClipboardAfter time.Duration // 0: default, negative: off
	ProbeTimeout        time.Duration // 0: default
	RecheckInterval     time.Duration // 0: default (10m)
	// Display: DISPLAY or WAYLAND_DISPLAY is set (explains a failing
	// clipboard tool).
	Display bool
	// SessionBus is DBUS_SESSION_BUS_ADDRESS: empty means there is no
	// session bus, and the keychain must not start one.
	SessionBus string

	// The per-user folders, resolved once: the config folder (the client
	// identifier, profiles.json; ConfigDirErr when it can't be found:
	// profiles are not kept then), the log folder (LogDirErr: logging to
	// stderr) and the folders start-at-login writes to.
	ConfigDir    string
	ConfigDirErr error
	LogDir       string
	LogDirErr    error
	Autostart    autostart.Toggle
}

// Probe is the probe timeout: PLEXTRAY_PROBE_TIMEOUT, else
// servers.DefaultTimeout. The tray's check and the command line's
// --timeout default both come from here.
func (s Settings) Probe() time.Duration {
	if s.ProbeTimeout > 0 {
		return s.ProbeTimeout
	}
	return servers.DefaultTimeout
}

// ParseSettings reads the settings through getenv (os.Getenv in main); a
// bad value is an error naming it.
func ParseSettings(getenv func(string) string) (Settings, error) {
	s := Settings{
		PlexTVURL: strings.TrimSpace(getenv(EnvPlexTVURL)),
		AppURL:    strings.TrimSpace(getenv(EnvAppURL)),
		Token:     strings.TrimSpace(getenv(EnvToken)),
		Display:   getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != "",

		SessionBus: getenv("DBUS_SESSION_BUS_ADDRESS"),
		Autostart:  autostart.Toggle{Home: getenv("HOME"), ConfigHome: getenv("XDG_CONFIG_HOME")},
	}
	s.ConfigDir, s.ConfigDirErr = config.Dir(getenv)
	s.LogDir, s.LogDirErr = logging.Dir(getenv)
	if s.PlexTVURL == "" {
		s.PlexTVURL = plextv.DefaultBaseURL
	}
	if s.AppURL == "" {
		s.AppURL = plextv.DefaultAppURL
	}
	if _, err := plextv.ParseBaseURL(s.PlexTVURL); err != nil {
		return s, fmt.Errorf("%s: %w", EnvPlexTVURL, err)
	}
	if _, err := plextv.ParseBaseURL(s.AppURL); err != nil {
		return s, fmt.Errorf("%s: %w", EnvAppURL, err)
	}
	var err error
	if s.SigninTimeout, err = duration(getenv, EnvSigninTimeout, false); err != nil {
		return s, err
	}
	if s.ClearClipboardAfter, err = duration(getenv, EnvClearClipboard, true); err != nil {
		return s, err
	}
	if s.ProbeTimeout, err = duration(getenv, EnvProbeTimeout, false); err != nil {
		return s, err
	}
	if s.RecheckInterval, err = duration(getenv, EnvRecheckInterval, false); err != nil {
		return s, err
	}
	return s, nil
}

func duration(getenv func(string) string, name string, canTurnOff bool) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return 0, nil
	}
	if canTurnOff && (v == "off" || v == "0") {
		return -1, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		if canTurnOff {
			return 0, fmt.Errorf("%s=%q: want a positive duration like 30s or 5m, or off", name, v)
		}
		return 0, fmt.Errorf("%s=%q: want a positive duration like 30s or 5m", name, v)
	}
	return d, nil
}
