package control

import (
	"context"
	"encoding/json"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// asSent replaces the body of each delivery, which the store keeps
// unsigned, with the body as the merchant receives it, signature included:
// the request of its last attempt, or, before any, the body signed with the
// project's current secret, as its first attempt will send it.
func (s *Server) asSent(ctx context.Context, ds []*platform.Delivery) {
	secrets := map[int64]string{}
	for _, d := range ds {
		if n := len(d.Attempts); n > 0 && d.Attempts[n-1].RequestBody != "" {
			d.Body = json.RawMessage(d.Attempts[n-1].RequestBody)
			continue
		}
		secret, ok := secrets[d.ProjectID]
		if !ok {
			p, err := s.Engine.Project(ctx, d.ProjectID)
			if err != nil {
				continue // no project, no signature: the body stays as stored
			}
			secret, secrets[d.ProjectID] = p.Secret, p.Secret
		}
		if signed, err := signature.SignJSON(d.Body, secret); err == nil {
			d.Body = signed
		}
	}
}
