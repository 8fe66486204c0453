package bolt

import (
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// writeV1Fixture writes what testdata/v1.db holds; the file was made by the
// schema 1 store (commit 88044cb) with this function, and the migration
// tests compare what a newer store reads from it with the same values.
func writeV1Fixture(tx platform.Tx) error {
	for _, p := range v1Projects() {
		if err := tx.PutProject(p); err != nil {
			return err
		}
	}
	for _, p := range v1Payments() {
		if err := tx.CreatePayment(p); err != nil {
			return err
		}
	}
	if err := tx.PutReference("oxxo", "66009238685590", key("order-1")); err != nil {
		return err
	}
	for _, d := range v1Deliveries() {
		if err := tx.PutDelivery(d); err != nil {
			return err
		}
	}
	for _, j := range v1Jobs() {
		if err := tx.PutJob(j); err != nil {
			return err
		}
	}
	for range 7 {
		if _, err := tx.NextID("operations"); err != nil {
			return err
		}
	}
	return tx.PutClockState(platform.ClockState{Offset: time.Hour, Frozen: true, FrozenAt: base})
}

func v1Projects() []platform.Project {
	return []platform.Project{platform.DemoProject(), {
		ID: 842, Secret: "s3cret", CallbackURL: "http://127.0.0.1:9000/cb", CheckDepositURL: "http://127.0.0.1:9000/cd",
		Methods: map[string]platform.MethodSettings{"oxxo": {MinAmount: 1, MaxAmount: 2, Variant: "v", WholeUnits: true,
			Timeout: platform.Duration(time.Minute), Rates: map[string]int64{"USD": 3}}},
	}}
}

// v1Full is a payment with every field of schema 1 set.
func v1Full() *platform.Payment {
	at := func(h int) time.Time { return base.Add(time.Duration(h)*time.Hour + time.Duration(h)) }
	return &platform.Payment{
		ProjectID: 1, ID: "full", Method: "card-partner", Interface: platform.InterfacePaymentPage, Status: platform.StatusRefunded,
		Amount: platform.Sum{Amount: 1, Currency: "EUR"}, Sum: platform.Sum{Amount: 2, Currency: "USD"}, Description: "d",
		Customer:   platform.Customer{ID: "c", IPAddress: "ip", FirstName: "f", LastName: "l", Email: "e", Phone: "p", DocNumber: "n", Country: "BR"},
		ReturnURLs: platform.ReturnURLs{Success: "s", Decline: "d", Return: "r"},
		Callback:   platform.CallbackOptions{URL: "u", Delay: time.Second, Disabled: true},
		Language:   "pt", PageOptions: map[string]string{"a": "b", "c": "d"},
		Redirect:      &platform.Redirect{URL: "ru", Method: "POST", Body: []byte(`{"k":"v"}`)},
		Clarification: []string{"customer.phone", "customer.email"},
		Voucher: &platform.Voucher{Reference: "r", Barcode: "b", Amount: platform.Sum{Amount: 3, Currency: "MXN"},
			IssuedAt: at(1), ValidUntil: at(2), BankUntil: at(3), PaidAt: at(4), Channel: "bank"},
		ProviderData: []byte(`{"state":1}`),
		Operations: []platform.Operation{{ID: 5, Type: "sale", Status: platform.StatusSuccess, RequestID: "q", Sum: platform.Sum{Amount: 6, Currency: "EUR"},
			Converted: platform.Sum{Amount: 7, Currency: "USD"}, Code: "0", Message: "Success",
			Errors:            []platform.OperationError{{Code: 8, Message: "m", Field: "f"}},
			ProviderPaymentID: "pp", AuthCode: "ac", ProviderDate: at(5), CreatedAt: at(6), UpdatedAt: at(7)},
			{ID: 9, Type: "refund", Status: platform.StatusSuccess, CreatedAt: at(8), UpdatedAt: at(9)}},
		Callbacks: platform.CallbackSummary{Health: platform.CallbacksFailing, Count: 10, Attempts: 11, LastStatus: 500,
			LastError: "e", LastAt: at(10), NextAttempt: at(11)},
		Streams:   12,
		CreatedAt: at(-1),
		UpdatedAt: at(13),
	}
}

func v1Payments() []*platform.Payment {
	success := payment(1, "order-1", "oxxo", platform.StatusSuccess, base.Add(time.Minute))
	success.Voucher = &platform.Voucher{Reference: "66009238685590", Barcode: "66009238685590",
		Amount: success.Amount, IssuedAt: base, ValidUntil: base.Add(240 * time.Hour), PaidAt: base.Add(time.Hour), Channel: "terminal"}
	success.Callbacks = platform.CallbackSummary{Health: platform.CallbacksOK, Count: 2, Attempts: 2, LastStatus: 200, LastAt: base.Add(time.Hour)}
	return []*platform.Payment{
		v1Full(),
		success,
		payment(2, "order-2", "loterica", platform.StatusProcessing, base.Add(2*time.Minute)),
		payment(1, "order-3", "oxxo", platform.StatusAwaitingRedirect, base.Add(2*time.Minute)),
	}
}

func v1Deliveries() []*platform.Delivery {
	full := &platform.Delivery{ID: 3, Kind: platform.DeliveryCheckDeposit, ProjectID: 1, PaymentID: "full", URL: "http://127.0.0.1:9000/cd",
		Status: platform.DeliveryFailed, Body: []byte(`{"type":"check_deposit"}`), CreatedAt: base, NotBefore: base.Add(time.Second),
		NextAttempt: base.Add(time.Minute), Attempts: []platform.Attempt{{At: base, URL: "http://other.example/", RequestBody: "x", Status: 500,
			ResponseBody: "oops", Latency: time.Second, Error: "merchant answered 500", Note: "n"}}}
	signed := delivery(1, key("order-1"), platform.DeliveryDelivered)
	signed.Attempts = []platform.Attempt{{At: base, URL: signed.URL, RequestBody: `{"payment":{"id":"order-1"},"signature":"c2lnbmF0dXJl"}`, Status: 200, ResponseBody: `{"ok":true}`, Latency: time.Millisecond}}
	return []*platform.Delivery{signed, delivery(2, key("order-3"), platform.DeliveryPending), full}
}

func v1Jobs() []platform.Job {
	return []platform.Job{
		{ID: 1, Due: base.Add(time.Hour), Kind: platform.JobProvider, Payment: key("order-3"), Name: "lapse"},
		{ID: 2, Due: base, Kind: platform.JobDeliver, Payment: key("order-3"), DeliveryID: 2},
	}
}
