package platform_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

func TestMethodSettingsCheck(t *testing.T) {
	t.Parallel()
	voucher := platform.Method{Name: "Oxxo", Settings: []string{"variant"}}
	wallet := platform.Method{Name: "EcoVoucher", Settings: []string{"timeout", "rates"}}
	minutes := func(n int) platform.Duration { return platform.Duration(time.Duration(n) * time.Minute) }
	tests := []struct {
		name   string
		m      platform.Method
		s      platform.MethodSettings
		fields []string // the fields at fault, in order; none when valid
		want   string   // in the first field's message
	}{
		{"none", voucher, platform.MethodSettings{}, nil, ""},
		{"every common setting", voucher, platform.MethodSettings{MinAmount: 100, MaxAmount: 500000, WholeUnits: true, Variant: "3days"}, nil, ""},
		{"the wallet's own", wallet, platform.MethodSettings{Timeout: minutes(30), Rates: map[string]int64{"EUR/USD": 1085000}}, nil, ""},
		{"equal bounds", voucher, platform.MethodSettings{MinAmount: 500, MaxAmount: 500}, nil, ""},
		{"negative minimum", voucher, platform.MethodSettings{MinAmount: -1}, []string{"min_amount"}, "must not be negative, not -1"},
		{"negative maximum", voucher, platform.MethodSettings{MaxAmount: -100}, []string{"max_amount"}, "0 keeps the method's own maximum"},
		{"bounds swapped", voucher, platform.MethodSettings{MinAmount: 500, MaxAmount: 100}, []string{"min_amount"}, "500 is above max_amount 100"},
		{"negative timeout", wallet, platform.MethodSettings{Timeout: minutes(-5)}, []string{"timeout"}, "not -5m0s"},
		{"a timeout a voucher does not take", voucher, platform.MethodSettings{Timeout: minutes(30)}, []string{"timeout"},
			"is not a setting of Oxxo, which takes min_amount, max_amount, whole_units, variant: remove it"},
		{"rates a voucher does not take", voucher, platform.MethodSettings{Rates: map[string]int64{"EUR/USD": 1}}, []string{"rates"}, "not a setting of Oxxo"},
		{"a variant the wallet does not take", wallet, platform.MethodSettings{Variant: "bank"}, []string{"variant"}, "not a setting of EcoVoucher"},
		{"a rate keyed by one currency", wallet, platform.MethodSettings{Rates: map[string]int64{"EUR": 1085000}}, []string{"rates.EUR"}, "like EUR/USD"},
		{"a rate in lower case", wallet, platform.MethodSettings{Rates: map[string]int64{"eur/usd": 1085000}}, []string{"rates.eur/usd"}, "in capitals"},
		{"a rate of zero", wallet, platform.MethodSettings{Rates: map[string]int64{"EUR/USD": 0}}, []string{"rates.EUR/USD"}, "positive number of parts per million"},
		{"everything at once, in order", voucher, platform.MethodSettings{MinAmount: -1, MaxAmount: -1, Timeout: minutes(-1)},
			[]string{"timeout", "min_amount", "max_amount", "timeout"}, "not a setting of Oxxo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.s.Check(tt.m)
			var fields []string
			for _, f := range got {
				fields = append(fields, f.Field)
				assert.Equal(t, platform.CodeInvalidRequest, f.Code)
			}
			assert.Equal(t, tt.fields, fields)
			if len(got) > 0 {
				assert.Contains(t, got[0].Message, tt.want)
			}
		})
	}
}
