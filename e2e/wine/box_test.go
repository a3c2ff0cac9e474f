//go:build linux

package wine

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/bits"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// wait bounds every wait for a condition.
const wait = 60 * time.Second

// box is one Wine prefix with plextray's Windows build, the test DLLs and
// an Xvfb display, shared by the package's tests (made once per run).
type box struct {
	dir      string // temp dir holding everything
	wine     string // the wine64 loader
	server   string // wineserver
	exe      string // tray.exe (unix path)
	hook     string // menuhook.dll (unix path)
	display  string
	xvfb     *exec.Cmd
	xvfbPipe *os.File
	env      []string // WINEPREFIX, WINEDEBUG, DISPLAY, …
	user     string   // the Windows user name in the prefix
}

var (
	theBox  *box
	boxErr  error
	boxOnce sync.Once
)

func TestMain(m *testing.M) {
	code := m.Run()
	if theBox != nil {
		theBox.close()
	}
	os.Exit(code)
}

// need skips t with -short, and when a tool is missing skips it, or fails it
// with CI=true.
func need(t *testing.T) *box {
	t.Helper()
	if testing.Short() {
		t.Skip("wine test: skipped with -short")
	}
	if runtime.GOARCH != "amd64" {
		t.Skip("wine64 runs Windows/amd64 programs on linux/amd64 only")
	}
	var missing []string
	if wineLoader() == "" {
		missing = append(missing, "wine64 (apt: wine64)")
	}
	for _, tool := range []string{"x86_64-w64-mingw32-gcc", "Xvfb", "xclip", "xwd"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		msg := "missing " + strings.Join(missing, ", ") + ": run scripts/install-wine.sh"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	boxOnce.Do(func() { theBox, boxErr = newBox() })
	if boxErr != nil {
		t.Fatalf("wine prefix: %v", boxErr)
	}
	return theBox
}

// wineLoader finds Debian's wine64 loader (not on PATH there) or a wine64
// or wine on PATH.
func wineLoader() string {
	for _, name := range []string{"wine64", "wine"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/lib/wine/wine64"); err == nil {
		return "/usr/lib/wine/wine64"
	}
	return ""
}

// newBox builds tray.exe and the DLLs, starts Xvfb and makes a fresh prefix.
func newBox() (b *box, err error) {
	dir, err := os.MkdirTemp("", "plextray-wine")
	if err != nil {
		return nil, err
	}
	b = &box{dir: dir, wine: wineLoader()}
	defer func() {
		if err != nil {
			b.close()
			b = nil
		}
	}()
	b.server = filepath.Join(filepath.Dir(b.wine), "wineserver")
	if _, err := os.Stat(b.server); err != nil {
		b.server = "wineserver"
	}
	b.exe = filepath.Join(dir, "tray.exe")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-H windowsgui", "-o", b.exe, "github.com/plextray/plextray/cmd/tray")
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return b, fmt.Errorf("go build tray.exe: %v\n%s", err, out)
	}
	prng := filepath.Join(dir, "bcryptprimitives.dll")
	if err := mingw(prng, "testdata/bcryptprimitives/bcryptprimitives.c", "testdata/bcryptprimitives/bcryptprimitives.def", "-ladvapi32"); err != nil {
		return b, err
	}
	b.hook = filepath.Join(dir, "menuhook.dll")
	if err := mingw(b.hook, "testdata/menuhook/menuhook.c", "testdata/menuhook/menuhook.def"); err != nil {
		return b, err
	}
	if err := b.startXvfb(); err != nil {
		return b, err
	}
	prefix := filepath.Join(dir, "prefix")
	b.env = append(os.Environ(),
		"WINEPREFIX="+prefix,
		"WINEDEBUG=-all",
		"WINEARCH=win64",
		// No Mono or Gecko installer dialogs: nothing here needs them.
		"WINEDLLOVERRIDES=mscoree,mshtml=",
		"DISPLAY="+b.display,
		"MENUHOOK_OUT="+winPath(filepath.Join(dir, "menu.txt")),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if out, err := b.output(b.cmd(ctx, "wineboot", "-i")); err != nil {
		return b, fmt.Errorf("wineboot -i: %v\n%s", err, out)
	}
	w := exec.CommandContext(ctx, b.server, "-w")
	w.Env = b.env
	if out, err := b.output(w); err != nil {
		return b, fmt.Errorf("wineserver -w: %v\n%s", err, out)
	}
	// The Go runtime loads bcryptprimitives.dll from System32 only.
	data, err := os.ReadFile(prng)
	if err != nil {
		return b, err
	}
	if err := os.WriteFile(filepath.Join(prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll"), data, 0o644); err != nil {
		return b, err
	}
	// Every program of the prefix runs in one virtual desktop named
	// "shell", which has a taskbar and a notification area (as with
	// `wine explorer /desktop=shell,800x600 tray.exe`), so the menu helper
	// finds the tray's window and `wine tray.exe` still returns its exit code.
	for _, args := range [][]string{
		{"reg", "add", `HKCU\Software\Wine\Explorer`, "/v", "Desktop", "/d", "shell", "/f"},
		{"reg", "add", `HKCU\Software\Wine\Explorer\Desktops`, "/v", "shell", "/d", "800x600", "/f"},
	} {
		if out, err := b.output(b.cmd(ctx, args...)); err != nil {
			return b, fmt.Errorf("%v: %v\n%s", args, err, out)
		}
	}
	// Start that desktop now, with a program that only lists windows: two
	// programs starting it at once (the tray and the first menu helper)
	// could leave the tray hanging before its window existed.
	if out, err := b.output(b.cmd(ctx, "rundll32", winPath(b.hook)+",Windows")); err != nil {
		return b, fmt.Errorf("starting the shell desktop: %v\n%s", err, out)
	}
	users, err := os.ReadDir(filepath.Join(prefix, "drive_c", "users"))
	if err != nil {
		return b, err
	}
	for _, u := range users {
		if u.IsDir() && u.Name() != "Public" {
			b.user = u.Name()
		}
	}
	return b, nil
}

// mingw builds a Windows DLL from the test tooling's C source.
func mingw(out string, args ...string) error {
	cmd := exec.Command("x86_64-w64-mingw32-gcc", append([]string{"-shared", "-O2", "-Wall", "-o", out}, args...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s: %v\n%s", filepath.Base(out), err, b)
	}
	return nil
}

// startXvfb starts Xvfb on a free display, which it reports on a pipe.
// The pipe stays open while Xvfb runs (it writes there again when it resets,
// and would die of SIGPIPE), and -noreset keeps it from resetting when the
// last client goes.
func (b *box) startXvfb() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	b.xvfbPipe = r
	b.xvfb = exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "800x600x24", "-nolisten", "tcp", "-noreset")
	b.xvfb.ExtraFiles = []*os.File{w}
	if err := b.xvfb.Start(); err != nil {
		w.Close()
		return err
	}
	w.Close()
	line := make(chan string, 1)
	go func() {
		buf := make([]byte, 32)
		n, _ := r.Read(buf)
		line <- strings.TrimSpace(string(buf[:n]))
	}()
	select {
	case n := <-line:
		if _, err := strconv.Atoi(n); err != nil {
			return fmt.Errorf("xvfb: display %q", n)
		}
		b.display = ":" + n
		return nil
	case <-time.After(wait):
		return errors.New("xvfb did not start")
	}
}

// killAll ends every program in the prefix (wineserver -k).
func (b *box) killAll() {
	if b.env != nil {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		k := exec.CommandContext(ctx, b.server, "-k")
		k.Env = b.env
		_ = k.Run()
	}
}

func (b *box) close() {
	b.killAll()
	if b.xvfb != nil && b.xvfb.Process != nil {
		_ = b.xvfb.Process.Kill()
		_ = b.xvfb.Wait()
	}
	if b.xvfbPipe != nil {
		b.xvfbPipe.Close()
	}
	os.RemoveAll(b.dir)
}

// cmd is `wine64 args…` in the prefix, with extra environment.
func (b *box) cmd(ctx context.Context, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, b.wine, args...)
	c.Env = b.env
	c.WaitDelay = 5 * time.Second
	return c
}

// output runs c with stdout and stderr in one file, not a pipe: Wine's
// background processes (wineserver, services.exe, explorer.exe) inherit
// them and would keep a pipe open long after c ends.
func (b *box) output(c *exec.Cmd) (string, error) {
	f, err := os.CreateTemp(b.dir, "out-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	c.Stdout, c.Stderr = f, f
	err = c.Run()
	data, _ := os.ReadFile(f.Name())
	return string(data), err
}

// outFile is a file to give a Windows program as stdout or stderr (see
// output); read it with readOut.
func (b *box) outFile(t *testing.T) *os.File {
	t.Helper()
	f, err := os.CreateTemp(b.dir, "out-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close(); os.Remove(f.Name()) })
	return f
}

func readOut(f *os.File) string {
	data, _ := os.ReadFile(f.Name())
	return string(data)
}

// result is what one Windows program did.
type result struct {
	code           int
	stdout, stderr string
}

// run runs a Windows program to its end (at most wait) with extra env.
func (b *box) run(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	c := b.cmd(ctx, args...)
	c.Env = append(c.Env, env...)
	out, errf := b.outFile(t), b.outFile(t)
	c.Stdout, c.Stderr = out, errf
	err := c.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ctx.Err() == nil:
	default:
		t.Fatalf("wine %v: %v\n%s", args, err, readOut(errf))
	}
	return result{c.ProcessState.ExitCode(), readOut(out), readOut(errf)}
}

// regQuery returns `wine reg query key /v value`'s output and exit code.
func (b *box) regQuery(t *testing.T, key, value string) (string, int) {
	t.Helper()
	r := b.run(t, nil, "reg", "query", key, "/v", value)
	return r.stdout, r.code
}

// localAppData is %LOCALAPPDATA% of the prefix's user, as a unix path.
func (b *box) localAppData() string {
	return filepath.Join(b.dir, "prefix", "drive_c", "users", b.user, "AppData", "Local")
}

// appData is %APPDATA% of the prefix's user (os.UserConfigDir), as a
// unix path.
func (b *box) appData() string {
	return filepath.Join(b.dir, "prefix", "drive_c", "users", b.user, "AppData", "Roaming")
}

// winPath is how a Windows program in the prefix names a unix path (Wine
// maps drive Z: to /).
func winPath(p string) string { return "Z:" + strings.ReplaceAll(p, "/", `\`) }

// screenshot returns the whole Xvfb screen (xwd, decoded here).
func (b *box) screenshot(t *testing.T) image.Image {
	t.Helper()
	// xwd can fail with an X error while a window goes away under it (a
	// menu closing); try again.
	var out []byte
	var err error
	var stderr bytes.Buffer
	for range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		c := exec.CommandContext(ctx, "xwd", "-root", "-silent", "-display", b.display)
		stderr.Reset()
		c.Stderr = &stderr
		out, err = c.Output()
		cancel()
		if err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("screenshot: xwd: %v\n%s", err, stderr.String())
	}
	img, err := decodeXWD(out)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return img
}

// decodeXWD decodes the 24- or 32-bit TrueColor ZPixmap dumps xwd makes of
// an Xvfb screen.
func decodeXWD(data []byte) (image.Image, error) {
	if len(data) < 100 {
		return nil, errors.New("xwd: short header")
	}
	h := func(i int) uint32 { return binary.BigEndian.Uint32(data[4*i:]) }
	headerSize, format, width, height := h(0), h(2), int(h(4)), int(h(5))
	byteOrder, bpp, bpl := h(7), h(11), int(h(12))
	rmask, gmask, bmask, ncolors := h(14), h(15), h(16), int(h(19))
	if format != 2 || (bpp != 24 && bpp != 32) {
		return nil, fmt.Errorf("xwd: format %d, %d bits per pixel: only 24- or 32-bit ZPixmap", format, bpp)
	}
	n := int(bpp / 8)
	off := int(headerSize) + 12*ncolors
	if len(data) < off+bpl*height {
		return nil, errors.New("xwd: short pixel data")
	}
	var order binary.ByteOrder = binary.LittleEndian
	if byteOrder == 1 {
		order = binary.BigEndian
	}
	channel := func(p, mask uint32) uint8 {
		if mask == 0 {
			return 0
		}
		return uint8((p & mask) >> bits.TrailingZeros32(mask))
	}
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for y := range height {
		row := data[off+y*bpl:]
		for x := range width {
			var px [4]byte
			if order == binary.ByteOrder(binary.LittleEndian) {
				copy(px[:n], row[n*x:n*x+n])
			} else {
				copy(px[4-n:], row[n*x:n*x+n])
			}
			p := order.Uint32(px[:])
			img.SetRGBA(x, y, color.RGBA{channel(p, rmask), channel(p, gmask), channel(p, bmask), 255})
		}
	}
	return img, nil
}

// savePNG writes img to path (for the docs' screenshots).
func savePNG(t *testing.T, img image.Image, path string) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// clipboard reads the X11 clipboard, which Wine bridges to the Windows one.
// A clipboard owner that never answers (Wine busy) fails this read after
// 10 s instead of hanging the suite; callers poll it until their deadline.
func (b *box) clipboard() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, "xclip", "-o", "-selection", "clipboard")
	c.Env = append(os.Environ(), "DISPLAY="+b.display)
	out, err := c.Output()
	return string(out), err
}

// eventually polls cond until it holds or wait passes.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(wait)
	last := ""
	for {
		ok, got := cond()
		if ok {
			return
		}
		last = got
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; last:\n%s", what, wait, last)
		}
		time.Sleep(100 * time.Millisecond) // polling a condition, bounded by the deadline
	}
}
