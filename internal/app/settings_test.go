package app

import (
	"testing"
	"time"
)

func TestSettingsFromEnv(t *testing.T) {
	t.Setenv(EnvSigninTimeout, "10m")
	t.Setenv(EnvClearClipboard, "off")
	t.Setenv(EnvProbeTimeout, "")
	s, err := SettingsFromEnv()
	if err != nil || s.SigninTimeout != 10*time.Minute || s.ClearClipboardAfter >= 0 || s.ProbeTimeout != 0 {
		t.Fatalf("%+v %v", s, err)
	}
	t.Setenv(EnvClearClipboard, "5s")
	if s, _ := SettingsFromEnv(); s.ClearClipboardAfter != 5*time.Second {
		t.Fatalf("%+v", s)
	}
	t.Setenv(EnvProbeTimeout, "soon")
	if _, err := SettingsFromEnv(); err == nil {
		t.Fatal("bad value accepted")
	}
}
