package control

import (
	"encoding/json"
	"net/url"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// paymentView is a payment as the control API shows it.
type paymentView struct {
	ProjectID     int64                `json:"project_id"`
	PaymentID     string               `json:"payment_id"`
	Method        string               `json:"method"`
	Interface     platform.Interface   `json:"interface"`
	Status        platform.Status      `json:"status"`
	Amount        platform.Sum         `json:"amount"`
	Sum           platform.Sum         `json:"sum"`
	Description   string               `json:"description"`
	Customer      platform.Customer    `json:"customer"`
	ReturnURLs    platform.ReturnURLs  `json:"return_url"`
	Redirect      *platform.Redirect   `json:"redirect_data,omitempty"`
	Clarification []string             `json:"clarification_fields,omitempty"`
	Voucher       *voucherView         `json:"voucher,omitempty"`
	Provider      json.RawMessage      `json:"provider,omitempty"`
	Operations    []platform.Operation `json:"operations"`
	CreatedAt     time.Time            `json:"created_at"`
	UpdatedAt     time.Time            `json:"updated_at"`
	Links         map[string]string    `json:"links"`
}

// voucherView is a voucher with the URLs of its pages.
type voucherView struct {
	*platform.Voucher
	PageURL    string `json:"page_url"`
	BarcodeURL string `json:"barcode_url"`
}

// wholeView is a payment with its deliveries and pending jobs.
type wholeView struct {
	paymentView
	Deliveries []*platform.Delivery `json:"deliveries"`
	Jobs       []platform.Job       `json:"jobs"`
}

func (s *Server) paymentView(p *platform.Payment) paymentView {
	base := s.Engine.BaseURL()
	path := "/sandbox/payments/" + itoa(p.ProjectID) + "/" + url.PathEscape(p.ID)
	v := paymentView{
		ProjectID: p.ProjectID, PaymentID: p.ID, Method: p.Method, Interface: p.Interface,
		Status: p.Status, Amount: p.Amount, Sum: p.Sum, Description: p.Description,
		Customer: p.Customer, ReturnURLs: p.ReturnURLs, Redirect: p.Redirect,
		Clarification: p.Clarification, Provider: p.ProviderData, Operations: p.Operations,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		Links: map[string]string{
			"self":   base + path,
			"pay":    base + path + "/pay",
			"fail":   base + path + "/fail",
			"expire": base + path + "/expire",
		},
	}
	if l := s.voucherLinks(base, p); l != nil {
		v.Voucher = &voucherView{Voucher: p.Voucher, PageURL: l.PageURL, BarcodeURL: l.BarcodeURL}
	}
	if v.Operations == nil {
		v.Operations = []platform.Operation{}
	}
	return v
}

// voucherLinks returns p's voucher with its pages under base ("" for
// paths), as its method says where they are (Method.VoucherPages); nil
// when p has no voucher.
func (s *Server) voucherLinks(base string, p *platform.Payment) *web.VoucherLinks {
	if p.Voucher == nil {
		return nil
	}
	l := &web.VoucherLinks{Voucher: p.Voucher}
	if m, ok := s.Engine.Method(p.Method); ok && m.VoucherPages != nil {
		pages := m.VoucherPages(p.Voucher.Reference)
		l.PageURL, l.BarcodeURL, l.TerminalURL = base+pages.Page, base+pages.Barcode, base+pages.Terminal
	}
	return l
}
