package platform

import (
	"encoding/json"
	"fmt"
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
