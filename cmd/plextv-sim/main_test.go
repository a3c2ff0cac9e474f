package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunPrintsHowToUse(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // print, then stop at once
	var out strings.Builder
	err := run(ctx, config{addr: "127.0.0.1:0", demoServers: true, caOut: ca}, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"plex.tv simulator on http://127.0.0.1:", "token simtoken-demo-", "fake PMS:", "Dad's Plex", "Plex Home:    demo (admin), Kid, Teen (PIN 1234)", "Attic", ".plex.direct:",
		"PLEXTRAY_PLEXTV_URL=http://127.0.0.1:", "SSL_CERT_FILE=" + ca, "stopping"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if data, err := os.ReadFile(ca); err != nil || !strings.Contains(string(data), "BEGIN CERTIFICATE") {
		t.Errorf("CA file: %v", err)
	}
}
