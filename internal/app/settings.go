package app

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// Settings read from the environment (documented in README.md).
const (
	EnvSigninTimeout  = "PLEXTRAY_SIGNIN_TIMEOUT"  // e.g. 10m; default 5m
	EnvClearClipboard = "PLEXTRAY_CLEAR_CLIPBOARD" // e.g. 10s, or "off"; default 30s
	EnvProbeTimeout   = "PLEXTRAY_PROBE_TIMEOUT"   // e.g. 2s; default 3s
)

// Settings are the tray's tunables.
type Settings struct {
	SigninTimeout       time.Duration // 0: default
	ClearClipboardAfter time.Duration // 0: default, negative: off
	ProbeTimeout        time.Duration // 0: default
}

// SettingsFromEnv reads the settings; a bad value is an error naming it.
func SettingsFromEnv() (Settings, error) {
	var s Settings
	var err error
	if s.SigninTimeout, err = duration(EnvSigninTimeout, false); err != nil {
		return s, err
	}
	if s.ClearClipboardAfter, err = duration(EnvClearClipboard, true); err != nil {
		return s, err
	}
	if s.ProbeTimeout, err = duration(EnvProbeTimeout, false); err != nil {
		return s, err
	}
	return s, nil
}

func duration(name string, canTurnOff bool) (time.Duration, error) {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return 0, nil
	}
	if canTurnOff && (v == "off" || v == "0") {
		return -1, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a duration like 30s or 5m", name, v)
	}
	return d, nil
}
