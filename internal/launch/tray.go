package launch

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/plextray/plextray/assets"
	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/autostart"
	"github.com/plextray/plextray/internal/config"
	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/desktop"
	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/lastcheck"
	"github.com/plextray/plextray/internal/logging"
	"github.com/plextray/plextray/internal/netwatch"
	"github.com/plextray/plextray/internal/tooltokens"
	"github.com/plextray/plextray/internal/tray"
)

func runTray(version string, settings app.Settings, cacheDir string) int {
	logDir, err := settings.LogDir, settings.LogDirErr
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
	return RunTray(env, TrayOptions{
		Log:        log,
		Icons:      icons(),
		Autostart:  autostartToggle{settings.Autostart},
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
func RunTray(env *app.Env, o TrayOptions) int {
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

	// The tray that holds the lock shares its checks with the command
	// line (lastcheck): `plextray uri` then answers from them.
	var keeper *lastcheck.Keeper
	if dir := env.ConfigDir; dir != "" {
		if release, err := lastcheck.Hold(dir); err != nil {
			log.Warn("server checks not shared with the command line", "err", err)
		} else {
			defer release()
			keeper = lastcheck.NewKeeper(dir, log.Warn)
		}
	}

	var t *tray.Tray
	renderer := tray.NewRenderer(tray.Options{Version: env.Version, AppURL: env.Settings.AppURL})
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
		// only the servers that changed) and applies it, so no D-Bus
		// call runs on the core's goroutine.
		OnChange: latest.Put,
		OnQuit:   tray.Quit,
		Secret:   o.Secret,
		// "New token for a tool…" makes it as `plextray tokens new` does.
		MakeTool: tooltokens.Maker{Client: env.PlexTV}.Make,
		// The keychain and the config folder are the shared truth: the
		// core reads them again when either changes.
		Changes: func(ctx context.Context) <-chan struct{} { return changes(ctx, env, log) },
		// While signed in: re-check on a network change, a wake, and
		// after PLEXTRAY_RECHECK_INTERVAL (10 min) idle. Events, one
		// timer, no polling.
		Watch: func(ctx context.Context) core.Watch {
			return netwatch.Start(ctx, netwatch.Options{Periodic: env.Settings.RecheckInterval, Log: log})
		},
		LastCheck: keeper,
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
	kept := make(chan struct{})
	if keeper != nil {
		go func() { keeper.Run(ctx); close(kept) }()
	} else {
		close(kept)
	}
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
	stop()
	<-kept // the shared check removed: nothing keeps it current now
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

// changes merges what tells the core that the keychain or the config
// folder changed: the Secret Service's signals (Linux; none elsewhere,
// where go-keyring has none) and a watch on profiles.json, which every
// sign-in, sign-out and switch rewrites, and on tools.json, which every
// tool token made or revoked rewrites (all platforms).
func changes(ctx context.Context, env *app.Env, log *slog.Logger) <-chan struct{} {
	var feeds []<-chan struct{}
	if kc, ok := env.Keychain.(keychain.OS); ok {
		ch, err := kc.Watch(ctx)
		if err != nil {
			log.Info("keychain changes not followed", "err", err)
		} else if ch != nil {
			feeds = append(feeds, ch)
		}
	}
	if env.ConfigDir != "" {
		ch, err := config.Watch(ctx, env.ConfigDir, home.StateFile, tooltokens.File)
		if err != nil {
			log.Info("config folder changes not followed", "err", err)
		} else {
			feeds = append(feeds, ch)
		}
	}
	out := make(chan struct{}, 1)
	for _, ch := range feeds {
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-ch:
					select {
					case out <- struct{}{}:
					default:
					}
				}
			}
		}()
	}
	return out
}
