package launch

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/plextray/plextray/assets"
	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/autostart"
	"github.com/plextray/plextray/internal/desktop"
	"github.com/plextray/plextray/internal/logging"
	"github.com/plextray/plextray/internal/tray"
)

func runTray(version string, settings app.Settings, cacheDir string) int {
	logDir, err := logging.Dir(settings.Getenv)
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
	env, err := app.Setup(version, settings)
	if err != nil {
		log.Error("start-up failed", "err", err)
		fmt.Fprintf(os.Stderr, "plextray: %v\n", err)
		return 1
	}
	log.Info("starting", "version", version, "plextv", env.PlexTV.BaseURL())
	if r := env.Replaced; r != nil {
		log.Warn("damaged client-id replaced", "path", r.Path, "kept_as", r.SetAside)
	}
	browser := desktop.NewBrowser()
	return app.RunTray(env, app.TrayOptions{
		Log:        log,
		Icons:      icons(),
		Autostart:  autostartToggle{autostart.Toggle{Getenv: settings.Getenv}},
		Secret:     logging.RegisterSecret,
		NotifyIcon: notifyIconFile(cacheDir),
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

// autostartToggle adapts package autostart to the core's setting: it
// starts this executable at login.
type autostartToggle struct{ autostart.Toggle }

func (a autostartToggle) Enable() error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding this program: %w", err)
	}
	return a.Toggle.Enable(exe)
}

// notifyIconFile is where notifications' icon is written (desktop.NewNotifier).
func notifyIconFile(cacheDir string) string {
	if cacheDir == "" {
		return ""
	}
	return filepath.Join(cacheDir, "plextray", "icon.png")
}

func icons() tray.IconSet {
	set := tray.IconSet{PNG: map[tray.Icon][]byte{}, ICO: map[tray.Icon][]byte{}, Template: map[tray.Icon][]byte{}}
	for icon, state := range map[tray.Icon]assets.State{
		tray.IconSignedOut:       assets.SignedOut,
		tray.IconSigningIn:       assets.SigningIn,
		tray.IconSignedIn:        assets.SignedIn,
		tray.IconError:           assets.Error,
		tray.IconNoServer:        assets.NoServer,
		tray.IconSomeUnreachable: assets.SomeUnreachable,
		tray.IconPlexTVDown:      assets.PlexTVDown,
	} {
		set.PNG[icon] = assets.PNG(state)
		set.ICO[icon] = assets.ICO(state)
		set.Template[icon] = assets.Template(state)
	}
	return set
}
