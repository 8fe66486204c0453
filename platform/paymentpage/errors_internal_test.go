package paymentpage

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// TestNoMethodForZeroNamesTheMethodsThatTakeIt: the page refusing an
// amount of 0 names the registered methods whose customer sets the amount,
// whichever they are, in the page's language.
func TestNoMethodForZeroNamesTheMethodsThatTakeIt(t *testing.T) {
	t.Parallel()
	cash := platform.Method{Name: "Cash", Currencies: []string{"USD"}}
	tab := platform.Method{Name: "Tab", Currencies: []string{"EUR"}, ZeroAmount: true}
	jar := platform.Method{Name: "Jar", Currencies: []string{"EUR"}, ZeroAmount: true}
	zero := platform.Sum{Amount: 0, Currency: "MXN"}
	tests := []struct {
		name    string
		methods []platform.Method
		lang    string
		want    string
	}{
		{"one", []platform.Method{cash, tab}, "en", "An amount of 0 is only allowed for methods where the customer sets the amount (Tab)."},
		{"two, in Spanish", []platform.Method{tab, cash, jar}, "es", "Un importe de 0 solo se admite en métodos donde el cliente fija el importe (Tab, Jar)."},
		{"none", []platform.Method{cash}, "pt", "Um valor 0 só é permitido em formas em que o cliente define o valor, e o sandbox não tem nenhuma."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, errNoMethod(zero, tt.methods).Hint.say(web.NewTranslator(tt.lang)))
		})
	}
}
