package paymentpage

import (
	"slices"
	"strings"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// methodsFor returns the methods a request may be paid with: the one
// force_payment_method names, or every registered method that takes the
// payment, its currency and its amount within the project's limits
// (Engine.Takes), in registration order. No method is a *pageError that
// says which methods take what. A forced method is held neither to its
// currencies nor to its limits here: the sale is declined for them (20000,
// 20101), and the merchant learns it from the callback, as the seeds show
// (Oxxo's, in its Payment Page section, a decline for the currency). Only
// an amount of 0 for a method whose customer cannot set one is refused: a
// link without an amount.
func (s *Server) methodsFor(r *request) ([]platform.Method, error) {
	all := s.Engine.Methods()
	if r.force != "" {
		m, ok := s.Engine.MethodByForceCode(r.force)
		if !ok {
			m, ok = forcedFold(all, r.force)
		}
		if !ok {
			var codes []string
			for _, mt := range all {
				codes = append(codes, mt.ForceCodes...)
			}
			return nil, errUnknownForce(r.force, codes)
		}
		if r.amount.Amount == 0 && !m.ZeroAmount {
			return nil, errForcedZero(m)
		}
		return []platform.Method{m}, nil
	}
	var out []platform.Method
	for _, m := range all {
		if fits(m, r.amount) && s.Engine.Takes(r.project, m, r.amount) {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, errNoMethod(r.amount, all)
	}
	return out, nil
}

// forcedFold finds a forced method whatever the case of its code, for
// "OXXO" or "ecovoucher".
func forcedFold(all []platform.Method, code string) (platform.Method, bool) {
	for _, m := range all {
		for _, c := range m.ForceCodes {
			if strings.EqualFold(c, code) {
				return m, true
			}
		}
	}
	return platform.Method{}, false
}

// fits reports whether m takes a payment of sum.
func fits(m platform.Method, sum platform.Sum) bool {
	return m.Supports(sum.Currency) && (sum.Amount > 0 || m.ZeroAmount)
}

// pick returns the method with code among methods.
func pick(methods []platform.Method, code string) (platform.Method, bool) {
	i := slices.IndexFunc(methods, func(m platform.Method) bool { return m.Code == code })
	if i < 0 {
		return platform.Method{}, false
	}
	return methods[i], true
}

// option is a method as the choice shows it: its tile, and its hint in
// the page's language (else in English, else its currencies).
func option(m platform.Method, t web.Translator) web.PaymentMethodOption {
	o := web.PaymentMethodOption{Code: m.Code, Name: m.Name, Mark: web.MarkOf(m), Hint: m.Hints[t.Lang()]}
	if o.Hint == "" {
		o.Hint = m.Hints[web.DefaultLanguage]
	}
	if o.Hint == "" {
		o.Hint = strings.Join(m.Currencies, ", ")
	}
	return o
}
