package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/plextray/plextray/assets"
	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/autostart"
	"github.com/plextray/plextray/internal/desktop"
	"github.com/plextray/plextray/internal/logging"
	"github.com/plextray/plextray/internal/tray"
)

func runTray(settings app.Settings) int {
	log, closer, err := logging.Open(logging.DefaultApp)
	if err != nil {
		fmt.Fprintf(os.Stderr, "plextray: logging disabled: %v\n", err)
		log = slog.New(logging.NewRedactingHandler(slog.NewTextHandler(os.Stderr, nil)))
	} else {
		defer closer.Close()
	}
	env, err := app.Setup(version, settings)
	if err != nil {
		log.Error("start-up failed", "err", err)
		fmt.Fprintf(os.Stderr, "plextray: %v\n", err)
		return 1
	}
	log.Info("starting", "version", version, "plextv", env.PlexTV.BaseURL())
	browser := desktop.NewBrowser()
	return app.RunTray(env, app.TrayOptions{
		Log:       log,
		Icons:     icons(),
		Autostart: autostartToggle{},
		Secret:    logging.RegisterSecret,
		OpenLogs: func() {
			if dir, err := logging.Dir(); err == nil {
				if err := browser.Open(dir); err != nil {
					log.Info("log folder not opened", "dir", dir, "err", err)
				}
			}
		},
	})
}

// autostartToggle adapts package autostart to the core's setting: it
// starts this executable at login.
type autostartToggle struct{}

func (autostartToggle) Enabled() (bool, error) { return autostart.Enabled() }
func (autostartToggle) Disable() error         { return autostart.Disable() }
func (autostartToggle) Enable() error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding this program: %w", err)
	}
	return autostart.Enable(exe)
}

func icons() tray.IconSet {
	set := tray.IconSet{PNG: map[tray.Icon][]byte{}, ICO: map[tray.Icon][]byte{}, Template: map[tray.Icon][]byte{}}
	for icon, state := range map[tray.Icon]assets.State{
		tray.IconSignedOut: assets.SignedOut,
		tray.IconSigningIn: assets.SigningIn,
		tray.IconSignedIn:  assets.SignedIn,
		tray.IconError:     assets.Error,
	} {
		set.PNG[icon] = assets.PNG(state)
		set.ICO[icon] = assets.ICO(state)
		set.Template[icon] = assets.Template(state)
	}
	return set
}
