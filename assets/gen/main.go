// Command gen draws plextray's icons and writes them to the assets directory:
//
//	go run ./assets/gen            # from the repository root
//	go run ./assets/gen -o DIR     # somewhere else
//
// Every icon is drawn from the same few shapes (a Plex-like chevron, a round
// badge and its glyph; signed out, the app icon's tile) at each pixel size, supersampled 8×8 for smooth edges,
// so small sizes are rendered directly rather than scaled down. The output is
// deterministic; TestCommittedIconsAreCurrent checks the checked-in files.
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

// State names, also the file name stems. Keep in step with assets.State.
var states = []string{"signed-out", "signing-in", "signed-in", "error", "no-server", "some-unreachable", "plextv-down"}

// Sizes.
const (
	trayPNG       = 64  // <state>.png: Linux/BSD StatusNotifierItem pixmap
	trayPNGSmall  = 32  // <state>-32.png
	templateSize  = 22  // <state>-template.png: macOS menu bar, 1x
	appIconSize   = 512 // icon.png: FyneApp.toml, packages
	notifyIconSz  = 128 // icon-128.png: notifications
	superSampling = 8
)

// icoSizes are the images in each <state>.ico: what Windows picks from for
// the notification area at 100 %–200 % scaling (and LR_DEFAULTSIZE's 32).
var icoSizes = []int{16, 20, 24, 32, 40, 48, 64}

func main() {
	out := flag.String("o", "assets", "output directory")
	flag.Parse()
	files, err := render()
	if err != nil {
		log.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(*out, name), data, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("wrote %d files to %s\n", len(files), *out)
}

// render returns every generated file by name.
func render() (map[string][]byte, error) {
	files := map[string][]byte{}
	add := func(name string, img image.Image) error {
		b, err := encodePNG(img)
		files[name] = b
		return err
	}
	for _, st := range states {
		if err := add(st+".png", rasterize(trayPainter(st), trayPNG)); err != nil {
			return nil, err
		}
		if err := add(st+"-32.png", rasterize(trayPainter(st), trayPNGSmall)); err != nil {
			return nil, err
		}
		if err := add(st+"-template.png", rasterize(templatePainter(st), templateSize)); err != nil {
			return nil, err
		}
		if err := add(st+"-template@2x.png", rasterize(templatePainter(st), 2*templateSize)); err != nil {
			return nil, err
		}
		var imgs []image.Image
		for _, size := range icoSizes {
			imgs = append(imgs, rasterize(trayPainter(st), size))
		}
		ico, err := encodeICO(imgs)
		if err != nil {
			return nil, err
		}
		files[st+".ico"] = ico
	}
	if err := add("icon.png", rasterize(appIconPainter, appIconSize)); err != nil {
		return nil, err
	}
	if err := add("icon-128.png", rasterize(appIconPainter, notifyIconSz)); err != nil {
		return nil, err
	}
	return files, nil
}

// Colours.
var (
	plexOrange  = color.NRGBA{0xE5, 0xA0, 0x0D, 0xFF}
	dimGrey     = color.NRGBA{0x9A, 0x9A, 0x9A, 0xFF}
	busyBlue    = color.NRGBA{0x2F, 0x80, 0xED, 0xFF}
	okGreen     = color.NRGBA{0x2D, 0xA4, 0x4E, 0xFF}
	errRed      = color.NRGBA{0xE0, 0x31, 0x31, 0xFF}
	slate       = color.NRGBA{0x5B, 0x63, 0x70, 0xFF} // signed in, but no server answers
	warnYellow  = color.NRGBA{0xF6, 0xC3, 0x43, 0xFF} // a server online at plex.tv is unreachable from here
	darkGlyph   = color.NRGBA{0x2B, 0x2B, 0x2B, 0xFF} // the glyph on a light badge
	white       = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	black       = color.NRGBA{0x00, 0x00, 0x00, 0xFF}
	appBack     = color.NRGBA{0x28, 0x2A, 0x2D, 0xFF}
	transparent = color.NRGBA{}
)

// A painter gives the colour at a point of the unit square (y grows down).
type painter func(x, y float64) color.NRGBA

// rasterize draws p at size×size pixels, averaging superSampling² samples
// per pixel in premultiplied alpha.
func rasterize(p painter, size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const n = superSampling
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < n; sy++ {
				for sx := 0; sx < n; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/n) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/n) / float64(size)
					c := p(x, y)
					ca := float64(c.A) / 255
					r += float64(c.R) * ca
					g += float64(c.G) * ca
					b += float64(c.B) * ca
					a += ca
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(r / a)),
				G: uint8(math.Round(g / a)),
				B: uint8(math.Round(b / a)),
				A: uint8(math.Round(a / (n * n) * 255)),
			})
		}
	}
	return img
}

// Geometry, in the unit square.

type pt struct{ x, y float64 }

// chevron is a Plex-like ">" with horizontally cut ends.
func chevron(x0, top, bottom, thick, tip float64) []pt {
	mid := (top + bottom) / 2
	return []pt{
		{x0, top}, {x0 + thick, top}, {tip, mid},
		{x0 + thick, bottom}, {x0, bottom}, {tip - thick, mid},
	}
}

var trayChevron = chevron(0.08, 0.05, 0.95, 0.30, 0.80)

// insidePoly reports whether (x, y) is inside the polygon (even-odd rule).
func insidePoly(poly []pt, x, y float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.y > y) != (b.y > y) && x < (b.x-a.x)*(y-a.y)/(b.y-a.y)+a.x {
			in = !in
		}
	}
	return in
}

func distSeg(a, b pt, x, y float64) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	t := ((x-a.x)*dx + (y-a.y)*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(x-(a.x+t*dx), y-(a.y+t*dy))
}

// The badge sits in the bottom-right corner, cut out of the chevron with a
// transparent gap so it reads at 16 px.
const (
	badgeR   = 0.235
	badgeCX  = 1 - badgeR
	badgeCY  = 1 - badgeR
	badgeGap = 0.065
)

// glyph reports whether badge-local (u, v) ∈ [-1, 1]² is inside the state's
// glyph: dots while signing in, a check when signed in, "!" on error, a
// dash when no server answers, a half-filled ring when some server online
// at plex.tv is unreachable from here, a cross when plex.tv can't be
// reached.
func glyph(state string, u, v float64) bool {
	switch state {
	case "signing-in":
		for _, cx := range []float64{-0.52, 0, 0.52} {
			if math.Hypot(u-cx, v) < 0.19 {
				return true
			}
		}
	case "signed-in":
		a, b, c := pt{-0.50, 0.02}, pt{-0.14, 0.38}, pt{0.52, -0.34}
		return distSeg(a, b, u, v) < 0.16 || distSeg(b, c, u, v) < 0.16
	case "error":
		return distSeg(pt{0, -0.52}, pt{0, 0.12}, u, v) < 0.16 || math.Hypot(u, v-0.50) < 0.17
	case "no-server": // a dash: nothing answers
		return distSeg(pt{-0.46, 0}, pt{0.46, 0}, u, v) < 0.17
	case "some-unreachable": // a ring, its left half filled: some, not all
		r := math.Hypot(u, v)
		return r < 0.60 && (r > 0.40 || u < 0)
	case "plextv-down": // a cross: plex.tv does not answer
		return distSeg(pt{-0.40, -0.40}, pt{0.40, 0.40}, u, v) < 0.16 || distSeg(pt{-0.40, 0.40}, pt{0.40, -0.40}, u, v) < 0.16
	}
	return false
}

// glyphColor is the glyph's colour on the state's badge.
func glyphColor(state string) color.NRGBA {
	if state == "some-unreachable" {
		return darkGlyph
	}
	return white
}

func badgeColor(state string) (color.NRGBA, bool) {
	switch state {
	case "signing-in":
		return busyBlue, true
	case "signed-in":
		return okGreen, true
	case "error":
		return errRed, true
	case "no-server":
		return slate, true
	case "some-unreachable":
		return warnYellow, true
	case "plextv-down":
		return errRed, true
	}
	return transparent, false
}

// trayPainter draws the coloured tray icon for a state.
func trayPainter(state string) painter {
	if state == "signed-out" {
		return signedOutPainter
	}
	body := plexOrange
	badge, hasBadge := badgeColor(state)
	fg := glyphColor(state)
	return func(x, y float64) color.NRGBA {
		if hasBadge {
			d := math.Hypot(x-badgeCX, y-badgeCY)
			if d < badgeR {
				if glyph(state, (x-badgeCX)/badgeR, (y-badgeCY)/badgeR) {
					return fg
				}
				return badge
			}
			if d < badgeR+badgeGap {
				return transparent
			}
		}
		if insidePoly(trayChevron, x, y) {
			return body
		}
		return transparent
	}
}

// The signed-out icon is plextray's own tile, as in the app launcher (a
// dark rounded square with a light rim, the orange chevron inside): a bare
// grey chevron looked like a panel's own "show hidden icons" arrow.
const (
	tileMargin = 0.03
	tileRadius = 0.22
	tileRim    = 0.06
)

var tileChevron = chevron(0.27, 0.19, 0.81, 0.20, 0.76)

func signedOutPainter(x, y float64) color.NRGBA {
	if !inRoundRect(x, y, tileMargin, 1-tileMargin, tileRadius) {
		return transparent
	}
	if !inRoundRect(x, y, tileMargin+tileRim, 1-tileMargin-tileRim, tileRadius-tileRim) {
		return dimGrey // the rim: the tile stays visible on a dark panel
	}
	if insidePoly(tileChevron, x, y) {
		return plexOrange
	}
	return appBack
}

// templatePainter draws the macOS template variant: black and alpha only.
// macOS recolours it for light and dark menu bars. Signed out is the
// tile's rim with the chevron inside; badges are solid with the glyph
// knocked out.
func templatePainter(state string) painter {
	_, hasBadge := badgeColor(state)
	return func(x, y float64) color.NRGBA {
		if state == "signed-out" {
			inTile := inRoundRect(x, y, tileMargin, 1-tileMargin, tileRadius)
			inside := inRoundRect(x, y, tileMargin+tileRim*1.5, 1-tileMargin-tileRim*1.5, tileRadius-tileRim*1.5)
			if inTile && (!inside || insidePoly(tileChevron, x, y)) {
				return black
			}
			return transparent
		}
		if hasBadge {
			d := math.Hypot(x-badgeCX, y-badgeCY)
			if d < badgeR {
				if glyph(state, (x-badgeCX)/badgeR, (y-badgeCY)/badgeR) {
					return transparent
				}
				return black
			}
			if d < badgeR+badgeGap {
				return transparent
			}
		}
		if insidePoly(trayChevron, x, y) {
			return black
		}
		return transparent
	}
}

var appChevron = chevron(0.30, 0.20, 0.80, 0.19, 0.72)

// appIconPainter draws the application icon: an orange chevron on a dark
// rounded square.
func appIconPainter(x, y float64) color.NRGBA {
	const margin, radius = 0.04, 0.19
	if !inRoundRect(x, y, margin, 1-margin, radius) {
		return transparent
	}
	if insidePoly(appChevron, x, y) {
		return plexOrange
	}
	return appBack
}

func inRoundRect(x, y, lo, hi, r float64) bool {
	if x < lo || x > hi || y < lo || y > hi {
		return false
	}
	cx := math.Max(lo+r, math.Min(hi-r, x))
	cy := math.Max(lo+r, math.Min(hi-r, y))
	return math.Hypot(x-cx, y-cy) <= r
}

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	err := enc.Encode(&buf, img)
	return buf.Bytes(), err
}

// encodeICO writes an ICO file whose images are stored as PNG, which Windows
// reads since Vista (LoadImage, CreateIconFromResourceEx).
//
// Layout: ICONDIR (reserved 0, type 1, count), one 16-byte ICONDIRENTRY per
// image (width, height — 0 means 256 —, colour count 0, reserved 0,
// planes 1, bits per pixel 32, data size, data offset), then the PNG data.
func encodeICO(imgs []image.Image) ([]byte, error) {
	var buf bytes.Buffer
	le := binary.LittleEndian
	buf.Write(le.AppendUint16(nil, 0))
	buf.Write(le.AppendUint16(nil, 1))
	buf.Write(le.AppendUint16(nil, uint16(len(imgs))))
	offset := 6 + 16*len(imgs)
	var data [][]byte
	for _, img := range imgs {
		b, err := encodePNG(img)
		if err != nil {
			return nil, err
		}
		w, h := img.Bounds().Dx(), img.Bounds().Dy()
		if w > 256 || h > 256 {
			return nil, fmt.Errorf("ico: image %dx%d larger than 256", w, h)
		}
		buf.WriteByte(byte(w)) // 256 wraps to 0, as the format wants
		buf.WriteByte(byte(h))
		buf.WriteByte(0)
		buf.WriteByte(0)
		buf.Write(le.AppendUint16(nil, 1))
		buf.Write(le.AppendUint16(nil, 32))
		buf.Write(le.AppendUint32(nil, uint32(len(b))))
		buf.Write(le.AppendUint32(nil, uint32(offset)))
		offset += len(b)
		data = append(data, b)
	}
	for _, b := range data {
		buf.Write(b)
	}
	return buf.Bytes(), nil
}
