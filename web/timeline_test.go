package web

import (
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
		"Attempt to deliver callback #7",
	}, titles)
}
