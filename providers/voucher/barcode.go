package voucher

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/code128"
)

// quietZone is the blank margin Code 128 needs on each side, in modules.
const quietZone = 10

// BarcodeWidth returns the widest width up to max at which the Code 128
// barcode of data fills BarcodePNG's image exactly: whole-pixel modules and
// the quiet zone, no more margin. It returns max when data cannot be encoded
// or max is too narrow.
func BarcodeWidth(data string, max int) int {
	code, err := code128.Encode(data)
	if err != nil {
		return max
	}
	total := code.Bounds().Dx() + 2*quietZone
	if max < total {
		return max
	}
	return max / total * total
}

// BarcodePNG returns data as a Code 128 barcode in a width×height PNG: black
// bars on white, each module a whole number of pixels wide (so scanners read
// it), centred with its quiet zone. It fails when data cannot be encoded or
// the width is too narrow for it.
func BarcodePNG(data string, width, height int) ([]byte, error) {
	if height < 1 {
		return nil, fmt.Errorf("barcode height %d: must be at least 1 pixel", height)
	}
	code, err := code128.Encode(data)
	if err != nil {
		return nil, fmt.Errorf("barcode of %q: %w", data, err)
	}
	modules := code.Bounds().Dx()
	scale := width / (modules + 2*quietZone)
	if scale < 1 {
		return nil, fmt.Errorf("barcode of %q needs at least %d pixels of width, got %d", data, modules+2*quietZone, width)
	}
	bars, err := barcode.Scale(code, modules*scale, height)
	if err != nil {
		return nil, fmt.Errorf("scale barcode of %q: %w", data, err)
	}
	img := image.NewPaletted(image.Rect(0, 0, width, height), color.Palette{color.White, color.Black})
	left := (width - modules*scale) / 2
	for y := range height {
		for x := range modules * scale {
			if r, _, _, _ := bars.At(x, y).RGBA(); r < 0x8000 {
				img.SetColorIndex(left+x, y, 1)
			}
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode barcode of %q: %w", data, err)
	}
	return buf.Bytes(), nil
}
