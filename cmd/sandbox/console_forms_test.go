package main

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConsoleRefusedFormKeepsWhatWasTyped: a project form the sandbox
// refuses comes back with what was typed in it, and the refusal says how
// to put it right; an edit form comes back open.
func TestConsoleRefusedFormKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	c := newConsole(t, s)

	msg, ok, page := c.act("/dashboard/projects", "/dashboard/projects", url.Values{
		"id": {"abc"}, "secret": {"k3y"}, "callback_url": {"http://127.0.0.1:9000/cb"}, "check_deposit_url": {"http://127.0.0.1:9000/cd"},
	})
	assert.False(t, ok)
	assert.Contains(t, msg, `project_id "abc" is not a positive whole number`)
	assert.Contains(t, msg, "such as 2", "it says how to fix it")
	for _, want := range []string{`id="p-id" name="id" value="abc"`, `id="p-secret" name="secret" type="password" value="k3y"`,
		`id="p-cb" name="callback_url" type="url" value="http://127.0.0.1:9000/cb"`, `id="p-cd" name="check_deposit_url" type="url" value="http://127.0.0.1:9000/cd"`} {
		assert.Contains(t, page, want)
	}

	msg, ok, page = c.act("/dashboard/projects", "/dashboard/projects/1", url.Values{"callback_url": {"ftp://nowhere"}})
	assert.False(t, ok)
	assert.Contains(t, msg, "callback_url")
	assert.Contains(t, page, `<details class="edit" id="project-1-edit" open>`, "the refused edit form is open")
	assert.Contains(t, page, `value="ftp://nowhere"`)

	// The next visit starts afresh.
	_, page = c.get("/dashboard/projects")
	assert.NotContains(t, page, `value="abc"`)
	assert.NotContains(t, page, `value="ftp://nowhere"`)
	assert.NotContains(t, page, " open>")
}

// TestConsoleLinkAmountSaysHowToFixIt: an amount with too many decimals
// for its currency is refused with the amount to type instead.
func TestConsoleLinkAmountSaysHowToFixIt(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	c := newConsole(t, s)
	_, page := c.get("/dashboard/links?project_id=1&payment_id=link-2&amount=1.234&currency=USD&customer_id=c-1")
	assert.Contains(t, page, "amount &#34;1.234&#34; has more decimals than USD has (2): round it, such as 1.23")
	_, page = c.get("/dashboard/links?project_id=1&payment_id=link-3&amount=10.5&currency=JPY&customer_id=c-1")
	assert.Contains(t, page, "amount &#34;10.5&#34; has more decimals than JPY has (0): round it, such as 10")
}

// TestPageTitlesNameTheSandboxOnce: the tab of every page a person opens
// without a payment says what the page is, then the sandbox, once.
func TestPageTitlesNameTheSandboxOnce(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	c := newConsole(t, s)
	title := regexp.MustCompile(`<title>([^<]*)</title>`)
	for _, p := range []string{"/", "/dashboard", "/dashboard/projects", "/dashboard/links", "/dashboard/reset",
		"/demo/shop", "/providers/oxxo/terminal"} {
		_, page := c.get(p)
		m := title.FindStringSubmatch(page)
		if !assert.NotNil(t, m, "%s has a title", p) {
			continue
		}
		assert.Equal(t, 1, strings.Count(m[1], "ecommpay sandbox"), "%s: title %q", p, m[1])
		assert.Regexp(t, `^[^·]+ · ecommpay sandbox$`, m[1], "%s: what the page is, then the sandbox", p)
	}
}

// TestConsoleRefusedDurationKeepsWhatWasTyped: a duration the clock
// refuses comes back in its field, marked, with how to write one; the
// next visit starts afresh.
func TestConsoleRefusedDurationKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	c := newConsole(t, s)
	msg, ok, page := c.act("/dashboard", "/dashboard/clock/advance", url.Values{"custom": {"5 parsecs"}})
	assert.False(t, ok)
	assert.Contains(t, msg, "such as 90s, 30m, 72h or 10d")
	assert.Regexp(t, `id="advance-custom"[^>]* value="5 parsecs" aria-invalid="true"`, page)

	_, page = c.get("/dashboard")
	assert.NotContains(t, page, "5 parsecs")
	assert.NotContains(t, page, `aria-invalid`)
}

// TestConsoleLinkProblemsPointAtTheirFields: each thing wrong with the
// link form links to its field, and the field is marked; fields that are
// right are not.
func TestConsoleLinkProblemsPointAtTheirFields(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	c := newConsole(t, s)
	_, page := c.get("/dashboard/links?project_id=1&payment_id=link-4&amount=12,5x&currency=USD&customer_id=")
	assert.Contains(t, page, `<a href="#l-amount">amount &#34;12,5x&#34; is not an amount such as 25.00 in USD</a>`)
	assert.Contains(t, page, `<a href="#l-customer">customer ID is required`)
	assert.Regexp(t, `id="l-amount" aria-invalid="true" name="amount" value="12,5x"`, page, "what was typed stays, marked")
	assert.Regexp(t, `id="l-customer" aria-invalid="true"`, page)
	assert.Equal(t, 2, strings.Count(page, `aria-invalid="true"`), "only the refused fields are marked")
}

// TestConsoleLinkLanguagesAreNamed: the link builder's languages read as
// their speakers name them, with the language_code the link carries.
func TestConsoleLinkLanguagesAreNamed(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	_, page := newConsole(t, s).get("/dashboard/links")
	for _, want := range []string{`<option value="en" selected>English (en)</option>`, `<option value="es">Español (es)</option>`,
		`<option value="pt">Português (pt)</option>`} {
		assert.Contains(t, page, want)
	}
}

// TestConsoleHeldCallbackLinksItsProject: a callback kept in the log for
// want of a callback URL links the project's row, where the URL is
// given, rather than naming a tab to find.
func TestConsoleHeldCallbackLinksItsProject(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/projects", map[string]any{"id": testProject, "secret": testSecret}, nil))
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("held-1"), testSecret), nil))
	c := newConsole(t, s)
	anchor := fmt.Sprintf("project-%d", testProject)
	heldPage := func() string {
		for range 100 {
			_, page := c.get(fmt.Sprintf("/dashboard/payments/%d/held-1", testProject))
			if strings.Contains(page, "Kept in the log") {
				return page
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatal("the callback is never kept in the log")
		return ""
	}
	page := heldPage()
	assert.Contains(t, page, fmt.Sprintf(`Give it one, then resend. <a href="/dashboard/projects#%s">Edit project %d</a>`, anchor, testProject))
	_, projects := c.get("/dashboard/projects")
	assert.Contains(t, projects, `id="`+anchor+`"`, "the link lands on the project's row")
}
