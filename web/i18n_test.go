package web

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

var verb = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z%]`)

// TestTranslationsAgree: every language has every key of English, no
// other, and each translation takes the same fmt verbs in the same order.
func TestTranslationsAgree(t *testing.T) {
	t.Parallel()
	en := TranslationKeys("en")
	assert.NotEmpty(t, en)
	for _, lang := range Languages()[1:] {
		assert.Equal(t, en, TranslationKeys(lang), "%s has the keys of en", lang)
		for _, k := range en {
			assert.Equal(t, verb.FindAllString(ppCatalog["en"][k], -1), verb.FindAllString(ppCatalog[lang][k], -1),
				"%s %q takes the verbs of en", lang, k)
			assert.NotEmpty(t, ppCatalog[lang][k], "%s %q", lang, k)
		}
	}
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]string{
		"": "en", "en": "en", "EN": "en", "en-GB": "en", "es": "es", "es-MX": "es", "es_AR": "es", "spa": "es",
		"pt": "pt", "pt-BR": "pt", "por": "pt", "de": "en", "zz-top": "en", " es ": "es",
	} {
		assert.Equal(t, want, Language(code), code)
	}
}

func TestTranslator(t *testing.T) {
	t.Parallel()
	es := NewTranslator("es-MX")
	assert.Equal(t, "es", es.Lang())
	assert.Equal(t, "Pagar $25.00", es.T("details.pay", "$25.00"))
	assert.Equal(t, "no.such.key", es.T("no.such.key"), "a missing key shows itself")
	assert.Equal(t, "en", Translator{}.Lang())
	at := time.Date(2026, 3, 12, 9, 5, 0, 0, time.UTC)
	assert.Equal(t, "12 Mar 2026, 09:05 UTC", Translator{}.Date(at))
	assert.Equal(t, "jue, 12 mar 2026", es.Day(at))
	assert.Equal(t, "qui, 12 mar 2026", NewTranslator("pt").Day(at))
	assert.Equal(t, "", es.Date(time.Time{}))
}

// TestTranslatorWithAndIn: a provider's catalogue is looked up before the
// Payment Page's (the last added first, then English), and moments are
// written in the customer's country time with its offset.
func TestTranslatorWithAndIn(t *testing.T) {
	t.Parallel()
	shared := Catalog{"en": {"v.go": "Go to any %s.", "skip": "Jump"}, "es": {"v.go": "Ve a cualquier %s."}}
	own := Catalog{"en": {"outlet": "OXXO store"}, "es": {"outlet": "tienda OXXO"}}
	mexico := time.FixedZone("America/Mexico_City", -6*3600)
	es := NewTranslator("es").With(shared).With(own).In(mexico)
	assert.Equal(t, "Ve a cualquier tienda OXXO.", es.T("v.go", es.T("outlet")))
	assert.Equal(t, "Saltar al contenido", es.T("skip"), "a key the catalogue has only in English: the Payment Page's Spanish")
	assert.Equal(t, "Jump", NewTranslator("en").With(shared).T("skip"), "the catalogue comes first")
	assert.True(t, es.Has("outlet"))
	at := time.Date(2026, 3, 12, 3, 5, 0, 0, time.UTC)
	assert.Equal(t, "11 mar 2026, 21:05 UTC-6", es.Date(at))
	assert.Equal(t, "mié, 11 mar 2026", es.Day(at), "the day in Mexico")
	assert.Equal(t, "12 Mar 2026, 03:05 UTC", NewTranslator("en").Date(at))
	assert.Equal(t, "UTC+5:30", ZoneName(at.In(time.FixedZone("IST", 5*3600+1800))))

	var p Page
	assert.Equal(t, "Skip to content", p.T("skip"), "the zero page speaks English")
	p.Lang = "pt-BR"
	assert.Equal(t, "Pular para o conteúdo", p.T("skip"), "a page with only Lang speaks it")
}

// TestCatalogProblems: a missing translation, an extra key and a
// translation with other verbs are each named.
func TestCatalogProblems(t *testing.T) {
	t.Parallel()
	c := Catalog{
		"en": {"a": "%s of %d", "b": "B"},
		"es": {"a": "%d de %s", "b": "B", "c": "C"},
		"pt": {"a": "%s de %d"},
	}
	assert.Equal(t, []string{
		`es "a" takes [d s], English takes [s d]`,
		`es has "c", which English lacks`,
		`pt lacks "b"`,
	}, c.Problems())
	assert.Empty(t, Catalog{"en": {"a": "100%% %s"}, "es": {"a": "%s al 100%%"}, "pt": {"a": "100%% %s"}}.Problems())
}

// TestAcceptLanguage: the language a browser prefers among those the
// sandbox speaks, by weight then order; "" when it names none of them.
func TestAcceptLanguage(t *testing.T) {
	t.Parallel()
	for header, want := range map[string]string{
		"":                                 "",
		"es-MX,es;q=0.9,en;q=0.8":          "es",
		"pt-BR":                            "pt",
		"de-DE,de;q=0.9,pt;q=0.5,es;q=0.4": "pt",
		"en;q=0.2, es;q=0.7":               "es",
		"de, fr":                           "",
		"*":                                "",
		"es;q=0, en":                       "en",
		"ES-ar ; q=1":                      "es",
	} {
		assert.Equal(t, want, AcceptLanguage(header), "%q", header)
	}
}

// TestVoucherNamedAsItsPageNamesIt: the Payment Page's result calls a
// voucher what the voucher page the customer opens next calls it
// (providers/voucher: "cupón", "voucher"), not another word.
func TestVoucherNamedAsItsPageNamesIt(t *testing.T) {
	t.Parallel()
	for lang, word := range map[string]string{"en": "voucher", "es": "cupón", "pt": "voucher"} {
		for _, key := range []string{"result.voucher.title", "result.voucher.lead", "result.voucher.open", "result.voucher.step1"} {
			assert.Contains(t, strings.ToLower(ppCatalog[lang][key]), word, "%s %s", lang, key)
		}
	}
}
