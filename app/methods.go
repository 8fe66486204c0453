package app

import (
	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/providers/cardpartner"
	"github.com/ecommpay-sandbox/sandbox/providers/ecovoucher"
	"github.com/ecommpay-sandbox/sandbox/providers/loterica"
	"github.com/ecommpay-sandbox/sandbox/providers/oxxo"
	"github.com/ecommpay-sandbox/sandbox/providers/rapipago"
)

// Providers returns the mock providers: one line per payment method.
func Providers() []platform.Provider {
	return []platform.Provider{
		oxxo.New(),
		loterica.New(),
		rapipago.New(),
		ecovoucher.New(),
		cardpartner.New(),
	}
}

// MethodCodes returns the codes of the methods Providers registers, in
// their order.
func MethodCodes() []string {
	var codes []string
	for _, p := range Providers() {
		codes = append(codes, p.Method().Code)
	}
	return codes
}
