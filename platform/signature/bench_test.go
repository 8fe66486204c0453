package signature

import "testing"

// callbackBody is a card payment callback of 32 fields, as the sandbox sends.
const callbackBody = `{
  "project_id": 28051,
  "payment": {
    "id": "5242723", "type": "purchase", "status": "success", "date": "2023-03-10T12:26:17+0000",
    "method": "card", "sum": {"amount": 5200, "currency": "EUR"}, "description": "Order 1001"
  },
  "account": {
    "number": "424242******4242", "token": "c8175453f68ec7c8fb3f052b8d786c661261efebcb91155327a6c7b8f8e66359",
    "type": "visa", "card_holder": "TEST TEST", "expiry_month": "01", "expiry_year": "2025"
  },
  "customer": {"id": "782572"},
  "operation": {
    "id": 5028800010128225, "type": "sale", "status": "success", "date": "2023-03-10T12:26:17+0000",
    "created_date": "2023-03-10T12:26:15+0000",
    "request_id": "1f6d3ac37444142f5bd27e7491faa360633fd5a2-fc98e73d475fa4cd6ee02fc6340c964f0267b3d8-05028801",
    "sum_initial": {"amount": 5200, "currency": "EUR"}, "sum_converted": {"amount": 5200, "currency": "EUR"},
    "provider": {"id": 6, "payment_id": "16784511766816", "date": "2023-03-10T10:26:17+0000", "auth_code": "563253", "endpoint_id": 6},
    "code": "0", "message": "Success"
  }
}`

// gateSaleBody is a Gate sale request as a merchant sends it.
const gateSaleBody = `{
  "general": {"project_id": 3254, "payment_id": "id_38202316",
    "signature": "VLLZzVNGevQNhr1b4TEhbC4qqHD17Kyn/M6FPNN93ttyk/amJgD/R6dayTKVvW6/QCRdq4hOf8R2w/xbUa8f2w=="},
  "customer": {"id": "585741", "email": "johndoe@mycompany.com", "first_name": "John", "last_name": "Doe",
    "address": "Downing str., 23", "identify": {"doc_number": "54122312544"}, "ip_address": "111.222.333.444"},
  "payment": {"amount": 10800, "currency": "USD", "description": "Computer keyboards"},
  "receipt_data": {"positions": [{"quantity": 10, "amount": 108, "description": "Computer keyboard"}]},
  "return_url": {"success": "https://paymentpage.mycompany.com/complete-redirect?id=success",
    "decline": "https://paymentpage.mycompany.com/complete-redirect?id=decline"}
}`

func BenchmarkSign(b *testing.B) {
	data := mustDecode(b, callbackBody)
	b.ReportAllocs()
	for b.Loop() {
		Sign(data, "secret")
	}
}

func BenchmarkSignJSON(b *testing.B) {
	body := []byte(callbackBody)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SignJSON(body, "secret"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyGateBody(b *testing.B) {
	data := mustDecode(b, gateSaleBody)
	sig := data["general"].(map[string]any)["signature"].(string)
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(data, sig, "secret"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyGateBodyMismatch measures the slow path: every ordering is
// built and tried before the signature is rejected.
func BenchmarkVerifyGateBodyMismatch(b *testing.B) {
	data := mustDecode(b, gateSaleBody)
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(data, "bm90IGEgc2lnbmF0dXJl", "secret"); err == nil {
			b.Fatal("accepted")
		}
	}
}
