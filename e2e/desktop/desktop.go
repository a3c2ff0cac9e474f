//go:build linux

package desktop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// DefaultTimeout bounds the harness's own start-up steps and single D-Bus
// calls or helper commands.
const DefaultTimeout = 15 * time.Second

// markerVar is set in the environment of every process the harness starts;
// its value (the session directory) identifies leftovers at teardown.
const markerVar = "E2E_DESKTOP_SESSION"

// Options selects which pieces of the desktop a test gets. The zero value
// gives everything: display, keyring, notification server, panel (watcher),
// fake browser and clipboard tool.
type Options struct {
	// NoSessionBus: no dbus-daemon and no DBUS_SESSION_BUS_ADDRESS, as over
	// SSH or in cron. Implies NoKeyring, NoNotifications and NoWatcher.
	NoSessionBus bool
	// NoDisplay: no Xvfb and no DISPLAY (the clipboard cannot work).
	NoDisplay bool
	// NoKeyring: no gnome-keyring-daemon. Pair it with NoServiceActivation,
	// or the bus may start a locked keyring daemon on the first Secret
	// Service call, which then hangs for the 25 s D-Bus timeout.
	NoKeyring bool
	// NoServiceActivation: the bus config has no <standard_session_servicedirs/>,
	// so nothing is started on demand ("was not provided by any .service files").
	NoServiceActivation bool
	// NoNotifications: nobody owns org.freedesktop.Notifications.
	NoNotifications bool
	// NoWatcher: nobody owns org.kde.StatusNotifierWatcher (no panel).
	NoWatcher bool
	// NoBrowser: no fake xdg-open, and no other opener on PATH.
	NoBrowser bool
	// NoClipboardTool: xclip/xsel are left off the app's PATH.
	NoClipboardTool bool

	// KeyringPassword unlocks the "login" keyring; default "e2e-password".
	KeyringPassword string
	// ScreenSize is Xvfb's screen, default "1024x768x24".
	ScreenSize string
	// ExtraTools are host programs (names looked up on the test's PATH) to
	// symlink into the app's PATH as well.
	ExtraTools []string
	// Env is added to Env() (and so to every app), after the harness's own
	// variables; a later KEY=value wins.
	Env []string
}

// Desktop is one running, private desktop session. Create it with Start.
type Desktop struct {
	t    testing.TB
	opts Options

	root                                            string
	home, config, data, state, cache, runtime, logs string
	fakeBin, toolsBin, urlsFile, children           string

	display string // ":N", or "" with NoDisplay
	busAddr string

	hostTools map[string]string // tool name → absolute path on the host

	svcConn *dbus.Conn // owns the watcher and notification names
	conn    *dbus.Conn // used by the tray driver and readiness checks
	watcher *watcher
	notify  *notifyServer

	mu       sync.Mutex
	procs    []*proc      // long-running processes, in start order
	pgids    map[int]bool // process groups the harness created
	records  []Process
	appSeq   int
	urlsSeen int
	closed   bool
}

// Process records one process the harness started.
type Process struct {
	Name string
	Args []string // Args[0] is the program's path
	Env  []string
	Dir  string
	PID  int
	Logs []string // files holding its output
}

type tool struct{ name, pkg string }

// Start brings up a private desktop session for t and tears it down in
// t.Cleanup. It skips the test with -short (it starts D-Bus, Xvfb and a
// keyring), and if a needed host tool is missing (fails it when CI=true).
func Start(t testing.TB, opts Options) *Desktop {
	t.Helper()
	if testing.Short() {
		t.Skip("e2e/desktop: starts D-Bus, Xvfb or a keyring; skipped with -short")
	}
	enableSubreaper()
	if opts.NoSessionBus {
		opts.NoKeyring, opts.NoNotifications, opts.NoWatcher = true, true, true
	}

	if opts.KeyringPassword == "" {
		opts.KeyringPassword = "e2e-password"
	}
	if opts.ScreenSize == "" {
		opts.ScreenSize = "1024x768x24"
	}

	var need []tool
	if !opts.NoSessionBus {
		need = append(need, tool{"dbus-daemon", "apt package dbus"})
	}
	if !opts.NoDisplay {
		need = append(need, tool{"Xvfb", "apt package xvfb"}, tool{"xclip", "apt package xclip"})
	}
	if !opts.NoKeyring {
		need = append(need, tool{"gnome-keyring-daemon", "apt package gnome-keyring"},
			tool{"secret-tool", "apt package libsecret-tools"})
	}
	for _, x := range opts.ExtraTools {
		need = append(need, tool{x, "Options.ExtraTools"})
	}
	host := map[string]string{}
	var missing []string
	for _, tl := range need {
		p, err := exec.LookPath(tl.name)
		if err != nil {
			missing = append(missing, fmt.Sprintf("%s (%s)", tl.name, tl.pkg))
			continue
		}
		host[tl.name] = p
	}
	for _, optional := range []string{"xsel", "secret-tool", "dbus-send", "xclip"} {
		if _, ok := host[optional]; !ok {
			if p, err := exec.LookPath(optional); err == nil {
				host[optional] = p
			}
		}
	}
	if len(missing) > 0 {
		msg := "e2e/desktop: missing host tools: " + strings.Join(missing, ", ") +
			"; install them with scripts/install-test-deps.sh"
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s", msg)
		}
		t.Skip(msg)
	}

	d := &Desktop{t: t, opts: opts, hostTools: host, pgids: map[int]bool{}}
	root, err := os.MkdirTemp("", "e2e-desktop-")
	if err != nil {
		t.Fatalf("e2e/desktop: %v", err)
	}
	d.root = root
	t.Cleanup(d.close)

	if err := d.makeDirs(); err != nil {
		t.Fatalf("e2e/desktop: %v", err)
	}
	if !opts.NoDisplay {
		if err := d.startXvfb(); err != nil {
			t.Fatalf("e2e/desktop: Xvfb: %v", err)
		}
	}
	if !opts.NoSessionBus {
		if err := d.startBus(); err != nil {
			t.Fatalf("e2e/desktop: dbus-daemon: %v", err)
		}
		if err := d.startServices(); err != nil {
			t.Fatalf("e2e/desktop: %v", err)
		}
	}
	if !opts.NoKeyring {
		if err := d.startKeyring(); err != nil {
			t.Fatalf("e2e/desktop: gnome-keyring-daemon: %v", err)
		}
	}
	return d
}

func (d *Desktop) makeDirs() error {
	j := func(name string) string { return filepath.Join(d.root, name) }
	d.home, d.config, d.data, d.state = j("home"), j("config"), j("data"), j("state")
	d.cache, d.runtime, d.logs = j("cache"), j("run"), j("logs")
	d.fakeBin, d.toolsBin = j("fakebin"), j("tools")
	d.urlsFile = j("opened-urls.txt")
	d.children = j("children")
	for _, dir := range []string{d.home, d.config, d.data, d.state, d.cache, d.runtime, d.logs, d.fakeBin, d.toolsBin, d.children, j(raceDir)} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			return err
		}
	}
	if !d.opts.NoBrowser {
		script := "#!/bin/sh\n# fake xdg-open from e2e/desktop: records the URL instead of opening it\n" +
			recordSelf(d.children, "xdg-open") +
			"printf '%s\\n' \"$*\" >> " + shellQuote(d.urlsFile) + "\n"
		if err := os.WriteFile(filepath.Join(d.fakeBin, "xdg-open"), []byte(script), 0o755); err != nil {
			return err
		}
	}
	allowed := []string{"secret-tool", "dbus-send"}
	if !d.opts.NoClipboardTool {
		allowed = append(allowed, "xclip", "xsel")
	}
	allowed = append(allowed, d.opts.ExtraTools...)
	for _, name := range allowed {
		p, ok := d.hostTools[name]
		if !ok {
			continue
		}
		if wrapped[name] {
			// A wrapper that records its own command line and environment
			// (what other local users could see), then becomes the tool.
			script := "#!/bin/sh\n# " + name + " wrapper from e2e/desktop\n" + recordSelf(d.children, name) +
				"exec " + shellQuote(p) + " \"$@\"\n"
			if err := os.WriteFile(filepath.Join(d.toolsBin, name), []byte(script), 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.Symlink(p, filepath.Join(d.toolsBin, name)); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
	}
	return nil
}

// Dir is the session's temporary directory (logs/, home/, ...).
func (d *Desktop) Dir() string { return d.root }

// Home is the session's HOME folder.
func (d *Desktop) Home() string { return d.home }

// BusAddress is the private session bus's address.
func (d *Desktop) BusAddress() string { return d.busAddr }

// Conn is the harness's own connection to the private session bus, for
// calls this package does not wrap.
func (d *Desktop) Conn() *dbus.Conn { return d.conn }

// Env is the environment for a program in this session: the bus, the
// display, PATH (fake opener + allowed tools only), fresh HOME and XDG_*
// directories, then Options.Env, then extra ("KEY=value"; later wins).
// Nothing else is inherited from the test's environment except GOCOVERDIR
// and GOTRACEBACK; GORACE keeps the test's options but always sends race
// reports into the session directory (see Races).
func (d *Desktop) Env(extra ...string) []string {
	env := []string{
		"HOME=" + d.home,
		"XDG_CONFIG_HOME=" + d.config,
		"XDG_DATA_HOME=" + d.data,
		"XDG_STATE_HOME=" + d.state,
		"XDG_CACHE_HOME=" + d.cache,
		"XDG_RUNTIME_DIR=" + d.runtime,
		"PATH=" + d.fakeBin + ":" + d.toolsBin,
		"LANG=C.UTF-8",
		"TMPDIR=" + os.TempDir(),
		markerVar + "=" + d.root,
	}
	if d.busAddr != "" {
		env = append(env, "DBUS_SESSION_BUS_ADDRESS="+d.busAddr)
	}
	if d.display != "" {
		env = append(env, "DISPLAY="+d.display)
	}
	env = append(env, "GORACE="+d.goraceValue())
	for _, k := range []string{"GOCOVERDIR", "GOTRACEBACK"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	env = append(env, d.opts.Env...)
	env = append(env, extra...)
	return dedupEnv(env)
}

// dedupEnv keeps the last value of each key, at the key's first position.
func dedupEnv(env []string) []string {
	idx := map[string]int{}
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := idx[k]; ok {
			out[i] = kv
			continue
		}
		idx[k] = len(out)
		out = append(out, kv)
	}
	return out
}

// Processes lists every process the harness started so far (services,
// apps and helper commands), with command line and environment.
func (d *Desktop) Processes() []Process {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Process(nil), d.records...)
}

func (d *Desktop) startXvfb() error {
	dispFile := filepath.Join(d.root, "display.txt")
	f, err := os.Create(dispFile)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd := exec.Command(d.hostTools["Xvfb"], "-displayfd", "3", "-screen", "0", d.opts.ScreenSize,
		"-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{f}
	p, err := d.spawn("Xvfb", cmd, false)
	if err != nil {
		return err
	}
	var num string
	ok := p.waitUntil(DefaultTimeout, func() bool {
		b, _ := os.ReadFile(dispFile)
		if s := string(b); strings.HasSuffix(s, "\n") {
			num = strings.TrimSpace(s)
			return true
		}
		return false
	})
	if !ok {
		return fmt.Errorf("no display number within %v (exited: %v)\n%s", DefaultTimeout, p.exited(), tail(p.logs[0], 20))
	}
	d.display = ":" + num
	return nil
}

func (d *Desktop) startBus() error {
	servicedirs := "  <standard_session_servicedirs/>\n"
	if d.opts.NoServiceActivation {
		servicedirs = "  <!-- no service activation: standard_session_servicedirs left out -->\n"
	}
	conf := `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- private session bus written by e2e/desktop -->
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:path=` + filepath.Join(d.root, "bus") + `</listen>
  <auth>EXTERNAL</auth>
` + servicedirs + `  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <limit name="service_start_timeout">20000</limit>
</busconfig>
`
	confFile := filepath.Join(d.root, "bus.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
		return err
	}
	addrFile := filepath.Join(d.root, "bus-address.txt")
	af, err := os.Create(addrFile)
	if err != nil {
		return err
	}
	defer af.Close()
	cmd := exec.Command(d.hostTools["dbus-daemon"], "--config-file="+confFile, "--nofork", "--print-address")
	cmd.Stdout = af
	p, err := d.spawn("dbus-daemon", cmd, false)
	if err != nil {
		return err
	}
	ok := p.waitUntil(DefaultTimeout, func() bool {
		b, _ := os.ReadFile(addrFile)
		if s := string(b); strings.HasSuffix(s, "\n") {
			d.busAddr = strings.TrimSpace(s)
			return true
		}
		return false
	})
	if !ok {
		return fmt.Errorf("no address within %v (exited: %v)\n%s", DefaultTimeout, p.exited(), tail(p.logs[0], 20))
	}
	if d.svcConn, err = dbus.Connect(d.busAddr); err != nil {
		return err
	}
	if d.conn, err = dbus.Connect(d.busAddr); err != nil {
		return err
	}
	return nil
}

func (d *Desktop) startServices() error {
	if !d.opts.NoWatcher {
		w, err := exportWatcher(d.svcConn)
		if err != nil {
			return fmt.Errorf("StatusNotifierWatcher: %w", err)
		}
		d.watcher = w
	}
	if !d.opts.NoNotifications {
		n, err := exportNotifications(d.svcConn)
		if err != nil {
			return fmt.Errorf("notification server: %w", err)
		}
		d.notify = n
	}
	return nil
}

func (d *Desktop) startKeyring() error {
	cmd := exec.Command(d.hostTools["gnome-keyring-daemon"], "--foreground", "--unlock", "--components=secrets")
	// The password goes to stdin; stdout/stderr go to a file (set by spawn):
	// if its stdout were a pipe that closes, the daemon would die.
	cmd.Stdin = strings.NewReader(d.opts.KeyringPassword)
	p, err := d.spawn("gnome-keyring-daemon", cmd, false)
	if err != nil {
		return err
	}
	var last error
	ok := p.waitUntil(DefaultTimeout, func() bool {
		last = d.keyringReady()
		return last == nil
	})
	if !ok {
		return fmt.Errorf("not ready within %v (exited: %v): %v\n%s", DefaultTimeout, p.exited(), last, tail(p.logs[0], 20))
	}
	return nil
}

// keyringReady reports whether the Secret Service is on the bus with an
// unlocked default collection.
func (d *Desktop) keyringReady() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var has bool
	if err := d.conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0,
		"org.freedesktop.secrets").Store(&has); err != nil {
		return err
	}
	if !has {
		return errors.New("org.freedesktop.secrets has no owner yet")
	}
	svc := d.conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var coll dbus.ObjectPath
	if err := svc.CallWithContext(ctx, "org.freedesktop.Secret.Service.ReadAlias", 0, "default").Store(&coll); err != nil {
		return err
	}
	if coll == "/" || coll == "" {
		return errors.New("no default collection yet")
	}
	var v dbus.Variant
	if err := d.conn.Object("org.freedesktop.secrets", coll).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0,
		"org.freedesktop.Secret.Collection", "Locked").Store(&v); err != nil {
		return err
	}
	if locked, _ := v.Value().(bool); locked {
		return fmt.Errorf("collection %s is locked", coll)
	}
	return nil
}

// run runs a short helper command with the session's environment, records
// it, and returns its stdout and stderr. Output goes through files so a
// command that leaves a child behind (xclip -i) does not block us.
func (d *Desktop) run(name string, stdin string, args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = d.Env()
	cmd.Dir = d.home
	cmd.SysProcAttr = newProcAttr()
	cmd.Stdin = strings.NewReader(stdin)
	outF, err := os.CreateTemp(d.logs, name+"-*.stdout")
	if err != nil {
		return "", "", err
	}
	defer outF.Close()
	errF, err := os.CreateTemp(d.logs, name+"-*.stderr")
	if err != nil {
		return "", "", err
	}
	defer errF.Close()
	cmd.Stdout, cmd.Stderr = outF, errF
	if err := cmd.Start(); err != nil {
		return "", "", err
	}
	d.record(name, cmd, outF.Name(), errF.Name())
	d.mu.Lock()
	d.pgids[cmd.Process.Pid] = true
	d.mu.Unlock()
	err = cmd.Wait()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s timed out after %v", name, DefaultTimeout)
	}
	o, _ := os.ReadFile(outF.Name())
	e, _ := os.ReadFile(errF.Name())
	return string(o), string(e), err
}

// Clipboard reads the CLIPBOARD selection on the session's display with
// xclip -o.
func (d *Desktop) Clipboard() (string, error) {
	if d.display == "" {
		return "", errors.New("e2e/desktop: no display (Options.NoDisplay)")
	}
	xclip, ok := d.hostTools["xclip"]
	if !ok {
		return "", errors.New("e2e/desktop: xclip is not installed")
	}
	out, serr, err := d.run("xclip-out", "", xclip, "-o", "-selection", "clipboard")
	if err != nil {
		return "", fmt.Errorf("xclip -o: %v: %s", err, strings.TrimSpace(serr))
	}
	return out, nil
}

// SetClipboard puts s on the CLIPBOARD selection (xclip -i; xclip stays in
// the background to serve it and is killed at teardown).
func (d *Desktop) SetClipboard(s string) error {
	if d.display == "" {
		return errors.New("e2e/desktop: no display (Options.NoDisplay)")
	}
	xclip, ok := d.hostTools["xclip"]
	if !ok {
		return errors.New("e2e/desktop: xclip is not installed")
	}
	_, serr, err := d.run("xclip-in", s, xclip, "-i", "-selection", "clipboard")
	if err != nil {
		return fmt.Errorf("xclip -i: %v: %s", err, strings.TrimSpace(serr))
	}
	// xclip -i returns before its forked child owns the selection: wait
	// until the clipboard reads back s, so callers never see the old owner.
	deadline := time.Now().Add(DefaultTimeout)
	for {
		got, err := d.Clipboard()
		if err == nil && got == s {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("xclip -i: clipboard still reads %q (%v)", got, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// SecretLookup runs `secret-tool lookup attr value ...` and returns the
// secret.
func (d *Desktop) SecretLookup(attrs ...string) (string, error) {
	st, ok := d.hostTools["secret-tool"]
	if !ok {
		return "", errors.New("e2e/desktop: secret-tool is not installed")
	}
	out, serr, err := d.run("secret-tool", "", append([]string{st, "lookup"}, attrs...)...)
	if err != nil {
		return "", fmt.Errorf("secret-tool lookup %s: %v: %s", strings.Join(attrs, " "), err, strings.TrimSpace(serr))
	}
	return out, nil
}

// SecretSearch runs `secret-tool search --all service <service>` and returns
// its text: stdout (label, secret, dates, schema) then stderr (the
// attribute.* lines).
func (d *Desktop) SecretSearch(service string) (string, error) {
	st, ok := d.hostTools["secret-tool"]
	if !ok {
		return "", errors.New("e2e/desktop: secret-tool is not installed")
	}
	out, serr, err := d.run("secret-tool", "", st, "search", "--all", "service", service)
	if err != nil {
		return out + serr, fmt.Errorf("secret-tool search: %v: %s", err, strings.TrimSpace(serr))
	}
	return out + serr, nil
}

// OpenedURLs lists every URL the fake xdg-open was given, in order.
func (d *Desktop) OpenedURLs() []string {
	b, err := os.ReadFile(d.urlsFile)
	if err != nil {
		return nil
	}
	var urls []string
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" {
			urls = append(urls, l)
		}
	}
	return urls
}

// WaitOpenedURL waits for the next URL not yet returned by WaitOpenedURL
// (the first call returns the first URL opened) and fails the test on
// timeout.
func (d *Desktop) WaitOpenedURL(t testing.TB, timeout time.Duration) string {
	t.Helper()
	d.mu.Lock()
	seen := d.urlsSeen
	d.mu.Unlock()
	var url string
	if !poll(timeout, 20*time.Millisecond, func() bool {
		if urls := d.OpenedURLs(); len(urls) > seen {
			url = urls[seen]
			return true
		}
		return false
	}) {
		t.Fatalf("e2e/desktop: no URL opened within %v (opened so far: %q)", timeout, d.OpenedURLs())
	}
	d.mu.Lock()
	d.urlsSeen = seen + 1
	d.mu.Unlock()
	return url
}

// Notifications returns every notification received so far, in order
// (nil with Options.NoNotifications).
func (d *Desktop) Notifications() []Notification {
	if d.notify == nil {
		return nil
	}
	return d.notify.all()
}

// WaitNotification waits until a received notification (earlier ones
// included) satisfies match, and returns the first that does. match may be
// nil to take any. It fails the test on timeout.
func (d *Desktop) WaitNotification(t testing.TB, match func(Notification) bool, timeout time.Duration) Notification {
	t.Helper()
	if d.notify == nil {
		t.Fatalf("e2e/desktop: WaitNotification with Options.NoNotifications")
	}
	var found Notification
	if !poll(timeout, 20*time.Millisecond, func() bool {
		for _, n := range d.notify.all() {
			if match == nil || match(n) {
				found = n
				return true
			}
		}
		return false
	}) {
		var b strings.Builder
		for _, n := range d.notify.all() {
			fmt.Fprintf(&b, "\n  %s", n)
		}
		t.Fatalf("e2e/desktop: no matching notification within %v; received:%s", timeout, b.String())
	}
	return found
}

// poll calls cond every interval until it returns true (→ true) or timeout
// passes (→ false). cond is always called at least once.
func poll(timeout, interval time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(interval)
	}
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("... (%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
