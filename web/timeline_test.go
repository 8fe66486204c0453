package web

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// TestTimelineSaysWhatAJobDoes checks the titles of a payment's pending
// jobs: a provider's job reads as its method describes it (Method.Jobs),
// and one it does not describe still shows, by name.
func TestTimelineSaysWhatAJobDoes(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	k := platform.PaymentKey{ProjectID: 1, PaymentID: "order-1"}
	v := platform.PaymentView{
		Payment: &platform.Payment{ID: k.PaymentID, ProjectID: k.ProjectID, Method: "cash", CreatedAt: at},
		Jobs: []platform.Job{
			{ID: 1, Kind: platform.JobProvider, Name: "lapse", Payment: k, Due: at.Add(72 * time.Hour)},
			{ID: 2, Kind: platform.JobProvider, Name: "audit", Payment: k, Due: at.Add(96 * time.Hour)},
			{ID: 3, Kind: platform.JobDeliver, DeliveryID: 7, Payment: k, Due: at.Add(time.Minute)},
		},
		Method: platform.Method{Code: "cash", Jobs: map[string]string{"lapse": "the voucher lapses if nobody paid it"}},
	}
	var titles []string
	for _, e := range TimelineOf(v, at) {
		if e.Kind == TimelineJob {
			titles = append(titles, e.Title)
		}
	}
	assert.Equal(t, []string{
		"The voucher lapses if nobody paid it",
		"Provider job audit",
		"Attempt to deliver outbox delivery 7",
	}, titles)
}

// TestTimelineNumbersCallbacksPerPayment checks that a payment's callbacks
// are titled by their place among the payment's own callbacks, with what
// they carry and how many attempts they took, never by the outbox's
// global delivery IDs (a payment's first callback may be delivery 3), and
// that the entries that point at a callback use the same name.
func TestTimelineNumbersCallbacksPerPayment(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	k := platform.PaymentKey{ProjectID: 1, PaymentID: "order-1"}
	op := platform.Operation{ID: 40, Type: "sale", Status: platform.StatusSuccess, CreatedAt: at, UpdatedAt: at.Add(time.Minute)}
	refund := platform.Operation{ID: 41, Type: "refund", Status: platform.StatusProcessing, CreatedAt: at.Add(2 * time.Minute)}
	body := func(payment, opType string, opID int64, opStatus string) []byte {
		return []byte(`{"payment":{"status":"` + payment + `"},"operation":{"id":` + fmt.Sprint(opID) + `,"type":"` + opType + `","status":"` + opStatus + `"}}`)
	}
	failed := platform.Attempt{At: at, Status: 500}
	ok := platform.Attempt{At: at.Add(10 * time.Second), Status: 200}
	v := platform.PaymentView{
		Payment: &platform.Payment{ID: k.PaymentID, ProjectID: k.ProjectID, Method: "cash", CreatedAt: at,
			Operations: []platform.Operation{op, refund}},
		Deliveries: []*platform.Delivery{
			{ID: 3, Kind: platform.DeliveryCallback, Status: platform.DeliveryDelivered, CreatedAt: at,
				Body: body("awaiting redirect result", "sale", 40, "awaiting redirect result"), Attempts: []platform.Attempt{failed, ok}},
			{ID: 4, Kind: platform.DeliveryCheckDeposit, Status: platform.DeliveryDelivered, CreatedAt: at.Add(30 * time.Second),
				Body: []byte(`{"type":"check_deposit","amount":1000,"currency":"EUR"}`), Attempts: []platform.Attempt{ok}},
			{ID: 7, Kind: platform.DeliveryCallback, Status: platform.DeliveryPending, CreatedAt: at.Add(time.Minute),
				NextAttempt: at.Add(3 * time.Minute), Body: body("success", "sale", 40, "success"), Attempts: []platform.Attempt{failed}},
			{ID: 9, Kind: platform.DeliveryCallback, Status: platform.DeliveryPending, CreatedAt: at.Add(2 * time.Minute),
				Body: body("refunded", "refund", 41, "success")},
		},
		Jobs: []platform.Job{{ID: 1, Kind: platform.JobDeliver, DeliveryID: 7, Payment: k, Due: at.Add(3 * time.Minute)}},
	}
	entries := TimelineOf(v, at.Add(2*time.Minute))
	var titles []string
	var waits []string
	for _, e := range entries {
		switch e.Kind {
		case TimelineCallback, TimelineCheckDeposit, TimelineJob:
			titles = append(titles, e.Title)
		}
		if e.Delivery != nil && e.Delivery.Waiting != "" {
			waits = append(waits, e.Delivery.Waiting)
		}
	}
	assert.Equal(t, []string{
		"Callback 1: sale awaiting redirect result · 2 attempts",
		"check_deposit request 1 · 1 attempt",
		"Callback 2: sale success · 1 attempt",
		"Callback 3: refund success · no attempt yet",
		"Attempt 2 to deliver callback 2",
	}, titles)
	assert.Contains(t, waits, "Waits for callback 2: a payment's callbacks are delivered in order.")
	for _, e := range entries {
		if e.Delivery != nil && e.Delivery.ID == 9 {
			assert.Equal(t, 2, e.Delivery.AfterN, "the link to the callback it waits behind says its number")
			assert.Equal(t, uint64(7), e.Delivery.After, "and points at its delivery")
		}
	}
}
