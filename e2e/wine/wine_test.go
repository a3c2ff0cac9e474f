//go:build linux

package wine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/lastcheck"
	"github.com/plextray/plextray/internal/plextvsim"
	"github.com/plextray/plextray/internal/signin"
	"github.com/plextray/plextray/internal/tray"
)

func simEnv(sim *plextvsim.Sim) []string {
	return []string{
		"PLEXTRAY_PLEXTV_URL=" + sim.URL(),
		"PLEXTRAY_APP_URL=" + sim.URL(),
		"PLEXTRAY_PROBE_TIMEOUT=1s",
	}
}

// waitPIN returns the code of the simulator's only PIN once there is one.
func waitPIN(t *testing.T, sim *plextvsim.Sim) string {
	t.Helper()
	var code string
	eventually(t, "a PIN at the simulator", func() (bool, string) {
		pins := sim.PINs()
		if len(pins) == 1 {
			code = pins[0].Code
		}
		return code != "", fmt.Sprintf("%+v", pins)
	})
	return code
}

// TestCommandLine runs the Windows command line under Wine against the
// simulator, with Wine's Credential Manager as the keychain.
func TestCommandLine(t *testing.T) {
	b := need(t)
	sim := plextvsim.StartForTest(t, plextvsim.Options{})
	if err := sim.AddDemoServers(); err != nil {
		t.Fatal(err)
	}
	env := simEnv(sim)

	if r := b.run(t, env, b.exe, "token"); r.code != 3 {
		t.Fatalf("token before login: exit %d, want 3\n%s", r.code, r.stderr)
	}

	// login --no-browser --print: the code on stderr, the token alone on stdout.
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	login := b.cmd(ctx, b.exe, "login", "--no-browser", "--print")
	login.Env = append(login.Env, env...)
	stdout, stderr := b.outFile(t), b.outFile(t)
	login.Stdout, login.Stderr = stdout, stderr
	if err := login.Start(); err != nil {
		t.Fatal(err)
	}
	code := waitPIN(t, sim)
	if _, err := sim.LinkPIN(code, ""); err != nil {
		t.Fatal(err)
	}
	if err := login.Wait(); err != nil {
		t.Fatalf("login: %v\n%s", err, readOut(stderr))
	}
	token := strings.TrimSpace(readOut(stdout))
	if !sim.TokenValid(token) {
		t.Fatalf("login printed %q, not a valid token\n%s", readOut(stdout), readOut(stderr))
	}
	if e := readOut(stderr); !strings.Contains(e, code) || strings.Contains(e, token) {
		t.Fatalf("login stderr should show the code and not the token:\n%s", e)
	}

	// The token is in Wine's Credential Manager, not in a file of ours.
	if r := b.run(t, env, b.exe, "token"); r.code != 0 || strings.TrimSpace(r.stdout) != token {
		t.Fatalf("token: exit %d, %q\n%s", r.code, r.stdout, r.stderr)
	}
	if r := b.run(t, nil, "reg", "query", `HKCU\Software\Wine\Credential Manager`); r.code != 0 {
		t.Fatalf("Wine's Credential Manager key is missing: exit %d\n%s", r.code, r.stdout)
	}

	r := b.run(t, env, b.exe, "status")
	if r.code != 0 || !strings.Contains(r.stdout+r.stderr, "Signed in as Demo User") {
		t.Fatalf("status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = b.run(t, env, b.exe, "servers", "--json")
	var servers []struct {
		Name        string `json:"name"`
		Connections []struct {
			URI   string `json:"uri"`
			State string `json:"state"`
		} `json:"connections"`
	}
	if r.code != 0 {
		t.Fatalf("servers --json: exit %d\n%s", r.code, r.stderr)
	}
	if err := json.Unmarshal([]byte(r.stdout), &servers); err != nil {
		t.Fatalf("servers --json: %v\n%s", err, r.stdout)
	}
	var names []string
	for _, s := range servers {
		names = append(names, s.Name)
		if len(s.Connections) == 0 {
			t.Errorf("server %q: no connections", s.Name)
		}
	}
	if !strings.Contains(strings.Join(names, "|"), "Living Room") {
		t.Fatalf("servers --json: %q", names)
	}

	if r := b.run(t, env, b.exe, "logout"); r.code != 0 {
		t.Fatalf("logout: exit %d\n%s", r.code, r.stderr)
	}
	if sim.TokenValid(token) {
		t.Fatal("logout left the token valid at plex.tv")
	}
	if r := b.run(t, env, b.exe, "token"); r.code != 3 {
		t.Fatalf("token after logout: exit %d, want 3\n%s", r.code, r.stdout)
	}
}

// TestTray runs the tray in Wine's shell desktop and reads its live menu in
// every state: signed out, signing in, signed in with the Servers submenu,
// and signed out again. Each time the menu must hold exactly the items the
// model says, with no blank rows (fyne.io/systray used to put hidden items
// back as blank rows).
func TestTray(t *testing.T) {
	b := need(t)
	sim := plextvsim.StartForTest(t, plextvsim.Options{})
	if err := sim.AddDemoServers(); err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv("PLEXTRAY_WINE_SCREENSHOTS") // a folder: save screenshots there
	// Start signed out whatever an earlier test left in Credential Manager
	// (logout removes the entry even when plex.tv can't be asked).
	b.run(t, simEnv(sim), b.exe, "logout")
	version := strings.TrimPrefix(strings.TrimSpace(b.run(t, nil, b.exe, "--version").stdout), "plextray ")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app := b.cmd(ctx, b.exe)
	app.Env = append(app.Env, simEnv(sim)...)
	app.Env = append(app.Env, "PLEXTRAY_CLEAR_CLIPBOARD=3s")
	out := b.outFile(t)
	app.Stdout, app.Stderr = out, out
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = app.Wait(); close(exited) }()
	gone := func() bool {
		select {
		case <-exited:
			return true
		default:
			return false
		}
	}
	defer func() {
		select {
		case <-exited:
		default:
			// End every program of the prefix: killing the loader alone
			// can leave the Windows process behind.
			cancel()
			b.killAll()
			select {
			case <-exited:
			case <-time.After(wait):
				t.Errorf("the tray did not end")
			}
		}
	}()

	opts := tray.Options{Version: version}
	autostartOn := false
	// expect waits until the menu shows exactly what the model says for st
	// (its detail line taken from the menu) and returns it.
	expect := func(name string, st core.State) menu {
		t.Helper()
		var got menu
		eventually(t, name+" menu", func() (bool, string) {
			if gone() {
				t.Fatalf("the tray exited: %v\n%s", app.ProcessState, readOut(out))
			}
			m, err := b.tryMenu(t, "")
			if err != nil {
				return false, err.Error()
			}
			got = m
			s := st
			s.Autostart = core.Autostart{Supported: true, On: autostartOn}
			// Wine has no toast notifications; the menu says so.
			s.Notifications = errors.New("under Wine")
			model := tray.Render(s, opts)
			// The detail line (the latest notice) is taken from the menu.
			d := detail(m.top())
			model.Items[tray.KeyDetail] = tray.Item{Title: d, Visible: d != ""}
			// Server details shows once the server list is in (st has
			// none; the Servers check below looks inside it).
			if s.Phase == core.SignedIn && m.index("Server details") >= 0 {
				model.Items[tray.KeyServerDetails] = tray.Item{Title: "Server details", Visible: true, Enabled: true}
			}
			want := expectTop(model)
			if blank := blankRows(m); len(blank) > 0 {
				return false, fmt.Sprintf("blank rows %v in\n%s", blank, m)
			}
			return sameRows(m.top(), want), fmt.Sprintf("menu:\n%swant:\n%s", m.top(), want)
		})
		return got
	}

	// Signed out.
	expect("signed-out", core.State{Phase: core.SignedOut})
	checkIcon(t, b, shots)
	if shots != "" {
		b.openMenu(t, "w")
		savePNG(t, b.screenshot(t), filepath.Join(shots, "windows-signed-out.png"))
		b.keys(t, "e")
	}

	// Start at login: the Run value, and the checkmark.
	b.click(t, "Start at login")
	autostartOn = true
	expect("autostart on", core.State{Phase: core.SignedOut})
	run := `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`
	if v, code := b.regQuery(t, run, "plextray"); code != 0 || !strings.Contains(strings.ToLower(v), "tray.exe") {
		t.Fatalf("Run value after Start at login: exit %d\n%s", code, v)
	}
	b.click(t, "Start at login")
	autostartOn = false
	expect("autostart off", core.State{Phase: core.SignedOut})
	if v, code := b.regQuery(t, run, "plextray"); code == 0 {
		t.Fatalf("Run value still there after turning Start at login off:\n%s", v)
	}

	// Signing in: the code is in the menu; clicking it copies it.
	b.click(t, "Sign in with a code…")
	code := waitPIN(t, sim)
	expect("signing-in", core.State{Phase: core.SigningIn, Method: signin.Code, Code: code, URL: "link"})
	if shots != "" {
		b.openMenu(t, "w")
		savePNG(t, b.screenshot(t), filepath.Join(shots, "windows-signing-in.png"))
		b.keys(t, "e")
	}
	b.click(t, "Code: "+code+" (click to copy)")
	eventually(t, "the code on the X11 clipboard", func() (bool, string) {
		s, err := b.clipboard()
		return err == nil && s == code, fmt.Sprintf("%q %v", s, err)
	})

	// Signed in.
	if _, err := sim.LinkPIN(code, ""); err != nil {
		t.Fatal(err)
	}
	// The demo account has a Plex Home, so the Profile submenu shows.
	expect("signed-in", core.State{Phase: core.SignedIn, Username: "demo", Name: "Demo User", Profiles: core.Profiles{Offered: true}})
	var token string
	for _, p := range sim.PINs() {
		if p.Code == code {
			token = p.AuthToken
		}
	}
	if !sim.TokenValid(token) {
		t.Fatalf("no valid token for PIN %s", code)
	}

	// The Servers submenu: Check again, then one row per server, a leaf
	// whose click copies its URI; Server details: a submenu per server
	// (Copy server token, Open Plex Web, its connections). The profiles
	// are radio items.
	eventually(t, "Servers submenu with the demo servers", func() (bool, string) {
		m, err := b.tryMenu(t, "")
		if err != nil {
			return false, err.Error()
		}
		i := m.index("Servers")
		if i < 0 {
			return false, m.String()
		}
		sub := m.level(i)
		if len(blankRows(m)) > 0 || len(sub) < 2 || sub[0].title != "Check again" || sub[0].disabled {
			return false, m.String()
		}
		// Below "Check again": the status rows ("Checked …", the notify
		// toggle, a DNS note), then one row per server, without a submenu.
		// (Under Wine no demo server is reachable: Windows does not take
		// the simulator's CA from SSL_CERT_FILE. So every row is greyed
		// out, nothing to copy, as the model says for such a server.)
		found := 0
		for _, s := range sub[1:] {
			for _, name := range []string{"Living Room — ", "Dad's Plex (shared) — ", "Cabin — "} {
				if strings.HasPrefix(s.title, name) && !s.sub && s.disabled {
					found++
				}
			}
		}
		details := m.level(m.index("Server details"))
		if found != 3 || len(details) != 3 {
			return false, m.String()
		}
		for _, d := range details {
			if kids := m.level(m.index(d.title)); !d.sub || len(kids) < 3 || kids[0].title != "Copy server token" || kids[1].title != "Open Plex Web" {
				return false, m.String()
			}
		}
		radios := 0
		for _, p := range m.level(m.index("Profile")) {
			if p.radio && p.checked == (p.title == "Demo User (admin)") {
				radios++
			}
		}
		return radios == 3, m.String()
	})
	if shots != "" {
		// down is the keys from the top of a menu level to the item titled
		// with prefix (Wine's menus stop on disabled items too).
		down := func(level menu, prefix string) string {
			keys := ""
			for _, r := range level {
				if r.sep {
					continue
				}
				keys += "d"
				if strings.HasPrefix(r.title, prefix) {
					break
				}
			}
			return keys
		}
		// Servers open, on Living Room's row (the one a click copies).
		m := b.openMenu(t, "w")
		servers := m.level(m.index("Servers"))
		b.keys(t, down(m.top(), "Servers")+"wrw"+down(servers, "Living Room — ")[1:]+"w")
		savePNG(t, b.screenshot(t), filepath.Join(shots, "windows-signed-in-servers.png"))
		b.keys(t, "eee")
		// Server details, Living Room's submenu open.
		m = b.openMenu(t, "w")
		b.keys(t, down(m.top(), "Server details")+"wrwrw")
		savePNG(t, b.screenshot(t), filepath.Join(shots, "windows-server-details.png"))
		b.keys(t, "eee")
	}

	// The tray took its lock (LockFileEx) and shares its check with the
	// command line.
	config := filepath.Join(b.appData(), "plextray")
	eventually(t, "the shared check in %APPDATA%\\plextray", func() (bool, string) {
		r, err := lastcheck.Read(config)
		return err == nil && r.Account != "" && len(r.Servers) == 3, fmt.Sprintf("%+v %v", r, err)
	})
	if _, err := os.Stat(filepath.Join(config, lastcheck.TrayLock)); err != nil {
		t.Fatalf("tray.lock: %v", err)
	}

	// Signing in notified (or tried to): still one icon.
	checkIcon(t, b, "")

	// Copy token reaches the X11 clipboard through Wine, and is cleared.
	b.click(t, "Copy token")
	eventually(t, "the token on the X11 clipboard", func() (bool, string) {
		s, err := b.clipboard()
		return err == nil && s == token, fmt.Sprintf("%v", err)
	})
	eventually(t, "the token cleared from the clipboard", func() (bool, string) {
		s, err := b.clipboard()
		return err == nil && s != token, fmt.Sprintf("%v", err)
	})

	// Sign out.
	b.click(t, "Sign out")
	expect("signed-out again", core.State{Phase: core.SignedOut})
	eventually(t, "the token invalidated", func() (bool, string) { return !sim.TokenValid(token), "" })
	eventually(t, "the shared check removed", func() (bool, string) {
		_, err := lastcheck.Read(config)
		return errors.Is(err, fs.ErrNotExist), fmt.Sprint(err)
	})

	// The log is in %LOCALAPPDATA%\plextray\logs, without the token.
	logFile := filepath.Join(b.localAppData(), "plextray", "logs", "plextray.log")
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("log: %v", err)
	}
	if !strings.Contains(string(data), "starting") || strings.Contains(string(data), token) {
		t.Fatalf("log %s:\n%s", logFile, data)
	}

	// Quit ends the process with 0.
	b.click(t, "Quit")
	select {
	case <-exited:
		if waitErr != nil {
			t.Fatalf("quit: %v\n%s", waitErr, readOut(out))
		}
	case <-time.After(wait):
		t.Fatalf("tray did not quit\n%s", readOut(out))
	}
}

// detail is the menu's second line when it is the status detail (a
// disabled line that is not a hint).
func detail(top menu) string {
	if len(top) < 2 || top[1].sep || !top[1].disabled {
		return ""
	}
	for _, p := range []string{"Keychain:", "Clipboard:", "Notifications:"} {
		if strings.HasPrefix(top[1].title, p) {
			return ""
		}
	}
	return top[1].title
}

// checkIcon proves the icon is in the notification area, and only one:
// the taskbar's right end holds one icon-sized patch of non-taskbar pixels.
func checkIcon(t *testing.T, b *box, shots string) {
	t.Helper()
	var last image.Image
	eventually(t, "one icon in the notification area", func() (bool, string) {
		img := b.screenshot(t)
		last = img
		r := img.Bounds()
		y0, y1 := r.Max.Y-18, r.Max.Y-2 // inside the 20-px taskbar
		bg := img.At(r.Max.X-200, r.Max.Y-10)
		cols := 0
		for x := r.Max.X - 200; x < r.Max.X; x++ {
			for y := y0; y < y1; y++ {
				if !sameColor(img.At(x, y), bg) {
					cols++
					break
				}
			}
		}
		return cols >= 4 && cols <= 20, fmt.Sprintf("%d columns with icon pixels", cols)
	})
	if shots != "" {
		savePNG(t, last, filepath.Join(shots, "windows-desktop.png"))
	}
}

func sameColor(a, b color.Color) bool {
	r1, g1, b1, _ := a.RGBA()
	r2, g2, b2, _ := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2
}

// TestWindowsBuildHasOneTrayLibrary: beeep's Windows code imports a second
// tray library (github.com/tadvi/systray) for balloon notifications, which
// puts a second icon in the notification area. plextray's Windows build
// must not link it at all.
func TestWindowsBuildHasOneTrayLibrary(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	c := exec.Command("go", "list", "-deps", "github.com/plextray/plextray/cmd/tray")
	c.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	out, err := c.Output()
	if err != nil {
		t.Fatal(err)
	}
	deps := string(out)
	if !strings.Contains(deps, "fyne.io/systray\n") {
		t.Fatalf("fyne.io/systray missing from the Windows build:\n%s", deps)
	}
	for _, bad := range []string{"github.com/tadvi/systray", "github.com/gen2brain/beeep"} {
		if strings.Contains(deps, bad+"\n") {
			t.Errorf("the Windows build links %s", bad)
		}
	}
}

// TestLastCheckUnderWindows runs package lastcheck's own tests as a
// Windows program: the tray's lock (LockFileEx through gofrs/flock, which
// `uri` tries from another handle), the record's atomic writes and
// removal (Windows cannot replace an open file the way Linux can), and
// the network's name from GetAdaptersAddresses.
func TestLastCheckUnderWindows(t *testing.T) {
	b := need(t)
	exe := filepath.Join(t.TempDir(), "lastcheck.test.exe")
	build := exec.Command("go", "test", "-c", "-o", exe, "github.com/plextray/plextray/internal/lastcheck")
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go test -c: %v\n%s", err, out)
	}
	names := []string{"TestTrayLock", "TestWriteReadRemove", "TestKeeperWritesTheLatestAndOnlyItsOwn", "TestNetworkOf", "TestUsable"}
	r := b.run(t, nil, exe, "-test.v", "-test.run", "^("+strings.Join(names, "|")+")$")
	// Each test must pass. Wine lacks the delete call Go's RemoveAll
	// makes on Windows (FILE_DISPOSITION_POSIX_SEMANTICS: "Invalid
	// function"), so the testing package's clean-up of a temporary folder
	// that still holds a file can fail there; a test whose only message
	// is that clean-up is taken as passed, anything else fails.
	for _, name := range names {
		block, ok := testBlock(r.stdout, name)
		if !ok {
			t.Fatalf("%s did not run under Wine (exit %d):\n%s\n%s", name, r.code, r.stdout, r.stderr)
		}
		for _, line := range block {
			if !strings.Contains(line, "TempDir RemoveAll cleanup: unlinkat ") || !strings.HasSuffix(line, ": Invalid function.") {
				t.Fatalf("%s under Wine:\n%s", name, strings.Join(block, "\n"))
			}
		}
	}
}

// testBlock is what `go test -v` printed for the top-level test name,
// between its RUN and its PASS or FAIL line, trimmed; ok is false if it
// did not end.
func testBlock(out, name string) (lines []string, ok bool) {
	in := false
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "=== RUN   "+name:
			in = true
		case in && (strings.HasPrefix(l, "--- PASS: "+name+" ") || strings.HasPrefix(l, "--- FAIL: "+name+" ")):
			return lines, true
		case in && l != "":
			lines = append(lines, l)
		}
	}
	return nil, false
}
