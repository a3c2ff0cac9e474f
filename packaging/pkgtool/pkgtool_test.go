package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const topHelp = `plextray — sign in to Plex from the tray, and from scripts

Usage:
  plextray                  start the tray app
  plextray login [flags]    sign in

Run 'plextray <command> --help' for a command's flags.
.a line that looks like a request, and a \backslash

Environment (the same for the tray and every command):
  PLEXTRAY_TOKEN   a token

Exit codes:
  0 success · 1 failure
`

const loginHelp = `Usage: plextray login [--print] [--timeout 5m]

  -print
    	also write the token alone to stdout
  -timeout duration
    	give up after this long (default 5m0s)
`

func TestRenderManIsCleanTroff(t *testing.T) {
	var b bytes.Buffer
	page := []helpText{{Text: topHelp}, {Command: "login", Text: loginHelp}}
	if err := renderMan(&b, page, "1.2.3", time.Unix(1700000000, 0).UTC()); err != nil {
		t.Fatal(err)
	}
	src := b.String()
	for _, want := range []string{
		`.TH "PLEXTRAY" 1 "2023\-11\-14" "plextray 1.2.3"`,
		".SH NAME\nplextray \\- sign in to Plex from the tray, and from scripts\n",
		".SH \"SYNOPSIS\"", ".SH \"EXIT CODES\"", ".SH \"ENVIRONMENT\"\n.PP\n(the same for the tray and every command)\n", ".SS \"login\"",
		`\&.a line`, `\ebackslash`, `\-\-print`,
	} {
		if !strings.Contains(src, want) {
			t.Errorf("page lacks %q:\n%s", want, src)
		}
	}
	groff, err := exec.LookPath("groff")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("groff is not installed (groff-base)")
		}
		t.Skip("groff is not installed")
	}
	cmd := exec.Command(groff, "-k", "-man", "-Tutf8", "-ww") // -k: preconv, as man(1) does
	cmd.Stdin = strings.NewReader(src)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("groff: %v\n%s", err, stderr.String())
	}
	// What a person reads: the literal blocks keep their words, and the
	// line that looked like a request is text.
	text := strings.Join(strings.Fields(stripOverstrike(string(out))), " ")
	for _, want := range []string{"plextray login [flags] sign in", ".a line that looks like a request, and a \\backslash", "-timeout duration", "0 success · 1 failure"} {
		if !strings.Contains(text, want) {
			t.Errorf("rendered page lacks %q:\n%s", want, text)
		}
	}
}

// stripOverstrike removes groff's bold/underline backspace sequences.
func stripOverstrike(s string) string {
	r := []rune(s)
	var out []rune
	for i := 0; i < len(r); i++ {
		if i+1 < len(r) && r[i+1] == '\b' {
			i++
			continue
		}
		out = append(out, r[i])
	}
	return strings.ReplaceAll(string(out), "‐", "-")
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", ".TH x", "'x", `a\b`, "-x", "a\nb", "\x1b[2J", "\u0085."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := escape(s)
		if strings.ContainsAny(e, "\n\r\x00") {
			t.Fatalf("escape(%q) = %q holds a line break", s, e)
		}
		if strings.HasPrefix(e, ".") || strings.HasPrefix(e, "'") {
			t.Fatalf("escape(%q) = %q starts a request", s, e)
		}
		// Every backslash starts one of our escapes.
		for i := 0; i < len(e); i++ {
			if e[i] == '\\' {
				if i+1 >= len(e) || !strings.ContainsRune("e-&", rune(e[i+1])) {
					t.Fatalf("escape(%q) = %q has a stray backslash at %d", s, e, i)
				}
				i++
			}
		}
		q := quoteArg(s)
		if strings.Count(q, `"`) != 2 {
			t.Fatalf("quoteArg(%q) = %q", s, q)
		}
	})
}

// TestHelpPageAsksTheBinary runs a stand-in program (the real binary's
// commands are covered by scripts/ci-package.sh, which builds the page from
// it): commands it does not know are left out, a broken --help fails.
func TestHelpPageAsksTheBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "plextray")
	script := "#!/bin/sh\ncase \"$1\" in\n--help) echo 'plextray — test'; echo \"HOME=$HOME TOKEN=$PLEXTRAY_TOKEN\";;\n" +
		"login) echo 'Usage: plextray login';;\n*) echo unknown >&2; exit 2;;\nesac\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PLEXTRAY_TOKEN", "secret-token")
	page, err := helpPage(bin)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[1].Command != "login" || !strings.Contains(page[1].Text, "Usage: plextray login") {
		t.Fatalf("page %+v", page)
	}
	if !strings.Contains(page[0].Text, "HOME=/nonexistent TOKEN=\n") {
		t.Fatalf("the help ran with the caller's environment: %q", page[0].Text)
	}
	if _, err := helpPage(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("no error for a missing binary")
	}
}

func TestScale(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 512, 512))
	for y := 0; y < 512; y++ {
		for x := 0; x < 512; x++ {
			switch {
			case x < 256:
				src.SetNRGBA(x, y, color.NRGBA{R: 200, G: 10, B: 30, A: 255})
			case y < 256:
				src.SetNRGBA(x, y, color.NRGBA{}) // transparent
			default:
				src.SetNRGBA(x, y, color.NRGBA{R: 255, G: 255, B: 255, A: 128})
			}
		}
	}
	for _, n := range launcherSizes {
		got := scale(src, n)
		if got.Bounds().Dx() != n || got.Bounds().Dy() != n {
			t.Fatalf("%d: bounds %v", n, got.Bounds())
		}
		if c := got.NRGBAAt(0, 0); c != (color.NRGBA{R: 200, G: 10, B: 30, A: 255}) {
			t.Errorf("%d: opaque corner %v", n, c)
		}
		if c := got.NRGBAAt(n-1, 0); c.A != 0 {
			t.Errorf("%d: transparent corner %v", n, c)
		}
		if c := got.NRGBAAt(n-1, n-1); c != (color.NRGBA{R: 255, G: 255, B: 255, A: 128}) {
			t.Errorf("%d: half-transparent corner %v", n, c)
		}
	}
	// An odd size straddles the edge between red and transparent: its
	// colour stays red (premultiplied averaging never darkens towards the
	// transparent pixels' black), its alpha is in between.
	got := scale(src, 5)
	c := got.NRGBAAt(2, 0)
	if c.R != 200 || c.G != 10 || c.B != 30 || c.A < 100 || c.A > 155 {
		t.Errorf("edge pixel %v", c)
	}
}

func TestWriteIcons(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "icon.png")
	f, _ := os.Create(src)
	png.Encode(f, image.NewNRGBA(image.Rect(0, 0, 64, 64)))
	f.Close()
	out := filepath.Join(dir, "out")
	if err := writeIcons(src, out, "io.example.App", []int{16, 48}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"16x16", "48x48"} {
		b, err := os.ReadFile(filepath.Join(out, "hicolor", n, "apps", "io.example.App.png"))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil || n != fmt.Sprintf("%dx%d", cfg.Width, cfg.Height) {
			t.Errorf("%s: %v %+v", n, err, cfg)
		}
	}
	f, _ = os.Create(src)
	png.Encode(f, image.NewNRGBA(image.Rect(0, 0, 64, 32)))
	f.Close()
	if err := writeIcons(src, out, "x", []int{16}); err == nil {
		t.Fatal("a non-square source was accepted")
	}
}

func stage(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "share", "man"), 0o700)
	os.WriteFile(filepath.Join(dir, "plextray"), []byte("#!/bin/sh\n"), 0o700)
	os.WriteFile(filepath.Join(dir, "share", "man", "plextray.1"), []byte(".TH X 1\n"), 0o600)
	return dir
}

func TestArchivesAreReproducible(t *testing.T) {
	mtime := time.Unix(1700000000, 0).UTC()
	build := func(kind string, dir string) []byte {
		var b bytes.Buffer
		var err error
		if kind == "tar" {
			err = writeTarGz(&b, dir, "plextray_1_linux_amd64", mtime)
		} else {
			err = writeZip(&b, dir, "plextray_1_windows_amd64", mtime)
		}
		if err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a, b := stage(t), stage(t)
	// Different times and umask-like modes on disk must not matter.
	os.Chtimes(filepath.Join(b, "plextray"), time.Now(), time.Now())
	os.Chmod(filepath.Join(b, "plextray"), 0o775)
	for _, kind := range []string{"tar", "zip"} {
		if !bytes.Equal(build(kind, a), build(kind, b)) {
			t.Errorf("%s: two builds differ", kind)
		}
	}

	gz, err := gzip.NewReader(bytes.NewReader(build("tar", a)))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if !h.ModTime.Equal(mtime) || h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: mtime %v owner %d:%d", h.Name, h.ModTime, h.Uid, h.Gid)
		}
		want := int64(0o644)
		if h.Typeflag == tar.TypeDir || strings.HasSuffix(h.Name, "/plextray") {
			want = 0o755
		}
		if h.Mode != want {
			t.Errorf("%s: mode %o, want %o", h.Name, h.Mode, want)
		}
	}
	wantNames := "plextray_1_linux_amd64/ plextray_1_linux_amd64/plextray plextray_1_linux_amd64/share/ plextray_1_linux_amd64/share/man/ plextray_1_linux_amd64/share/man/plextray.1"
	if strings.Join(names, " ") != wantNames {
		t.Errorf("tar holds %q", names)
	}

	z := build("zip", a)
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if !f.Modified.Equal(mtime) {
			t.Errorf("%s: modified %v", f.Name, f.Modified)
		}
		if f.Name == "plextray_1_windows_amd64/plextray" && f.Mode().Perm() != 0o755 {
			t.Errorf("%s: mode %v", f.Name, f.Mode())
		}
	}
}

func TestArchiveRefusesSymlinks(t *testing.T) {
	dir := stage(t)
	os.Symlink("/etc/passwd", filepath.Join(dir, "link"))
	if err := writeTarGz(io.Discard, dir, "p", time.Unix(0, 0)); err == nil {
		t.Fatal("a symlink was archived")
	}
}
