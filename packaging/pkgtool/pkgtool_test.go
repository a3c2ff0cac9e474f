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
	"path/filepath"
	"strings"
	"testing"
	"time"
)

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
