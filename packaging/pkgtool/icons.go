package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
)

// launcherSizes are the hicolor sizes application launchers, docks and
// software centres pick from.
var launcherSizes = []int{16, 22, 24, 32, 48, 64, 128, 256, 512}

// writeIcons scales the square PNG src to each size and writes
// dir/hicolor/NxN/apps/name.png.
func writeIcons(src, dir, name string, sizes []int) error {
	if src == "" || dir == "" || name == "" {
		return fmt.Errorf("-src, -o and -name are required")
	}
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	if b := img.Bounds(); b.Dx() != b.Dy() {
		return fmt.Errorf("%s is %dx%d, not square", src, b.Dx(), b.Dy())
	}
	for _, n := range sizes {
		var buf bytes.Buffer
		if err := png.Encode(&buf, scale(img, n)); err != nil {
			return err
		}
		sub := filepath.Join(dir, "hicolor", fmt.Sprintf("%dx%d", n, n), "apps")
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(sub, name+".png"), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// scale resizes src to n×n by area averaging in premultiplied alpha: each
// output pixel is the mean of the source area it covers, weighted by the
// covered fraction of each source pixel. Right for downscaling (what icons
// need); upscaling repeats pixels. Deterministic (integer-free float math
// on the same inputs gives the same bytes).
func scale(src image.Image, n int) *image.NRGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	dst := image.NewNRGBA(image.Rect(0, 0, n, n))
	fx := float64(sw) / float64(n)
	fy := float64(sh) / float64(n)
	for y := 0; y < n; y++ {
		y0, y1 := float64(y)*fy, float64(y+1)*fy
		for x := 0; x < n; x++ {
			x0, x1 := float64(x)*fx, float64(x+1)*fx
			var r, g, bl, a, area float64
			for sy := int(y0); float64(sy) < y1 && sy < sh; sy++ {
				wy := min(y1, float64(sy+1)) - max(y0, float64(sy))
				for sx := int(x0); float64(sx) < x1 && sx < sw; sx++ {
					wx := min(x1, float64(sx+1)) - max(x0, float64(sx))
					w := wx * wy
					if w <= 0 {
						continue
					}
					pr, pg, pb, pa := src.At(b.Min.X+sx, b.Min.Y+sy).RGBA() // premultiplied, 16-bit
					r += w * float64(pr)
					g += w * float64(pg)
					bl += w * float64(pb)
					a += w * float64(pa)
					area += w
				}
			}
			if area == 0 || a == 0 {
				continue
			}
			// Un-premultiply to 8-bit NRGBA.
			dst.SetNRGBA(x, y, color.NRGBA{
				R: to8(r / a * 0xffff),
				G: to8(g / a * 0xffff),
				B: to8(bl / a * 0xffff),
				A: to8(a / area),
			})
		}
	}
	return dst
}

func to8(v float64) uint8 {
	v = v/257 + 0.5
	switch {
	case v < 0:
		return 0
	case v > 255:
		return 255
	}
	return uint8(v)
}
