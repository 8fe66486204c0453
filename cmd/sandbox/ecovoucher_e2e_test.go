package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/providers/ecovoucher"
)

const (
	ecoPath       = "/v2/payment/voucher/eco-voucher/sale"
	ecoSuccessURL = "https://shop.example/ecovoucher/success"
	ecoDeclineURL = "https://shop.example/ecovoucher/decline"
)

// ecoDeposit is a stub of a merchant's check_deposit endpoint: it records
// every request and answers as its mode says.
type ecoDeposit struct {
	t    *testing.T
	srv  *httptest.Server
	done chan struct{}

	mu   sync.Mutex
	mode string // confirm (default), refuse, error, slow, no-id, other-id
	raw  [][]byte
}

func newEcoDeposit(t *testing.T) *ecoDeposit {
	d := &ecoDeposit{t: t, done: make(chan struct{}), mode: "confirm"}
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		d.mu.Lock()
		d.raw = append(d.raw, raw)
		mode := d.mode
		d.mu.Unlock()
		var req struct {
			PaymentID string `json:"payment_id"`
		}
		_ = json.Unmarshal(raw, &req)
		switch mode {
		case "refuse":
			_ = json.NewEncoder(w).Encode(map[string]any{"code": 5, "payment_id": req.PaymentID, "message": "order cancelled"})
		case "error":
			http.Error(w, "internal error", http.StatusInternalServerError)
		case "no-id":
			_ = json.NewEncoder(w).Encode(map[string]any{"code": 0})
		case "other-id":
			_ = json.NewEncoder(w).Encode(map[string]any{"code": 0, "payment_id": "another-order"})
		case "slow":
			<-d.done // past any timeout: until the test ends
			_ = json.NewEncoder(w).Encode(map[string]any{"code": 0, "payment_id": req.PaymentID})
		default:
			_ = json.NewEncoder(w).Encode(map[string]any{"code": 0, "payment_id": req.PaymentID})
		}
	}))
	t.Cleanup(d.srv.Close)
	t.Cleanup(func() { close(d.done) }) // runs first: a slow answer ends at once
	return d
}

func (d *ecoDeposit) set(mode string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mode = mode
}

func (d *ecoDeposit) requests() [][]byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([][]byte(nil), d.raw...)
}

// ecoSetup serves a sandbox with the test project pointing its callbacks
// at a merchant stub and its check_deposit at a deposit stub (none when
// withDeposit is false).
func ecoSetup(t *testing.T, withDeposit bool, mutate ...func(*serveOptions)) (*sandbox, *merchant, *ecoDeposit) {
	t.Helper()
	s := startSandbox(t, t.TempDir(), mutate...)
	m := newMerchant(t)
	d := newEcoDeposit(t)
	project := map[string]any{"id": testProject, "secret": testSecret, "callback_url": m.srv.URL + "/callbacks"}
	if withDeposit {
		project["check_deposit_url"] = d.srv.URL + "/check-deposit"
	}
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/projects", project, nil))
	return s, m, d
}

// ecoSale returns a valid EcoVoucher Gate sale body (unsigned), as in the seed.
func ecoSale(paymentID string, amount int64, currency string) map[string]any {
	return map[string]any{
		"general":    map[string]any{"project_id": testProject, "payment_id": paymentID},
		"payment":    map[string]any{"amount": amount, "currency": currency, "description": "Order " + paymentID},
		"customer":   map[string]any{"id": "play7", "ip_address": "66.249.79.102"},
		"return_url": map[string]any{"success": ecoSuccessURL, "decline": ecoDeclineURL},
	}
}

// ecoStart sends a sale and returns its redirect callback.
func ecoStart(t *testing.T, s *sandbox, m *merchant, paymentID string, amount int64) map[string]any {
	t.Helper()
	var ans gateAnswer
	require.Equal(t, http.StatusOK, s.do("POST", ecoPath, signed(ecoSale(paymentID, amount, "EUR"), testSecret), &ans), "%+v", ans)
	require.Equal(t, "success", ans.Status)
	cb := m.next()
	verifyCallback(t, cb, testSecret)
	require.Equal(t, paymentID, path(cb, "payment", "id"))
	require.Equal(t, "awaiting redirect result", path(cb, "payment", "status"), "%v", cb)
	return cb
}

// ecoPage is an answer of the EcoVoucher pages.
type ecoPage struct {
	status   int
	location string
	body     string
}

func ecoPost(t *testing.T, u string, form url.Values) ecoPage {
	t.Helper()
	status, location, body := submit(t, u, form)
	return ecoPage{status: status, location: location, body: strings.Join(strings.Fields(body), " ")}
}

// ecoRedirect is what the merchant's page does with redirect_data: POST
// its body, form-encoded, to its URL.
func ecoRedirect(t *testing.T, cb map[string]any) ecoPage {
	t.Helper()
	require.Equal(t, "POST", path(cb, "redirect_data", "method"))
	body, ok := path(cb, "redirect_data", "body").(map[string]any)
	require.True(t, ok, "redirect_data.body is an object: %v", path(cb, "redirect_data", "body"))
	form := url.Values{}
	for k, v := range body {
		switch v := v.(type) {
		case float64:
			form.Set(k, fmt.Sprintf("%.0f", v))
		default:
			form.Set(k, fmt.Sprint(v))
		}
	}
	return ecoPost(t, path(cb, "redirect_data", "url").(string), form)
}

var ecoCardRE = regexp.MustCompile(`data-number="(\d{16})" data-security-code="(\d{4})" data-expiry="([^"]+)" data-face="(\d+)"`)

// ecoCard is a test voucher as the page's wallet lists it.
type ecoCard struct{ number, code, expiry, face string }

// ecoWallet returns the wallet of a page, by face value in minor units.
func ecoWallet(p ecoPage) map[string]ecoCard {
	out := map[string]ecoCard{}
	for _, m := range ecoCardRE.FindAllStringSubmatch(p.body, -1) {
		if _, ok := out[m[4]]; !ok {
			out[m[4]] = ecoCard{number: m[1], code: m[2], expiry: m[3], face: m[4]}
		}
	}
	return out
}

// ecoPay is the customer entering vouchers on the page and paying.
func ecoPay(t *testing.T, s *sandbox, tx any, cards ...ecoCard) ecoPage {
	t.Helper()
	form := url.Values{"tx": {fmt.Sprint(tx)}, "action": {"pay"}}
	for _, c := range cards {
		form.Add("number", ecovoucher.GroupNumber(c.number))
		form.Add("security_code", c.code)
		form.Add("expiry", c.expiry)
	}
	return ecoPost(t, s.URL+ecovoucher.PayPath, form)
}

// txOf returns the TxID of a redirect callback.
func txOf(t *testing.T, cb map[string]any) string {
	t.Helper()
	tx, ok := path(cb, "redirect_data", "body", "TxID").(float64)
	require.True(t, ok, "TxID is a JSON number")
	return fmt.Sprintf("%.0f", tx)
}

func ecoVoucherJourney(t *testing.T) {
	tests := []struct {
		name   string
		amount int64
		faces  []string // the wallet vouchers the customer enters
		paid   int64
	}{
		{"amount 0: the vouchers set it", 0, []string{"5000", "1500"}, 6500},
		{"amount 35.00: the vouchers make it", 3500, []string{"2500", "1000"}, 3500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, m, d := ecoSetup(t, true)
			id := fmt.Sprintf("eco-%d", tt.amount)
			cb := ecoStart(t, s, m, id, tt.amount)

			// The redirect callback carries the seed's redirect_data.
			assert.Equal(t, "eco-voucher", path(cb, "payment", "method"))
			assert.Equal(t, float64(1109), path(cb, "operation", "provider", "id"))
			assert.Equal(t, s.URL+"/providers/eco-voucher/pay", path(cb, "redirect_data", "url"))
			body := path(cb, "redirect_data", "body").(map[string]any)
			keys := make([]string, 0, len(body))
			for k := range body {
				keys = append(keys, k)
			}
			assert.ElementsMatch(t, []string{"PaymentPageID", "MerchantAccountNumber", "CustomerIdAtMerchant", "OnSuccessUrl",
				"OnFailureUrl", "TxID", "Currency", "TransferUrl", "CallbackUrl", "Checksum"}, keys)
			assert.Equal(t, path(cb, "operation", "id"), body["TxID"], "TxID is the sale operation's id")
			assert.Equal(t, "EUR", body["Currency"])
			assert.Equal(t, "play7", body["CustomerIdAtMerchant"])
			assert.Equal(t, "3324", body["PaymentPageID"])
			raw, err := json.Marshal(body)
			require.NoError(t, err)
			var rb ecovoucher.RedirectBody
			require.NoError(t, json.Unmarshal(raw, &rb))
			assert.Equal(t, ecovoucher.Checksum(rb), rb.Checksum)
			assert.Regexp(t, `^[0-9a-f]{32}$`, rb.Checksum)
			assert.Equal(t, ecovoucher.ProviderPaymentID(rb.TxID), path(cb, "operation", "provider", "payment_id"))

			// The customer's browser posts it and gets the EcoVoucher page.
			page := ecoRedirect(t, cb)
			require.Equal(t, http.StatusOK, page.status, page.body)
			wallet := ecoWallet(page)
			require.Len(t, wallet, 8, "one unused voucher of each face value")
			var cards []ecoCard
			for _, f := range tt.faces {
				cards = append(cards, wallet[f])
			}

			// The customer enters wallet vouchers and pays.
			res := ecoPay(t, s, txOf(t, cb), cards...)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			assert.Equal(t, ecoSuccessURL, res.location)

			// The merchant was asked to confirm the amount, signed.
			reqs := d.requests()
			require.Len(t, reqs, 1)
			var cd map[string]any
			require.NoError(t, json.Unmarshal(reqs[0], &cd))
			verifyCallback(t, cd, testSecret)
			delete(cd, "signature")
			assert.Equal(t, map[string]any{
				"type": "check_deposit", "project_id": float64(testProject), "payment_id": id, "customer_id": "play7",
				"amount": float64(tt.paid), "currency": "EUR", "payment_method": "eco-voucher",
			}, cd)

			// The success callback.
			cb = m.next()
			verifyCallback(t, cb, testSecret)
			assert.Equal(t, "success", path(cb, "payment", "status"))
			assert.Equal(t, "success", path(cb, "operation", "status"))
			assert.Equal(t, "0", path(cb, "operation", "code"))
			assert.Equal(t, "Success", path(cb, "operation", "message"))
			want := map[string]any{"amount": float64(tt.paid), "currency": "EUR"}
			assert.Equal(t, want, path(cb, "payment", "sum"))
			assert.Equal(t, want, path(cb, "operation", "sum_initial"))
			assert.Equal(t, want, path(cb, "operation", "sum_converted"))
			assert.Equal(t, float64(1109), path(cb, "operation", "provider", "id"))
			assert.Nil(t, path(cb, "redirect_data"))
			m.none()

			// The delivery log keeps the check_deposit with its answer (the
			// last attempt is stored just after the merchant answered it).
			waitDelivered(t, s, id, 3)
			var ds struct {
				Deliveries []struct {
					Kind     string `json:"kind"`
					Status   string `json:"status"`
					Attempts []struct {
						Status int `json:"response_status"`
					} `json:"attempts"`
				} `json:"deliveries"`
			}
			require.Equal(t, http.StatusOK, s.do("GET", "/sandbox/deliveries?payment_id="+id, nil, &ds))
			var kinds []string
			for _, dl := range ds.Deliveries {
				kinds = append(kinds, dl.Kind+"/"+dl.Status)
			}
			assert.Equal(t, []string{"callback/delivered", "check_deposit/delivered", "callback/delivered"}, kinds)
		})
	}
}

func TestEcoVoucherMerchantDeclines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		mode        string
		withDeposit bool
		code        string
		message     string
		why         string // a part of the check_deposit attempt's error
	}{
		{"merchant answers code 5", "refuse", true, "30000", "Operation was declined by merchant", "code 5: order cancelled"},
		{"merchant answers HTTP 500", "error", true, "30000", "Operation was declined by merchant", "merchant answered 500"},
		{"merchant does not answer in time", "slow", true, "30302", "Merchant did not respond during the operation confirmation process", "timeout"},
		{"project has no check_deposit URL", "confirm", false, "30302", "Merchant did not respond during the operation confirmation process", ""},
		// A confirmation needs code 0 and the payment's payment_id, both
		// (docs/callbacks.md "check_deposit").
		{"merchant answers code 0 without payment_id", "no-id", true, "30000", "Operation was declined by merchant", `no "payment_id"`},
		{"merchant confirms another payment", "other-id", true, "30000", "Operation was declined by merchant", `payment_id "another-order" but the request was for "decl-1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The dispatcher's timeout (10 s by default) is lowered for the
			// slow merchant; the callbacks to the shop must still arrive
			// within it on a loaded machine.
			s, m, d := ecoSetup(t, tt.withDeposit, func(o *serveOptions) { o.CallbackTimeout = 2 * time.Second })
			d.set(tt.mode)
			redirect := ecoStart(t, s, m, "decl-1", 1000)
			page := ecoRedirect(t, redirect)
			require.Equal(t, http.StatusOK, page.status)

			res := ecoPay(t, s, txOf(t, redirect), ecoWallet(page)["1000"])
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			assert.Equal(t, ecoDeclineURL, res.location)

			cb := m.next()
			verifyCallback(t, cb, testSecret)
			assert.Equal(t, "decline", path(cb, "payment", "status"))
			assert.Equal(t, "decline", path(cb, "operation", "status"))
			assert.Equal(t, tt.code, path(cb, "operation", "code"))
			assert.Equal(t, tt.message, path(cb, "operation", "message"))
			assert.Equal(t, float64(1000), path(cb, "operation", "sum_converted", "amount"))

			if tt.withDeposit {
				assert.Len(t, d.requests(), 1)
				var ds struct {
					Deliveries []struct {
						Kind     string `json:"kind"`
						Attempts []struct {
							Error string `json:"error"`
						} `json:"attempts"`
					} `json:"deliveries"`
				}
				require.Equal(t, http.StatusOK, s.do("GET", "/sandbox/deliveries?payment_id=decl-1", nil, &ds))
				var why []string
				for _, dl := range ds.Deliveries {
					if dl.Kind == "check_deposit" {
						for _, a := range dl.Attempts {
							why = append(why, a.Error)
						}
					}
				}
				require.Len(t, why, 1, "the delivery log keeps the check_deposit attempt")
				assert.Contains(t, why[0], tt.why, "the attempt says why the deposit was refused")
			} else {
				assert.Empty(t, d.requests())
			}
			var p map[string]any
			require.Equal(t, http.StatusOK, s.do("GET", fmt.Sprintf("/sandbox/payments/%d/decl-1", testProject), nil, &p))
			assert.Equal(t, "decline", p["status"])

			// Coming back through OnFailureUrl leads to the shop's decline URL too.
			res2, err := noRedirect.Get(path(redirect, "redirect_data", "body", "OnFailureUrl").(string))
			require.NoError(t, err)
			res2.Body.Close()
			assert.Equal(t, http.StatusSeeOther, res2.StatusCode)
			assert.Equal(t, ecoDeclineURL, res2.Header.Get("Location"))
		})
	}
}

func TestEcoVoucherAbandonedSessionDeclines(t *testing.T) {
	t.Parallel()
	s, m, d := ecoSetup(t, true)
	cb := ecoStart(t, s, m, "abandoned-1", 0)
	require.Equal(t, http.StatusOK, ecoRedirect(t, cb).status)

	advance(t, s, "29m")
	m.none()
	advance(t, s, "2m")
	cb2 := m.next()
	verifyCallback(t, cb2, testSecret)
	assert.Equal(t, "abandoned-1", path(cb2, "payment", "id"))
	assert.Equal(t, "decline", path(cb2, "payment", "status"))
	assert.Equal(t, "20000", path(cb2, "operation", "code"))
	assert.Equal(t, "General decline", path(cb2, "operation", "message"))
	assert.Equal(t, float64(0), path(cb2, "payment", "sum", "amount"))
	assert.Empty(t, d.requests())

	// The page now shows the result, and takes no vouchers.
	page := ecoRedirect(t, cb)
	assert.Equal(t, http.StatusOK, page.status)
	assert.Contains(t, page.body, "Payment declined")
	v, err := ecovoucher.Issue("EUR", 10, 1)
	require.NoError(t, err)
	res := ecoPay(t, s, txOf(t, cb), ecoCard{number: v.Number, code: v.SecurityCode, expiry: v.Expiry})
	assert.Equal(t, http.StatusConflict, res.status)
	m.none()
}

func TestEcoVoucherUsedVoucherRefused(t *testing.T) {
	t.Parallel()
	s, m, d := ecoSetup(t, true)
	first := ecoStart(t, s, m, "used-1", 1000)
	page := ecoRedirect(t, first)
	card := ecoWallet(page)["1000"]
	require.Equal(t, http.StatusSeeOther, ecoPay(t, s, txOf(t, first), card).status)
	assert.Equal(t, "success", path(m.next(), "payment", "status"))

	second := ecoStart(t, s, m, "used-2", 1000)
	page = ecoRedirect(t, second)
	assert.NotEqual(t, card.number, ecoWallet(page)["1000"].number, "the wallet no longer offers it")

	res := ecoPay(t, s, txOf(t, second), card)
	assert.Equal(t, http.StatusConflict, res.status)
	assert.Contains(t, res.body, "Voucher 1 was refused")
	assert.Contains(t, res.body, "Voucher "+ecovoucher.GroupNumber(card.number)+" was already used")
	assert.Contains(t, res.body, `value="`+ecovoucher.GroupNumber(card.number)+`"`, "what was typed stays")
	m.none()
	assert.Len(t, d.requests(), 1, "no check_deposit for a refused voucher")
	var p map[string]any
	require.Equal(t, http.StatusOK, s.do("GET", fmt.Sprintf("/sandbox/payments/%d/used-2", testProject), nil, &p))
	assert.Equal(t, "awaiting redirect result", p["status"])

	// The control API refuses it the same way.
	var ans map[string]any
	status := s.do("POST", fmt.Sprintf("/sandbox/payments/%d/used-2/pay", testProject), map[string]any{
		"vouchers": []map[string]string{{"number": card.number, "security_code": card.code, "expiry": card.expiry}},
	}, &ans)
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, ans["error"], "was already used")
}

func TestEcoVoucherWrongCurrencyDeclinesByCallback(t *testing.T) {
	t.Parallel()
	s, m, d := ecoSetup(t, true)
	var ans gateAnswer
	require.Equal(t, http.StatusOK, s.do("POST", ecoPath, signed(ecoSale("jpy-1", 1000, "JPY"), testSecret), &ans), "declines are never synchronous")
	cb := m.next()
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "jpy-1", path(cb, "payment", "id"))
	assert.Equal(t, "decline", path(cb, "payment", "status"))
	assert.Equal(t, "General decline", path(cb, "operation", "message"))
	assertDeclineReason(t, s, cb, "20000", "payment.currency")
	assert.Nil(t, path(cb, "redirect_data"))
	assert.Empty(t, d.requests())
}

func TestEcoVoucherGateRequiresReturnURLs(t *testing.T) {
	t.Parallel()
	s, _, _ := ecoSetup(t, true)
	body := ecoSale("noreturn-1", 1000, "EUR")
	delete(body, "return_url")
	delete(body["customer"].(map[string]any), "ip_address")
	var ans gateAnswer
	assert.Equal(t, http.StatusBadRequest, s.do("POST", ecoPath, signed(body, testSecret), &ans))
	assert.Equal(t, "2004", ans.Code)
	var fields []string
	for _, e := range ans.Errors {
		fields = append(fields, e.Field)
	}
	assert.ElementsMatch(t, []string{"customer.ip_address", "return_url.success", "return_url.decline"}, fields, "each named once")
}

func TestEcoVoucherControlPayWithoutBody(t *testing.T) {
	t.Parallel()
	s, m, d := ecoSetup(t, true)
	for _, tt := range []struct {
		id     string
		amount int64
		paid   float64
	}{{"ctl-0", 0, 1000}, {"ctl-45", 4500, 4500}} {
		ecoStart(t, s, m, tt.id, tt.amount)
		req, err := http.NewRequest("POST", s.URL+fmt.Sprintf("/sandbox/payments/%d/%s/pay", testProject, tt.id), nil)
		require.NoError(t, err)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var p map[string]any
		require.NoError(t, json.NewDecoder(res.Body).Decode(&p))
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode, "%v", p)
		assert.Equal(t, "success", p["status"])
		assert.Equal(t, tt.paid, path(p, "amount", "amount"))

		cb := m.next()
		verifyCallback(t, cb, testSecret)
		assert.Equal(t, "success", path(cb, "payment", "status"))
		assert.Equal(t, tt.paid, path(cb, "operation", "sum_converted", "amount"))
	}
	reqs := d.requests()
	require.Len(t, reqs, 2)
	assert.Contains(t, string(reqs[0]), `"amount":1000`)
	assert.Contains(t, string(reqs[1]), `"amount":4500`)
}

func ecoVoucherGoldenCallbacks(t *testing.T) {
	s, m, _ := ecoSetup(t, true)

	// Success, as in the seed: 10.00 EUR for customer 12.
	var ans gateAnswer
	body := ecoSale("TEST_15354433ww22", 0, "EUR")
	body["customer"].(map[string]any)["id"] = "12"
	body["payment"].(map[string]any)["description"] = ""
	require.Equal(t, http.StatusOK, s.do("POST", ecoPath, signed(body, testSecret), &ans))
	cb := m.next()
	seedShape(t, m.lastRaw(), "ecovoucher_redirect", "redirect_data")
	page := ecoRedirect(t, cb)
	require.Equal(t, http.StatusOK, page.status)
	advance(t, s, "88s")
	require.Equal(t, http.StatusSeeOther, ecoPay(t, s, txOf(t, cb), ecoWallet(page)["1000"]).status)
	m.next()
	goldenCallback(t, s, "ecovoucher_success_callback", m.lastRaw())
	seedShape(t, m.lastRaw(), "ecovoucher_success")

	// Decline, as in the seed: the customer never finished.
	body = ecoSale("TEST_15731114254729", 0, "EUR")
	body["customer"].(map[string]any)["id"] = "1"
	body["payment"].(map[string]any)["description"] = "TEST_1573111425472"
	require.Equal(t, http.StatusOK, s.do("POST", ecoPath, signed(body, testSecret), &ans))
	m.next()
	advance(t, s, "31m")
	m.next()
	goldenCallback(t, s, "ecovoucher_decline_callback", m.lastRaw())
	seedShape(t, m.lastRaw(), "ecovoucher_decline")
	assert.NotContains(t, string(m.lastRaw()), "null")
}

func TestEcoVoucherRefusedByMerchantIsNotRedeemed(t *testing.T) {
	t.Parallel()
	s, m, d := ecoSetup(t, true)
	d.set("refuse")
	first := ecoStart(t, s, m, "refused-1", 1000)
	card := ecoWallet(ecoRedirect(t, first))["1000"]
	require.Equal(t, http.StatusSeeOther, ecoPay(t, s, txOf(t, first), card).status)
	cb := m.next()
	assert.Equal(t, "decline", path(cb, "payment", "status"))
	assert.Equal(t, "30000", path(cb, "operation", "code"))

	// The merchant refused it: the voucher was not redeemed and pays again.
	d.set("confirm")
	second := ecoStart(t, s, m, "refused-2", 1000)
	assert.Equal(t, card.number, ecoWallet(ecoRedirect(t, second))["1000"].number, "the wallet offers it again")
	require.Equal(t, http.StatusSeeOther, ecoPay(t, s, txOf(t, second), card).status)
	assert.Equal(t, "success", path(m.next(), "payment", "status"))
}
