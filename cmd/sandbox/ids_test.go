package main

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// specialIDs are payment ids with every character a path treats specially.
var specialIDs = []string{"a/b", "a?b", "a#b", "+", "a+b", "@", "user@shop", "a b", "pagó-ñ-日本", "50%off", "a%2Fb", "a;b,c=d", "x/../y"}

// escapeAll percent-encodes every byte but letters, digits and -_.~, as
// JavaScript's encodeURIComponent does: another spelling of the same path.
func escapeAll(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

var (
	dashboardLinkRE = regexp.MustCompile(`href="(/dashboard/payments/[^"]+)"`)
	headingIDRE     = regexp.MustCompile(`<h1 class="id-heading">([^<]*)</h1>`)
)

// headingID returns the payment id a dashboard payment page is about.
func headingID(page string) string {
	m := headingIDRE.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// TestSpecialPaymentIDsAreReachable replays the probe: payment ids with
// a/b, a?b, a#b, +, @, spaces and unicode, sold through the Gate, are read
// and acted on through the control API and the dashboard, and the
// dashboard's own links to them work.
func TestSpecialPaymentIDsAreReachable(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	for _, id := range specialIDs {
		saleRedirect(t, s, m, oxxoPath, oxxoSale(id))
	}

	// The dashboard links every payment to its page.
	_, list := getPage(t, s.URL+"/dashboard")
	links := map[string]bool{}
	for _, m := range dashboardLinkRE.FindAllStringSubmatch(list, -1) {
		links[html.UnescapeString(m[1])] = true
	}

	for _, id := range specialIDs {
		t.Run(id, func(t *testing.T) {
			for _, esc := range []string{url.PathEscape(id), escapeAll(id)} {
				var p struct {
					PaymentID string            `json:"payment_id"`
					Links     map[string]string `json:"links"`
				}
				api := fmt.Sprintf("/sandbox/payments/%d/%s", testProject, esc)
				require.Equal(t, http.StatusOK, s.do("GET", api, nil, &p), api)
				assert.Equal(t, id, p.PaymentID, api)

				// The API's own link to the payment leads back to it.
				var self struct {
					PaymentID string `json:"payment_id"`
				}
				require.Equal(t, http.StatusOK, s.do("GET", strings.TrimPrefix(p.Links["self"], s.URL), nil, &self), p.Links["self"])
				assert.Equal(t, id, self.PaymentID, p.Links["self"])

				status, page := getPage(t, fmt.Sprintf("%s/dashboard/payments/%d/%s", s.URL, testProject, esc))
				require.Equal(t, http.StatusOK, status, esc)
				assert.Equal(t, id, headingID(page), esc)
			}

			// The dashboard's link to it, as a browser follows it.
			var link string
			for l := range links {
				if u, err := url.Parse(l); err == nil && u.Path == fmt.Sprintf("/dashboard/payments/%d/%s", testProject, id) {
					link = l
				}
			}
			require.NotEmpty(t, link, "the dashboard links %q", id)
			status, page := getPage(t, s.URL+link)
			require.Equal(t, http.StatusOK, status, link)
			assert.Equal(t, id, headingID(page), link)

			// Its page's form acts on it, and sends the tester back to it.
			action := regexp.MustCompile(`action="([^"]+/expire)"`).FindStringSubmatch(page)
			require.NotNil(t, action, "the page of %q has a Lapse now form", id)
			status, loc, _ := dashboardForm(t, s, s.URL+html.UnescapeString(action[1]), nil)
			require.Equal(t, http.StatusSeeOther, status)
			back, err := url.Parse(loc)
			require.NoError(t, err)
			assert.Equal(t, link, back.EscapedPath())
			var p struct{ Status string }
			s.do("GET", fmt.Sprintf("/sandbox/payments/%d/%s", testProject, url.PathEscape(id)), nil, &p)
			assert.Equal(t, "decline", p.Status, "%q lapsed", id)
		})
	}
}
