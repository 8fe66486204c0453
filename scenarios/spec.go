package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/ecommpay-sandbox/sandbox/sandboxtest"
)

// stepSpec is a step as the schema describes it, ${…} expanded.
type stepSpec struct {
	Name         string                 `json:"name"`
	Expect       *expectSpec            `json:"expect"`
	Capture      map[string]captureSpec `json:"capture"`
	Gate         *gateSpec              `json:"gate"`
	Page         *pageSpec              `json:"page"`
	Pay          *paySpec               `json:"pay"`
	Fail         *failSpec              `json:"fail"`
	Expire       *ref                   `json:"expire"`
	Clock        *clockSpec             `json:"clock"`
	Resend       *resendSpec            `json:"resend"`
	Merchant     *merchantSpec          `json:"merchant"`
	Callback     *callbackSpec          `json:"callback"`
	NoCallback   *noCallbackSpec        `json:"no_callback"`
	Delivery     *deliverySpec          `json:"delivery"`
	CheckDeposit *checkDepositSpec      `json:"check_deposit"`
	State        *ref                   `json:"state"`
}

// ref names a payment and, when not the first, its project.
type ref struct {
	Payment string `json:"payment"`
	Project int64  `json:"project"`
}

type gateSpec struct {
	Sale          string         `json:"sale"`
	Refund        string         `json:"refund"`
	Status        string         `json:"status"`
	Clarification string         `json:"clarification"`
	Path          string         `json:"path"`
	PaymentID     string         `json:"payment_id"`
	Project       int64          `json:"project"`
	Body          map[string]any `json:"body"`
	Omit          []string       `json:"omit"`
	Raw           *string        `json:"raw"`
	Signature     string         `json:"signature"`
}

type pageSpec struct {
	Open *openSpec `json:"open"`
	Get  string    `json:"get"`
	// Redirect is a callback's redirect_data ({url, method, body}), or
	// before expansion the ${name} it was captured as.
	Redirect any            `json:"redirect"`
	Choose   string         `json:"choose"`
	Fill     map[string]any `json:"fill"`
	Click    string         `json:"click"`
}

type openSpec struct {
	PaymentID string         `json:"payment_id"`
	Project   int64          `json:"project"`
	Params    map[string]any `json:"params"`
	Signature string         `json:"signature"`
	Method    string         `json:"method"`
}

type paySpec struct {
	ref
	sandboxtest.PayInput
	// Input is the method's own pay input, sent as it is: the fields of a
	// method that PayInput does not name.
	Input map[string]any `json:"input"`
}

type failSpec struct {
	ref
	Code int `json:"code"`
}

type clockSpec struct {
	Advance  *duration `json:"advance"`
	Set      string    `json:"set"`
	Freeze   bool      `json:"freeze"`
	Unfreeze bool      `json:"unfreeze"`
}

type resendSpec struct {
	ref
	Callback int `json:"callback"`
}

type callbackSpec struct {
	ref
	Status string   `json:"status"`
	Within duration `json:"within"`
}

type noCallbackSpec struct {
	ref
	Within duration `json:"within"`
}

type deliverySpec struct {
	ref
	Callback int        `json:"callback"`
	Attempts *int       `json:"attempts"`
	Spacing  []duration `json:"spacing"`
	Status   string     `json:"status"`
	// Within is how far the clock may move until the callback has Status
	// and Attempts; nil looks at it as it is.
	Within *duration `json:"within"`
}

type checkDepositSpec struct {
	ref
	Count *int `json:"count"`
}

// merchantSpec is how the merchant answers: at the top of a file for
// every project, under a project for its own payments, or in a step from
// then on, for every project or (with Project) for one.
type merchantSpec struct {
	Callbacks    *replySpec `json:"callbacks"`
	CheckDeposit *replySpec `json:"check_deposit"`
	Project      int64      `json:"project"`
}

// replies returns the merchant's scripts by what they answer, callbacks
// and check_deposit requests; nil where the file gives none.
func (m *merchantSpec) replies() map[string]*replySpec {
	return map[string]*replySpec{"callbacks": m.Callbacks, "check_deposit": m.CheckDeposit}
}

type replySpec struct {
	Status     int                  `json:"status"`
	Delay      duration             `json:"delay"`
	FailFirst  int                  `json:"fail_first"`
	FailStatus int                  `json:"fail_status"`
	Silent     bool                 `json:"silent"`
	HangUp     bool                 `json:"hang_up"`
	Code       int                  `json:"code"`
	Body       string               `json:"body"`
	Payments   map[string]replySpec `json:"payments"`

	// answers is whether the spec gives an answer of its own besides its
	// payments': one that names only payments leaves the answer to every
	// other payment as it was.
	answers bool
}

func (r *replySpec) UnmarshalJSON(b []byte) error {
	type plain replySpec
	if err := json.Unmarshal(b, (*plain)(r)); err != nil {
		return err
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return err
	}
	delete(keys, "payments")
	r.answers = len(keys) > 0
	return nil
}

func (r replySpec) reply() sandboxtest.Reply {
	return sandboxtest.Reply{Status: r.Status, Delay: timeDuration(r.Delay), FailFirst: r.FailFirst, FailStatus: r.FailStatus,
		Silent: r.Silent, HangUp: r.HangUp, Code: r.Code, Body: r.Body}
}

type expectSpec struct {
	Status      int             `json:"status"`
	Body        json.RawMessage `json:"body"`
	URL         string          `json:"url"`
	Contains    stringList      `json:"contains"`
	NotContains stringList      `json:"not_contains"`
}

// stringList is one string or a list of them.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("write a string or a list of strings")
	}
	*l = many
	return nil
}

// payments returns the payment IDs the step names, as written: the
// payment it makes, acts on or checks, and those a merchant step scripts.
// bodyPaymentID is the general.payment_id a gate step's body gives, "" when
// it gives none.
func (g *gateSpec) bodyPaymentID() string {
	general, _ := g.Body["general"].(map[string]any)
	id, _ := general["payment_id"].(string)
	return id
}

func (s stepSpec) payments() []string {
	var ids []string
	if g := s.Gate; g != nil {
		ids = append(ids, g.PaymentID, g.Refund, g.Status, g.Clarification, g.bodyPaymentID())
	}
	if p := s.Page; p != nil && p.Open != nil {
		ids = append(ids, p.Open.PaymentID)
	}
	for _, r := range []*ref{s.Expire, s.State} {
		if r != nil {
			ids = append(ids, r.Payment)
		}
	}
	switch {
	case s.Pay != nil:
		ids = append(ids, s.Pay.Payment)
	case s.Fail != nil:
		ids = append(ids, s.Fail.Payment)
	case s.Resend != nil:
		ids = append(ids, s.Resend.Payment)
	case s.Callback != nil:
		ids = append(ids, s.Callback.Payment)
	case s.NoCallback != nil:
		ids = append(ids, s.NoCallback.Payment)
	case s.Delivery != nil:
		ids = append(ids, s.Delivery.Payment)
	case s.CheckDeposit != nil:
		ids = append(ids, s.CheckDeposit.Payment)
	case s.Merchant != nil:
		for _, r := range s.Merchant.replies() {
			if r != nil {
				ids = slices.AppendSeq(ids, maps.Keys(r.Payments))
			}
		}
	}
	return slices.DeleteFunc(ids, func(id string) bool { return id == "" || strings.Contains(id, "${") })
}

// captureSpec is where a captured value comes from: a path into what the
// step got and, optionally, a regex whose first group is kept.
type captureSpec struct {
	Path  string `json:"path"`
	Regex string `json:"regex"`
}

func (c *captureSpec) UnmarshalJSON(b []byte) error {
	var path string
	if err := json.Unmarshal(b, &path); err == nil {
		c.Path = path
		return nil
	}
	type plain captureSpec
	return json.Unmarshal(b, (*plain)(c))
}

// decodeStep decodes a step's map (expanded or not) into its spec.
func decodeStep(raw map[string]any) (stepSpec, error) {
	var s stepSpec
	b, err := json.Marshal(raw)
	if err != nil {
		return s, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&s); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return s, fmt.Errorf("%s must be a %s", te.Field, te.Type)
		}
		return s, err
	}
	return s, nil
}

// check says what the schema cannot: which parts of a step go together.
func (s stepSpec) check(kind string) error {
	one := func(what string, set map[string]bool) error {
		var on []string
		for k, v := range set {
			if v {
				on = append(on, k)
			}
		}
		slices.Sort(on)
		if len(on) != 1 {
			keys := make([]string, 0, len(set))
			for k := range set {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if len(on) == 0 {
				return fmt.Errorf("%s needs one of %s", what, strings.Join(keys, ", "))
			}
			return fmt.Errorf("%s takes one of %s, not %s together", what, strings.Join(keys, ", "), strings.Join(on, " and "))
		}
		return nil
	}
	switch kind {
	case "gate":
		g := s.Gate
		if err := one("gate", map[string]bool{"sale": g.Sale != "", "refund": g.Refund != "", "status": g.Status != "",
			"clarification": g.Clarification != "", "path": g.Path != ""}); err != nil {
			return err
		}
		if g.Sale != "" && g.PaymentID == "" {
			return errors.New("a sale needs its payment_id")
		}
		if (g.Refund != "" || g.Status != "" || g.Clarification != "") && g.PaymentID != "" {
			return errors.New("refund, status and clarification name their payment: drop payment_id")
		}
		if g.Raw != nil && (g.Body != nil || len(g.Omit) > 0 || g.Signature != "") {
			return errors.New("raw is sent as it is: it takes no body, omit or signature")
		}
	case "page":
		p := s.Page
		if err := one("page", map[string]bool{"open": p.Open != nil, "get": p.Get != "", "redirect": p.Redirect != nil,
			"choose": p.Choose != "", "click": p.Click != ""}); err != nil {
			return err
		}
		if r, ok := p.Redirect.(string); ok && !varRE.MatchString(r) {
			return errors.New(`page.redirect is a callback's redirect_data: capture it (capture: {to: redirect_data}) and write redirect: "${to}"`)
		}
		if p.Fill != nil && p.Click == "" {
			return errors.New("fill goes with the click that submits the form")
		}
	case "pay":
		if p := s.Pay; p.Input != nil && !reflect.ValueOf(p.PayInput).IsZero() {
			return errors.New("pay.input is the whole pay input: write the other fields in it")
		}
	case "clock":
		c := s.Clock
		if err := one("clock", map[string]bool{"advance": c.Advance != nil, "set": c.Set != "", "freeze": c.Freeze, "unfreeze": c.Unfreeze}); err != nil {
			return err
		}
	case "delivery":
		if d := s.Delivery; d.Within != nil && d.Status == "" && d.Attempts == nil {
			return errors.New("delivery.within moves the clock until the callback has the status or attempts the step gives: give one (status: delivered, say)")
		}
	}
	if e := s.Expect; e != nil {
		answers := slices.Contains([]string{"gate", "page", "pay", "fail", "expire", "clock", "resend", "state"}, kind)
		switch {
		case e.Status != 0 && !answers:
			return fmt.Errorf("expect.status is the status of an answer: a %s step has none", kind)
		case (e.URL != "" || e.Contains != nil || e.NotContains != nil) && kind != "page":
			return errors.New("expect.url, contains and not_contains are for page steps")
		case e.Body != nil && (kind == "no_callback" || kind == "merchant"):
			return fmt.Errorf("a %s step gets nothing to match expect.body against", kind)
		}
	}
	if s.Capture != nil && (kind == "no_callback" || kind == "merchant") {
		return fmt.Errorf("a %s step gets nothing to capture", kind)
	}
	for name, c := range s.Capture {
		if c.Regex == "" {
			continue
		}
		re, err := regexp.Compile(c.Regex)
		if err != nil {
			return fmt.Errorf("capture %s: regex: %w", name, err)
		}
		if re.NumSubexp() > 1 {
			return fmt.Errorf("capture %s: the regex has %d groups: keep one, or none to keep the whole match", name, re.NumSubexp())
		}
	}
	return nil
}
