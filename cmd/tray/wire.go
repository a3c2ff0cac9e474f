package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/plextray/plextray/assets"
	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/autostart"
	"github.com/plextray/plextray/internal/cli"
	"github.com/plextray/plextray/internal/desktop"
	"github.com/plextray/plextray/internal/logging"
	"github.com/plextray/plextray/internal/tray"
)

func stdIO() cli.IO {
	terminal := false
	if fi, err := os.Stderr.Stat(); err == nil {
		terminal = fi.Mode()&os.ModeCharDevice != 0
	}
	b := desktop.NewBrowser()
	return cli.IO{
		Stdout:      os.Stdout,
		Stderr:      os.Stderr,
		Terminal:    terminal,
		Setup:       func() (*app.Env, error) { return app.Setup(version) },
		OpenBrowser: b.Open,
	}
}

func runTray() int {
	logDir, err := logging.Dir(os.Getenv)
	var log *slog.Logger
	var closer io.Closer
	if err == nil {
		log, closer, err = logging.Open(logDir)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "plextray: logging disabled: %v\n", err)
		log = slog.New(logging.NewRedactingHandler(slog.NewTextHandler(os.Stderr, nil)))
	} else {
		defer closer.Close()
	}
	env, err := app.Setup(version)
	if err != nil {
		log.Error("start-up failed", "err", err)
		fmt.Fprintf(os.Stderr, "plextray: %v\n", err)
		return 1
	}
	settings, err := app.SettingsFromEnv()
	if err != nil {
		log.Error("bad setting", "err", err)
		fmt.Fprintf(os.Stderr, "plextray: %v\n", err)
		return 1
	}
	log.Info("starting", "version", version, "plextv", env.PlexTV.BaseURL())
	browser := desktop.NewBrowser()
	return app.RunTray(env, app.TrayOptions{
		Log:                 log,
		Icons:               icons(),
		Checker:             checker(env, settings.ProbeTimeout),
		SigninTimeout:       settings.SigninTimeout,
		ClearClipboardAfter: settings.ClearClipboardAfter,
		Autostart:           autostart.Toggle{Getenv: os.Getenv},
		Secret:              logging.RegisterSecret,
		OpenLogs: func() {
			if logDir == "" {
				return
			}
			if err := browser.Open(logDir); err != nil {
				log.Info("log folder not opened", "dir", logDir, "err", err)
			}
		},
	})
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
