package app_test

import (
	"math"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/ecommpay-sandbox/sandbox/internal/toymethod"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// TestEveryMethodIsWhole checks that every registered method brings what
// the Payment Page and its own pages need, so that a sixth method is one
// folder and one line in methods.go: its brand, readable colours and a
// hint in every language the Payment Page speaks. The Toy, the method
// newcomers copy, is held to the same.
func TestEveryMethodIsWhole(t *testing.T) {
	t.Parallel()
	hex := regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	for _, p := range append(app.Providers(), toymethod.New()) {
		m := p.Method()
		t.Run(m.Code, func(t *testing.T) {
			t.Parallel()
			assert.NotEmpty(t, m.Name)
			assert.NotEmpty(t, m.GatePath, "the Gate needs a sale endpoint")
			b := m.Brand
			assert.NotEmpty(t, b.Name, "Brand.Name heads the method's pages")
			assert.Regexp(t, hex, b.Color, "Brand.Color")
			assert.Regexp(t, hex, b.Ink, "Brand.Ink")
			assert.Regexp(t, hex, b.Accent, "Brand.Accent")
			if hex.MatchString(b.Color) && hex.MatchString(b.Ink) {
				assert.GreaterOrEqual(t, contrast(b.Ink, b.Color), 4.5,
					"%s on %s must have a contrast of 4.5:1 (WCAG AA), on its tile and its pages", b.Ink, b.Color)
			}
			assert.LessOrEqual(t, len([]rune(b.Tile)), 4, "the tile has room for four letters")
			for _, lang := range web.Languages() {
				assert.NotEmpty(t, m.Hints[lang], "Hints[%q]: the Payment Page says in a few words what paying with it means", lang)
			}
			assert.Empty(t, m.Defaults.Check(m), "Defaults are settings the method takes (Method.Settings)")
			for name, what := range m.Jobs {
				assert.NotEmpty(t, what, "Jobs[%q] says what the job does, in the console's timeline", name)
			}
		})
	}
}

// contrast is the WCAG 2 contrast ratio of two "#rrggbb" colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

// luminance is the relative luminance of "#rrggbb" (WCAG 2).
func luminance(c string) float64 {
	var l [3]float64
	for i := range l {
		v, _ := strconv.ParseUint(c[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.04045 {
			l[i] = s / 12.92
		} else {
			l[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
}

func TestContrast(t *testing.T) {
	t.Parallel()
	assert.InDelta(t, 21, contrast("#000000", "#ffffff"), 0.01)
	assert.InDelta(t, 1, contrast("#c8102e", "#c8102e"), 0.01)
	assert.Less(t, contrast("#ffd200", "#c8102e"), 4.5, "OXXO's old tile: yellow on red is too faint")
}
