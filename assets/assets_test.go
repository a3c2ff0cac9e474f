package assets

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/png"
	"slices"
	"testing"
)

func decodePNG(t *testing.T, name string, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return img
}

func wantSize(t *testing.T, name string, img image.Image, size int) {
	t.Helper()
	if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
		t.Errorf("%s is %dx%d, want %dx%d", name, b.Dx(), b.Dy(), size, size)
	}
}

func TestTrayIcons(t *testing.T) {
	seen := map[string]State{}
	for _, s := range States {
		wantSize(t, s.String()+".png", decodePNG(t, s.String(), PNG(s)), 64)
		small, _ := FS.ReadFile(s.String() + "-32.png")
		wantSize(t, s.String()+"-32.png", decodePNG(t, s.String(), small), 32)
		if prev, dup := seen[string(PNG(s))]; dup {
			t.Errorf("%v and %v have the same icon", prev, s)
		}
		seen[string(PNG(s))] = s
	}
}

func TestTemplatesAreBlackAndAlphaOnly(t *testing.T) {
	for _, s := range States {
		one, _ := FS.ReadFile(s.String() + "-template.png")
		for name, tc := range map[string]struct {
			b    []byte
			size int
		}{
			s.String() + "-template.png":    {one, 22},
			s.String() + "-template@2x.png": {Template(s), 44},
		} {
			img := decodePNG(t, name, tc.b)
			wantSize(t, name, img, tc.size)
			opaque := 0
			for y := range tc.size {
				for x := range tc.size {
					r, g, b, a := img.At(x, y).RGBA()
					if r|g|b != 0 {
						t.Fatalf("%s: pixel (%d,%d) is not black: %v", name, x, y, img.At(x, y))
					}
					if a > 0 {
						opaque++
					}
				}
			}
			if opaque == 0 {
				t.Errorf("%s is empty", name)
			}
		}
	}
}

func TestICO(t *testing.T) {
	for _, s := range States {
		b := ICO(s)
		le := binary.LittleEndian
		if len(b) < 6 || le.Uint16(b[0:]) != 0 || le.Uint16(b[2:]) != 1 {
			t.Fatalf("%v: not an ICO header: % x", s, b[:min(len(b), 6)])
		}
		n := int(le.Uint16(b[4:]))
		var sizes []int
		for i := range n {
			e := b[6+16*i:]
			w, h := int(e[0]), int(e[1])
			size, off := le.Uint32(e[8:]), le.Uint32(e[12:])
			if int(off+size) > len(b) {
				t.Fatalf("%v: entry %d runs past the end", s, i)
			}
			img := decodePNG(t, s.String()+".ico", b[off:off+size])
			wantSize(t, s.String()+".ico", img, w)
			if w != h || le.Uint16(e[4:]) != 1 || le.Uint16(e[6:]) != 32 {
				t.Errorf("%v: entry %d: %dx%d planes %d bpp %d", s, i, w, h, le.Uint16(e[4:]), le.Uint16(e[6:]))
			}
			sizes = append(sizes, w)
		}
		if want := []int{16, 20, 24, 32, 40, 48, 64}; !slices.Equal(sizes, want) {
			t.Errorf("%v.ico sizes = %v, want %v", s, sizes, want)
		}
	}
}

func TestAppIcons(t *testing.T) {
	wantSize(t, "icon.png", decodePNG(t, "icon.png", mustRead("icon.png")), 512)
	wantSize(t, "icon-128.png", decodePNG(t, "icon-128.png", NotifyIcon()), 128)
}

func TestStateString(t *testing.T) {
	if got := State(9).String(); got != "State(9)" {
		t.Errorf("State(9).String() = %q", got)
	}
}
