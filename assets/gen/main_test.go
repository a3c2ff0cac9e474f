package main

import (
	"bytes"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestCommittedIconsAreCurrent renders every icon and compares its pixels
// with the checked-in file (pixels, not bytes, so a different zlib in a
// future Go does not matter). Run `go run ./assets/gen` when it fails.
func TestCommittedIconsAreCurrent(t *testing.T) {
	files, err := render()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Errorf("%v (run go run ./assets/gen)", err)
			continue
		}
		if filepath.Ext(name) == ".ico" {
			if !bytes.Equal(got, want) && !sameICOPixels(t, got, want) {
				t.Errorf("%s is stale: run go run ./assets/gen", name)
			}
			continue
		}
		if !samePixels(t, got, want) {
			t.Errorf("%s is stale: run go run ./assets/gen", name)
		}
	}
}

func samePixels(t *testing.T, a, b []byte) bool {
	t.Helper()
	ia, err1 := png.Decode(bytes.NewReader(a))
	ib, err2 := png.Decode(bytes.NewReader(b))
	if err1 != nil || err2 != nil {
		t.Logf("decode: %v, %v", err1, err2)
		return false
	}
	return bytes.Equal(nrgba(ia).Pix, nrgba(ib).Pix) && ia.Bounds() == ib.Bounds()
}

// sameICOPixels compares two ICO files made by encodeICO image by image.
func sameICOPixels(t *testing.T, a, b []byte) bool {
	t.Helper()
	pa, pb := icoImages(a), icoImages(b)
	if pa == nil || len(pa) != len(pb) {
		return false
	}
	for i := range pa {
		if !samePixels(t, pa[i], pb[i]) {
			return false
		}
	}
	return true
}

func icoImages(b []byte) [][]byte {
	if len(b) < 6 {
		return nil
	}
	n := int(b[4]) | int(b[5])<<8
	var out [][]byte
	for i := range n {
		e := b[6+16*i:]
		size := int(e[8]) | int(e[9])<<8 | int(e[10])<<16 | int(e[11])<<24
		off := int(e[12]) | int(e[13])<<8 | int(e[14])<<16 | int(e[15])<<24
		if off+size > len(b) {
			return nil
		}
		out = append(out, b[off:off+size])
	}
	return out
}

func nrgba(img image.Image) *image.NRGBA {
	if n, ok := img.(*image.NRGBA); ok {
		return n
	}
	n := image.NewNRGBA(img.Bounds())
	draw.Draw(n, n.Bounds(), img, img.Bounds().Min, draw.Src)
	return n
}

func TestEncodeICORejectsLargeImages(t *testing.T) {
	if _, err := encodeICO([]image.Image{image.NewNRGBA(image.Rect(0, 0, 257, 257))}); err == nil {
		t.Error("encodeICO accepted a 257 px image")
	}
}
