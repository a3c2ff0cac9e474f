package app

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"fyne.io/systray"
	"github.com/plextray/plextray/internal/desktop"
	"github.com/plextray/plextray/internal/session"
	"github.com/plextray/plextray/internal/tray"
)

// TrayOptions are the tray's settings.
type TrayOptions struct {
	Log                 *slog.Logger
	Icons               tray.IconSet
	SigninTimeout       time.Duration
	ClearClipboardAfter time.Duration
	Checker             session.Checker
	// Autostart, when set, backs the "Start at login" toggle.
	Autostart interface {
		Enabled() (bool, error)
		Enable(exe string) error
		Disable() error
	}
	// OpenLogs opens the log folder (About).
	OpenLogs func()
	// Secret registers a token for log redaction.
	Secret func(string)
}

// RunTray runs the tray until Quit (or SIGINT/SIGTERM) and returns the
// process exit code. It must be called on the main goroutine.
func RunTray(env *Env, o TrayOptions) int {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	clipHint := ""
	if err := desktop.ClipboardAvailable(); err != nil {
		clipHint = err.Error()
		var de *desktop.Error
		if errors.As(err, &de) && de.Hint != "" {
			clipHint = de.Hint
		}
		log.Warn("clipboard unavailable", "err", err)
	}
	notifyHint := ""
	if err := desktop.NotificationsAvailable(); err != nil {
		notifyHint = "none under Wine; the code is shown here"
		log.Warn("notifications unavailable", "err", err)
	}

	var (
		mu   sync.Mutex
		opts = tray.Options{Version: env.Version}
		last session.State
		t    *tray.Tray
	)
	if o.Autostart != nil {
		on, err := o.Autostart.Enabled()
		opts.AutostartEnabled, opts.AutostartOK = on, err == nil
	}
	render := func() { t.Apply(tray.Render(last, opts)) }

	s := session.New(session.Config{
		PlexTV:              env.PlexTV,
		Keychain:            env.Keychain,
		Notifier:            desktop.NewNotifier(),
		Clipboard:           desktop.NewClipboard(),
		Browser:             desktop.NewBrowser(),
		Checker:             o.Checker,
		Log:                 log,
		LinkURL:             env.LinkURL,
		AppURL:              env.AuthURL,
		SigninTimeout:       o.SigninTimeout,
		ClearClipboardAfter: o.ClearClipboardAfter,
		ClipboardHint:       clipHint,
		NotifyHint:          notifyHint,
		OnChange: func(st session.State) {
			mu.Lock()
			defer mu.Unlock()
			last = st
			render()
		},
		OnQuit: systray.Quit,
		Secret: o.Secret,
	})

	extra := tray.Extra{About: o.OpenLogs}
	if o.Autostart != nil && opts.AutostartOK {
		extra.ToggleAutostart = func() {
			mu.Lock()
			defer mu.Unlock()
			var err error
			if opts.AutostartEnabled {
				err = o.Autostart.Disable()
			} else {
				var exe string
				if exe, err = os.Executable(); err == nil {
					err = o.Autostart.Enable(exe)
				}
			}
			if err != nil {
				log.Warn("autostart toggle failed", "err", err)
			}
			opts.AutostartEnabled, _ = o.Autostart.Enabled()
			render()
		}
	}
	t = tray.New(s, o.Icons, extra)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go func() {
		select {
		case <-sigs:
			s.Quit()
		case <-ctx.Done():
		}
	}()

	done := make(chan struct{})
	systray.Run(func() {
		t.OnReady()
		go func() { s.Run(); close(done) }()
	}, func() {})
	<-done
	log.Info("quit")
	return 0
}
