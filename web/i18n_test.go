package web

import (
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

var verb = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z%]`)

// TestTranslationsAgree: every language has every key of English, no
// other, and each translation takes the same fmt verbs in the same order.
func TestTranslationsAgree(t *testing.T) {
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
	for code, want := range map[string]string{
		"": "en", "en": "en", "EN": "en", "en-GB": "en", "es": "es", "es-MX": "es", "es_AR": "es", "spa": "es",
		"pt": "pt", "pt-BR": "pt", "por": "pt", "de": "en", "zz-top": "en", " es ": "es",
	} {
		assert.Equal(t, want, Language(code), code)
	}
}

func TestTranslator(t *testing.T) {
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
