// Command plextv-sim runs the plex.tv simulator (internal/plextvsim) so
// the tray app can be tried, or driven by a test, without a Plex account.
//
//	go run ./cmd/plextv-sim -demo-servers
//
// It prints the environment to point the tray at it. The control API is
// under /_sim/ (see the plextvsim package documentation).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/plextray/plextray/internal/plextvsim"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:32499", "listen address")
	flag.BoolVar(&cfg.demoServers, "demo-servers", false, "start fake Plex Media Servers (owned, shared, offline) and list them")
	flag.StringVar(&cfg.caOut, "ca-out", "", "write the simulator CA certificate (PEM) here, for SSL_CERT_FILE\n(default with -demo-servers: plextv-sim-ca.pem in the temp directory)")
	flag.DurationVar(&cfg.pinTTL, "pin-ttl", 900*time.Second, "lifetime of 4-character PINs")
	flag.DurationVar(&cfg.strongPINTTL, "strong-pin-ttl", 1800*time.Second, "lifetime of strong PINs")
	flag.IntVar(&cfg.pollLimit, "pin-poll-limit", 0, "answer 429 when one PIN is read more than this many times a second (0: no limit)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "plextv-sim:", err)
		os.Exit(1)
	}
}

type config struct {
	addr                 string
	demoServers          bool
	caOut                string
	pinTTL, strongPINTTL time.Duration
	pollLimit            int
}

// run serves until ctx ends.
func run(ctx context.Context, cfg config, out io.Writer) error {
	sim, err := plextvsim.Start(plextvsim.Options{
		Addr: cfg.addr, LinkPINTTL: cfg.pinTTL, StrongPINTTL: cfg.strongPINTTL, PINPollLimit: cfg.pollLimit,
	})
	if err != nil {
		return err
	}
	defer sim.Close()

	if cfg.demoServers {
		if err := sim.AddDemoServers(); err != nil {
			return err
		}
		if err := sim.AddDemoPlexDirectServer(); err != nil {
			return err
		}
		if cfg.caOut == "" {
			cfg.caOut = filepath.Join(os.TempDir(), "plextv-sim-ca.pem")
		}
	}
	if cfg.caOut != "" {
		if err := plextvsim.WriteCACert(cfg.caOut); err != nil {
			return err
		}
	}

	base := sim.URL()
	demo := sim.DemoAccount()
	fmt.Fprintf(out, "plex.tv simulator on %s\n", base)
	fmt.Fprintf(out, "  link page:    %s/link\n", base)
	fmt.Fprintf(out, "  control API:  %s/_sim/\n", base)
	fmt.Fprintf(out, "  demo account: %s, token %s\n", demo.Username, demo.Token)
	for _, h := range sim.Homes() {
		fmt.Fprintf(out, "  Plex Home:    %s (admin)", h.Admin.Username)
		for _, p := range h.Profiles {
			if p.PIN != "" {
				fmt.Fprintf(out, ", %s (PIN %s)", p.Title, p.PIN)
			} else {
				fmt.Fprintf(out, ", %s", p.Title)
			}
		}
		fmt.Fprintln(out)
	}
	for _, p := range sim.PMSs() {
		b := p.Behavior()
		note := ""
		if b.Hang {
			note = " (hangs)"
		}
		fmt.Fprintf(out, "  fake PMS:     %-22s %s%s\n", p.Name(), p.URL(), note)
		if u := p.PlexDirectURL(); u != "" && p.Name() == "Attic" {
			fmt.Fprintf(out, "                %-22s %s (plex.direct; listed under this name only)\n", "", u)
		}
	}
	env := fmt.Sprintf("PLEXTRAY_PLEXTV_URL=%s PLEXTRAY_APP_URL=%s", base, base)
	if cfg.caOut != "" {
		fmt.Fprintf(out, "  CA:           %s\n", cfg.caOut)
		env += " SSL_CERT_FILE=" + cfg.caOut
	}
	fmt.Fprintf(out, "Run the tray against it:\n  %s go run ./cmd/plextray\n", env)

	<-ctx.Done()
	fmt.Fprintln(out, "plextv-sim: stopping")
	return nil
}
