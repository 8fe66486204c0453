package callback

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// DepositAnswer is what a merchant's answer to check_deposit means for the
// payment (docs/callbacks.md "check_deposit (EcoVoucher)"). It is
// platform.DepositAnswer, which the engine consumes through
// platform.DepositChecker: Confirmed is true when the merchant answered
// HTTP 200 with code 0 and the payment's payment_id; otherwise Code is
// platform.DeclineByMerchant for a refusal, an HTTP error status or an
// answer that is not JSON, and platform.DeclineMerchantNoAnswer when no
// answer came in time, the connection failed or the project has no
// check_deposit URL; Reason explains the outcome to a person.
type DepositAnswer = platform.DepositAnswer

var _ platform.DepositChecker = (*Sender)(nil)

// CheckDeposit asks the merchant to confirm a deposit: it signs body, the
// unsigned check_deposit request, with the project's secret, POSTs it to the
// project's check_deposit URL while the customer waits, and interprets the
// answer. now is the sandbox time of the request. It returns the attempt, for
// the caller to record with the payment's state change, and the answer. It
// does not touch the store. An attempt that did not confirm carries the
// reason as its Error, so Attempt.OK reports whether the merchant confirmed.
func (d *Sender) CheckDeposit(ctx context.Context, now time.Time, project platform.Project, body []byte) (platform.Attempt, DepositAnswer) {
	a := platform.Attempt{At: now.Round(0), URL: project.CheckDepositURL}
	noAnswer := func(reason string) (platform.Attempt, DepositAnswer) {
		a.Error = reason
		return a, DepositAnswer{Code: platform.DeclineMerchantNoAnswer, Reason: reason}
	}
	refused := func(reason string) (platform.Attempt, DepositAnswer) {
		a.Error = reason
		return a, DepositAnswer{Code: platform.DeclineByMerchant, Reason: reason}
	}
	if a.URL == "" {
		return noAnswer(fmt.Sprintf("project %d has no check_deposit URL", project.ID))
	}
	signed, err := signature.SignJSON(body, project.Secret)
	if err != nil {
		return noAnswer("cannot sign the check_deposit request: " + err.Error())
	}
	a.RequestBody = string(signed)
	x := d.post(ctx, a.URL, signed)
	a.Status, a.ResponseBody, a.Latency = x.status, keep(x.body), x.latency
	switch {
	case x.err != "":
		return noAnswer(x.err)
	case x.status != http.StatusOK:
		return refused(refusal(x))
	case x.timeout:
		return noAnswer(timeoutError(d.timeout()) + " while reading the answer")
	case x.readErr != nil:
		return refused("cannot read the answer: " + x.readErr.Error())
	}
	if reason := interpret(x.body, body); reason != "" {
		return refused(reason)
	}
	d.log().Info("check_deposit confirmed", "project_id", project.ID, "url", a.URL, "latency", a.Latency)
	return a, DepositAnswer{Confirmed: true, Reason: "the merchant confirmed the deposit"}
}

// interpret reads a 200 answer to check_deposit and returns why it does not
// confirm request, or "" when it does: code 0 (a number or "0") and the
// request's payment_id, both of which ecommpay requires in the answer.
func interpret(answer, request []byte) string {
	got, err := decodeObject(answer)
	if err != nil {
		return "the answer is not a JSON object: " + err.Error()
	}
	code, ok := got["code"]
	if !ok {
		return `the answer has no "code"; send {"code":0,"payment_id":"…"} to confirm`
	}
	if !isZero(code) {
		reason := "the merchant refused the deposit with code " + text(code)
		if m, ok := got["message"]; ok {
			reason += ": " + text(m)
		}
		return reason
	}
	want := ""
	if req, err := decodeObject(request); err == nil {
		want = text(req["payment_id"])
	}
	pid, ok := got["payment_id"]
	if !ok {
		return fmt.Sprintf(`the answer has code 0 but no "payment_id"; send {"code":0,"payment_id":%q} to confirm`, want)
	}
	if text(pid) != want {
		return fmt.Sprintf("the answer confirms payment_id %q but the request was for %q", text(pid), want)
	}
	return ""
}

func decodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("got null")
	}
	return m, nil
}

// isZero reports whether a decoded code means success: the number 0 or the
// string "0".
func isZero(v any) bool {
	switch v := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		return err == nil && f == 0
	case string:
		return v == "0"
	}
	return false
}

// text writes a decoded JSON scalar as the merchant wrote it.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return string(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
