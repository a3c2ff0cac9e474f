package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/desktop"
	"github.com/plextray/plextray/internal/netwatch"
	"github.com/plextray/plextray/internal/tray"
)

// TrayOptions are what the tray needs besides the environment.
type TrayOptions struct {
	Log   *slog.Logger
	Icons tray.IconSet
	// Autostart, when set, backs the "Start at login" toggle.
	Autostart core.AutostartSetting
	// OpenLogs opens the log folder (About).
	OpenLogs func()
	// Secret registers a token for log redaction.
	Secret func(string)
	// NotifyIcon is the file notifications show as their icon ("": none).
	NotifyIcon string
}

// RunTray runs the tray until Quit (or SIGINT/SIGTERM) and returns the
// process exit code. It must be called on the main goroutine. The core
// owns all state; the tray only renders what the core publishes.
func RunTray(env *Env, o TrayOptions) int {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	clipErr := desktop.ClipboardAvailable()
	if clipErr != nil {
		log.Warn("clipboard unavailable", "err", clipErr)
	}
	notifyErr := desktop.NotificationsAvailable()
	if notifyErr != nil {
		log.Warn("notifications unavailable", "err", notifyErr)
	}

	var t *tray.Tray
	renderer := tray.NewRenderer(tray.Options{Version: env.Version})
	latest := tray.NewLatest()
	c := core.New(core.Config{
		Services:            env.Services(env.Checker(0)),
		Notifier:            notifier{desktop.NewNotifier(o.NotifyIcon)},
		Clipboard:           desktop.NewClipboard(env.Settings.Display),
		Browser:             desktop.NewBrowser(),
		Autostart:           o.Autostart,
		Log:                 log,
		ClearClipboardAfter: env.Settings.ClearClipboardAfter,
		ClipboardErr:        clipErr,
		NotifyErr:           notifyErr,
		// The core only leaves its State in a one-slot mailbox; the
		// menu's goroutine renders the newest (the Renderer re-renders
		// only the servers that changed) and applies it.
		OnChange: latest.Put,
		OnQuit:   tray.Quit,
		Secret:   o.Secret,
		// While signed in: re-check on a network change, a wake, and
		// after PLEXTRAY_RECHECK_INTERVAL (10 min) idle. Events, one
		// timer, no polling.
		Watch: func(ctx context.Context) core.Watch {
			return netwatch.Start(ctx, netwatch.Options{Periodic: env.Settings.RecheckInterval, Log: log})
		},
	})
	extra := tray.Extra{About: o.OpenLogs}
	if o.Autostart != nil {
		extra.ToggleAutostart = c.ToggleAutostart
	}
	t = tray.New(c, o.Icons, extra)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go latest.Run(ctx, func(st core.State) { t.Apply(renderer.Render(st)) })
	go func() {
		select {
		case <-sigs:
			c.Quit()
		case <-ctx.Done():
		}
	}()

	done := make(chan struct{})
	if err := tray.Run(func() {
		t.OnReady()
		go func() { c.Run(); close(done) }()
	}); err != nil {
		log.Error("no tray", "err", err)
		fmt.Fprintf(os.Stderr, "plextray: %v\nThe command line works without it: plextray --help\n", err)
		return 1
	}
	<-done
	log.Info("quit")
	return 0
}

// notifier words the core's notices with the tray's words.
type notifier struct {
	n interface {
		Notify(title, body string) error
	}
}

func (n notifier) Notify(no core.Notice, st core.State) error {
	if w, ok := tray.Notify(no, st); ok {
		return n.n.Notify(w.Title, w.Body)
	}
	return nil
}
