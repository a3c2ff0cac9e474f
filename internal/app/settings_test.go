package app

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/servers"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseSettings(t *testing.T) {
	s, err := ParseSettings(env(map[string]string{
		EnvSigninTimeout: "10m", EnvClearClipboard: "off", EnvToken: " tok ",
		EnvPlexTVURL: "http://127.0.0.1:32499",
	}))
	if err != nil || s.SigninTimeout != 10*time.Minute || s.ClearClipboardAfter >= 0 || s.ProbeTimeout != 0 ||
		s.Token != "tok" || s.PlexTVURL != "http://127.0.0.1:32499" || s.AppURL != "https://app.plex.tv" {
		t.Fatalf("%+v %v", s, err)
	}
	if s, _ := ParseSettings(env(map[string]string{EnvRecheckInterval: "2s"})); s.RecheckInterval != 2*time.Second {
		t.Fatalf("%+v", s)
	}
	if s, _ := ParseSettings(env(map[string]string{EnvClearClipboard: "5s"})); s.ClearClipboardAfter != 5*time.Second || s.PlexTVURL != "https://plex.tv" || s.RecheckInterval != 0 {
		t.Fatalf("%+v", s)
	}
	for _, bad := range []map[string]string{
		{EnvProbeTimeout: "soon"},
		{EnvSigninTimeout: "0"},
		{EnvSigninTimeout: "-3s"},
		{EnvPlexTVURL: "http://plex.example"}, // clear text off loopback
		{EnvAppURL: "ftp://x"},
		{EnvRecheckInterval: "often"},
		{EnvRecheckInterval: "0"},
	} {
		if _, err := ParseSettings(env(bad)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	// A setting that can be turned off says so when its value is bad.
	if _, err := ParseSettings(env(map[string]string{EnvClearClipboard: "never"})); err == nil || !strings.HasSuffix(err.Error(), ", or off") {
		t.Errorf("PLEXTRAY_CLEAR_CLIPBOARD=never: %v, want the error to name off", err)
	}
	if _, err := ParseSettings(env(map[string]string{EnvProbeTimeout: "never"})); err == nil || strings.Contains(err.Error(), "off") {
		t.Errorf("PLEXTRAY_PROBE_TIMEOUT=never: %v, want no mention of off", err)
	}
}

// The probe timeout's default is decided here, once.
func TestProbeTimeoutDefault(t *testing.T) {
	if got := (Settings{}).Probe(); got != servers.DefaultTimeout {
		t.Errorf("unset: %v", got)
	}
	s, err := ParseSettings(env(map[string]string{EnvProbeTimeout: "2s"}))
	if err != nil || s.Probe() != 2*time.Second {
		t.Errorf("2s: %v, %v", s.Probe(), err)
	}
}

// The per-user folders are resolved once, here: nothing below main reads
// the environment.
func TestParseSettingsResolvesFolders(t *testing.T) {
	s, err := ParseSettings(env(map[string]string{"HOME": "/home/anna", "XDG_CONFIG_HOME": "/cfg", "XDG_STATE_HOME": "/state"}))
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" && (s.ConfigDir != "/cfg/plextray" || s.LogDir != "/state/plextray" || s.ConfigDirErr != nil || s.LogDirErr != nil) {
		t.Fatalf("folders %q %q (%v, %v)", s.ConfigDir, s.LogDir, s.ConfigDirErr, s.LogDirErr)
	}
	if s.Autostart.Home != "/home/anna" || s.Autostart.ConfigHome != "/cfg" {
		t.Fatalf("autostart %+v", s.Autostart)
	}
	if s, _ := ParseSettings(env(nil)); s.ConfigDirErr == nil || s.ConfigDir != "" {
		t.Fatalf("no HOME: config folder %q, %v", s.ConfigDir, s.ConfigDirErr)
	}
}
