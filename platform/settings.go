package platform

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Duration is a time.Duration that reads and writes as "72h" in JSON and YAML.
type Duration time.Duration

// MarshalText writes d as time.Duration's String.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText reads "90s", "72h" and the like.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: write it like 90s, 30m or 72h: %w", b, err)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes d as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a string such as "72h".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"72h\": %w", err)
	}
	return d.UnmarshalText([]byte(s))
}

// MethodSettings tune a payment method, globally or for one project. A zero
// field means "the method's default".
type MethodSettings struct {
	// MinAmount and MaxAmount bound the amount in minor units, whatever the currency.
	MinAmount int64 `json:"min_amount,omitempty" yaml:"min_amount"`
	MaxAmount int64 `json:"max_amount,omitempty" yaml:"max_amount"`
	// Variant picks a provider variant, e.g. "3days" for vouchers valid 3
	// days without a bank window (default "bank": valid 10 days, bank to day 30).
	Variant string `json:"variant,omitempty" yaml:"variant"`
	// WholeUnits requires amounts that are multiples of 100 minor units.
	WholeUnits bool `json:"whole_units,omitempty" yaml:"whole_units"`
	// Timeout is the customer's session timeout at the provider.
	Timeout Duration `json:"timeout,omitempty" yaml:"timeout"`
	// Rates converts a currency into the method's settlement currency, in
	// parts per million (EcoVoucher); missing means the identity rate.
	Rates map[string]int64 `json:"rates,omitempty" yaml:"rates"`
}

// Merge returns s with every zero field taken from base.
func (s MethodSettings) Merge(base MethodSettings) MethodSettings {
	if s.MinAmount == 0 {
		s.MinAmount = base.MinAmount
	}
	if s.MaxAmount == 0 {
		s.MaxAmount = base.MaxAmount
	}
	if s.Variant == "" {
		s.Variant = base.Variant
	}
	if !s.WholeUnits {
		s.WholeUnits = base.WholeUnits
	}
	if s.Timeout == 0 {
		s.Timeout = base.Timeout
	}
	if s.Rates == nil {
		s.Rates = base.Rates
	}
	return s
}

// Settings every method takes; Method.Settings names those it takes
// besides.
var commonSettings = []string{"min_amount", "max_amount", "whole_units"}

// Check refuses settings of method m that it cannot work with, naming each
// field at fault by its name in a config file (max_amount): a setting m
// does not take (see Method.Settings), a negative bound, a minimum above
// the maximum, a negative timeout, a rate that names no pair of currencies
// or is not a positive number of parts per million. What else a method
// refuses (a variant it does not have) is its provider's to say (see
// SettingsChecker).
func (s MethodSettings) Check(m Method) []FieldError {
	var fields []FieldError
	add := func(field, format string, args ...any) {
		fields = append(fields, FieldError{Code: CodeInvalidRequest, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	for _, set := range []struct {
		name string
		set  bool
	}{{"variant", s.Variant != ""}, {"timeout", s.Timeout != 0}, {"rates", s.Rates != nil}} {
		if set.set && !slices.Contains(m.Settings, set.name) {
			takes := append(slices.Clone(commonSettings), m.Settings...)
			add(set.name, "is not a setting of %s, which takes %s: remove it", m.Name, strings.Join(takes, ", "))
		}
	}
	if s.MinAmount < 0 {
		add("min_amount", "must not be negative, not %d: it is in minor units (10000 for 100.00), and 0 keeps the method's own minimum", s.MinAmount)
	}
	if s.MaxAmount < 0 {
		add("max_amount", "must not be negative, not %d: it is in minor units (10000 for 100.00), and 0 keeps the method's own maximum", s.MaxAmount)
	}
	if s.MinAmount > 0 && s.MaxAmount > 0 && s.MinAmount > s.MaxAmount {
		add("min_amount", "%d is above max_amount %d: no amount could pass; swap them", s.MinAmount, s.MaxAmount)
	}
	if s.Timeout < 0 {
		add("timeout", "must not be negative, not %s: write it like 15m or 2h, or leave it out for the method's own", time.Duration(s.Timeout))
	}
	for _, pair := range slices.Sorted(maps.Keys(s.Rates)) {
		from, to, ok := strings.Cut(pair, "/")
		switch rate := s.Rates[pair]; {
		case !ok || !IsCurrencyCode(from) || !IsCurrencyCode(to):
			add("rates."+pair, "names no pair of currencies: write it like EUR/USD, the customer's currency, a slash and the settlement currency, in capitals")
		case rate <= 0:
			add("rates."+pair, "must be a positive number of parts per million (1085000 makes 1.00 %s 1.085 %s), not %d", from, to, rate)
		}
	}
	return fields
}
