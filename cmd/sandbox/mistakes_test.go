package main

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCallbackMistakesAreExplained is a merchant's callback handler with a
// mistake of its own per project: the first attempt's error (or note) in
// the delivery log and in the summary of the attempt on the payment's page
// says what happened and what usually causes it.
func TestCallbackMistakesAreExplained(t *testing.T) {
	t.Parallel()
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		switch r.URL.Path {
		case "/callbacks":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, "<html><body>Sign in</body></html>")
		case "/ok":
			_, _ = io.WriteString(w, "ok")
		case "/moved":
			http.Redirect(w, r, "https://shop.example/callbacks", http.StatusMovedPermanently)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(shop.Close)
	host := strings.TrimPrefix(shop.URL, "http://")
	s := startSandbox(t, t.TempDir())
	tests := []struct {
		project int64
		url     string
		says    string // the start of the attempt's error, or its note
	}{
		{901, shop.URL + "/callbacks", "the merchant answered 200 with an HTML page: the callback is delivered, as the status is what counts, but a page usually means a login page or a catch-all route answered"},
		{902, shop.URL + "/moved", "merchant answered 301 redirecting to https://shop.example/callbacks: redirects are not followed"},
		{903, shop.URL + "/calbacks", "merchant answered 404: your server has no handler at this path"},
		{904, "https://" + host + "/callbacks", "the server at " + host + " speaks plain HTTP, not HTTPS: write the URL with http://"},
	}
	for _, tt := range tests {
		require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/projects", map[string]any{"id": tt.project, "secret": testSecret, "callback_url": tt.url}, nil))
		sale := oxxoSale("m-1", func(b map[string]any) { b["general"].(map[string]any)["project_id"] = tt.project })
		require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(sale, testSecret), nil))
	}
	summary := regexp.MustCompile(`(?s)<summary>\s*<span class="attempt__n">#1</span>(.*?)</summary>`)
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.project), func(t *testing.T) {
			var got struct {
				Deliveries []struct {
					Attempts []struct{ Error, Note string }
				}
			}
			eventually(t, "the first attempt", func() bool {
				s.do("GET", fmt.Sprintf("/sandbox/deliveries?project_id=%d", tt.project), nil, &got)
				return len(got.Deliveries) == 1 && len(got.Deliveries[0].Attempts) > 0
			})
			a := got.Deliveries[0].Attempts[0]
			assert.True(t, strings.HasPrefix(a.Error+a.Note, tt.says), "%+v", a)
			_, page := getPage(t, fmt.Sprintf("%s/dashboard/payments/%d/m-1", s.URL, tt.project))
			m := summary.FindStringSubmatch(page)
			require.NotNil(t, m, "the first attempt's summary")
			assert.Contains(t, html.UnescapeString(m[1]), tt.says, "seen without opening the attempt")
		})
	}

	// The merchant fixes the mistyped path: the callback's retries still go
	// where it was first sent, and its page says to resend it.
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/projects", map[string]any{"id": 903, "secret": testSecret, "callback_url": shop.URL + "/ok"}, nil))
	moved := "Its retries go to " + shop.URL + "/calbacks, where it was first sent; the callback URL is now " + shop.URL + "/ok. Resend it to send it there."
	pageText := func() string {
		_, page := getPage(t, s.URL+"/dashboard/payments/903/m-1")
		return regexp.MustCompile(`<[^>]*>`).ReplaceAllString(html.UnescapeString(page), "")
	}
	assert.Contains(t, pageText(), moved)
	var ds struct{ Deliveries []struct{ ID int64 } }
	require.Equal(t, http.StatusOK, s.do("GET", "/sandbox/deliveries?project_id=903", nil, &ds))
	require.Len(t, ds.Deliveries, 1)
	require.Equal(t, http.StatusAccepted, s.do("POST", fmt.Sprintf("/sandbox/deliveries/%d/resend", ds.Deliveries[0].ID), nil, nil))
	eventually(t, "the resent callback is delivered", func() bool { return strings.Contains(pageText(), "HTTP 200") })
	assert.NotContains(t, pageText(), "Its retries go to")
}
