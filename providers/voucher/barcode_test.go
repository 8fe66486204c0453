package voucher

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/boombuler/barcode/code128"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBarcodePNG decodes the PNG and reads its bars back: every module is a
// whole number of pixels, in the order Code 128 encodes data, with a blank
// quiet zone on each side.
func TestBarcodePNG(t *testing.T) {
	t.Parallel()
	tests := []struct {
		data          string
		width, height int
	}{
		{"93012345678901", 640, 160},
		{"93012345678901", 200, 50},
		{"1234567", 400, 80},
	}
	for _, tt := range tests {
		t.Run(tt.data, func(t *testing.T) {
			b, err := BarcodePNG(tt.data, tt.width, tt.height)
			require.NoError(t, err)
			img, err := png.Decode(bytes.NewReader(b))
			require.NoError(t, err)
			require.Equal(t, image.Rect(0, 0, tt.width, tt.height), img.Bounds())

			want, err := code128.Encode(tt.data)
			require.NoError(t, err)
			modules := want.Bounds().Dx()
			scale := tt.width / (modules + 2*quietZone)
			require.GreaterOrEqual(t, scale, 1)

			dark := func(x, y int) bool {
				r, _, _, _ := img.At(x, y).RGBA()
				return r < 0x8000
			}
			first, last := -1, -1
			for x := range tt.width {
				if dark(x, tt.height/2) {
					if first < 0 {
						first = x
					}
					last = x
				}
			}
			require.GreaterOrEqual(t, first, quietZone*scale, "quiet zone on the left")
			require.Less(t, last, tt.width-quietZone*scale, "quiet zone on the right")
			for m := range modules {
				r, _, _, _ := want.At(m, 0).RGBA()
				wantDark := r < 0x8000
				for _, y := range []int{0, tt.height / 2, tt.height - 1} {
					for px := range scale {
						require.Equal(t, wantDark, dark(first+m*scale+px, y), "module %d, row %d", m, y)
					}
				}
			}
		})
	}
}

func TestBarcodeWidth(t *testing.T) {
	t.Parallel()
	code, err := code128.Encode("93012345678901")
	require.NoError(t, err)
	total := code.Bounds().Dx() + 2*quietZone
	w := BarcodeWidth("93012345678901", 640)
	assert.LessOrEqual(t, w, 640)
	assert.Zero(t, w%total)
	assert.Greater(t, w+total, 640, "the widest that fits")
	assert.Equal(t, 50, BarcodeWidth("93012345678901", 50))
}

func TestBarcodePNGErrors(t *testing.T) {
	t.Parallel()
	_, err := BarcodePNG("93012345678901", 40, 20)
	assert.ErrorContains(t, err, "needs at least")
	_, err = BarcodePNG("93012345678901", 640, 0)
	assert.ErrorContains(t, err, "height")
	_, err = BarcodePNG("", 640, 160)
	assert.Error(t, err)
}
