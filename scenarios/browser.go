package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// browser is a customer's browser over HTTP, without JavaScript: it follows
// redirects, submits forms that submit themselves and reloads a page that
// waits for a payment to leave processing, as the pages' scripts would. It
// visits the sandbox and the sites the scenario sends it to by URL (the
// merchant's own server, visit): a link or redirect to any other host ends
// the journey there (a shop's return URL on shop.example), unvisited.
type browser struct {
	client  *http.Client
	hosts   map[string]bool // the hosts it visits: the sandbox's host:port and those of visit
	base    *url.URL
	maxWait time.Duration // how long a page may wait for processing, in wall time
	page    *page

	mu      sync.Mutex
	pending *url.URL // the page it waits for, while it waits
}

// page is what the customer sees.
type page struct {
	URL    *url.URL
	Status int // 0 when the customer left the sandbox
	Title  string
	Text   string // the visible text, white space folded
	Forms  []*form
	Links  []link
	// Offsite says the customer was sent to URL, on a site the browser
	// does not visit.
	Offsite bool

	auto    *form // a form that submits itself (data-autosubmit)
	waiting bool  // the page waits for the payment to leave processing
}

type form struct {
	Action  *url.URL
	Method  string
	Fields  []*field
	Buttons []button
}

type field struct {
	Name, Type, Value string
	Checked           bool
	Options           []string // a select's options
}

type button struct {
	Name, Value, Text string
	form              *form
}

type link struct {
	Href *url.URL
	Text string
}

func newBrowser(base string, maxWait time.Duration) (*browser, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	b := &browser{hosts: map[string]bool{u.Host: true}, base: u, maxWait: maxWait}
	b.client = &http.Client{
		Timeout: time.Minute,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if !b.hosts[req.URL.Host] || len(via) > 20 {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	return b, nil
}

// doc is what a page step matches and captures from.
func (p *page) doc() map[string]any {
	return map[string]any{"url": p.URL.String(), "status": p.Status, "title": p.Title, "text": p.Text}
}

// open navigates to u with method and form (nil for none).
func (b *browser) open(ctx context.Context, method, target string, form url.Values) error {
	u, err := b.resolve(target)
	if err != nil {
		return err
	}
	return b.navigate(ctx, method, u, form)
}

// visit navigates to target as open does, and makes its site one the
// customer visits from now on, links and redirects to it included: a URL
// the scenario names (the merchant's own shop) is meant to be visited.
func (b *browser) visit(ctx context.Context, target string) error {
	u, err := b.resolve(target)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q is not a web page's URL: give a path of the sandbox (/providers/oxxo/terminal) or a URL such as http://127.0.0.1:9000/orders/1", target)
	}
	b.hosts[u.Host] = true
	return b.navigate(ctx, http.MethodGet, u, nil)
}

// resolve reads a URL, a path against the sandbox's page the customer is
// on, or against the sandbox itself: a path is always the sandbox's.
func (b *browser) resolve(target string) (*url.URL, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %w", target, err)
	}
	base := b.base
	if b.page != nil && !b.page.Offsite && b.page.URL.Host == b.base.Host {
		base = b.page.URL
	}
	return base.ResolveReference(u), nil
}

func (b *browser) navigate(ctx context.Context, method string, u *url.URL, form url.Values) error {
	deadline := time.Now().Add(b.maxWait)
	for hop := 0; ; hop++ {
		if !b.hosts[u.Host] {
			b.page = &page{URL: u, Offsite: true}
			return nil
		}
		p, err := b.fetch(ctx, method, u, form)
		if err != nil {
			return err
		}
		b.page = p
		switch {
		case hop > 50:
			return fmt.Errorf("the pages keep sending the customer on (%d hops); last at %s", hop, u)
		case p.auto != nil:
			method, u, form = p.auto.Method, p.auto.Action, p.auto.values(nil)
		case p.waiting:
			if time.Now().After(deadline) {
				return fmt.Errorf("%s still waits for the payment to leave processing after %s", p.URL, b.maxWait)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
			method, u, form = http.MethodGet, p.URL, nil
		default:
			return nil
		}
	}
}

// fetch makes one request, following redirects within the sandbox.
func (b *browser) fetch(ctx context.Context, method string, u *url.URL, form url.Values) (*page, error) {
	var body io.Reader
	target := *u
	if form != nil && method == http.MethodGet {
		target.RawQuery = form.Encode()
	} else if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target.String(), body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	b.wait(&target)
	res, err := b.client.Do(req)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Op == "dial" {
			return nil, fmt.Errorf("%s %s: nothing answers at %s (%v): start that server before sandbox test, or correct the URL", method, target.String(), target.Host, oe.Err)
		}
		return nil, fmt.Errorf("%s %s: %w", method, target.String(), err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	b.wait(nil)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read the page: %w", method, target.String(), err)
	}
	final := res.Request.URL
	if loc := res.Header.Get("Location"); loc != "" && res.StatusCode >= 300 && res.StatusCode < 400 {
		to, err := final.Parse(loc)
		if err != nil {
			return nil, fmt.Errorf("%s sends the customer to %q, which is not a URL", final, loc)
		}
		if b.hosts[to.Host] {
			return nil, fmt.Errorf("%s redirects again and again (last to %s)", u, to)
		}
		// A redirect to a site the customer does not visit: they leave for it.
		return &page{URL: to, Offsite: true}, nil
	}
	p := parsePage(final, raw)
	p.Status = res.StatusCode
	return p, nil
}

// wait notes the page the browser waits for, nil once it has it.
func (b *browser) wait(u *url.URL) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending = u
}

// waitingElsewhere returns the URL of the page of another site than the
// sandbox that the browser waits for, "" when it waits for none.
func (b *browser) waitingElsewhere() string {
	if b == nil {
		return ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pending == nil || b.pending.Host == b.base.Host {
		return ""
	}
	return b.pending.String()
}

// parsePage reads what a customer sees of an HTML page and what they can do.
func parsePage(u *url.URL, raw []byte) *page {
	p := &page{URL: u}
	root, err := html.Parse(strings.NewReader(string(raw)))
	if err != nil {
		p.Text = strings.Join(strings.Fields(string(raw)), " ")
		return p
	}
	var text []string
	var cur *form
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			text = append(text, n.Data)
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Template:
				return
			case atom.Title:
				p.Title = strings.Join(strings.Fields(textOf(n)), " ")
				return
			case atom.Form:
				f := &form{Method: strings.ToUpper(attr(n, "method")), Action: u}
				if f.Method != http.MethodPost {
					f.Method = http.MethodGet
				}
				if a := attr(n, "action"); a != "" {
					if au, err := u.Parse(a); err == nil {
						f.Action = au
					}
				}
				p.Forms = append(p.Forms, f)
				if hasAttr(n, "data-autosubmit") {
					p.auto = f
				}
				outer := cur
				cur = f
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
				cur = outer
				return
			case atom.Input:
				addInput(cur, n)
			case atom.Select:
				addSelect(cur, n)
				return
			case atom.Textarea:
				if cur != nil && attr(n, "name") != "" {
					cur.Fields = append(cur.Fields, &field{Name: attr(n, "name"), Type: "textarea", Value: textOf(n)})
				}
			case atom.Button:
				if cur != nil && !strings.EqualFold(attr(n, "type"), "button") && !strings.EqualFold(attr(n, "type"), "reset") {
					cur.Buttons = append(cur.Buttons, button{Name: attr(n, "name"), Value: attr(n, "value"),
						Text: strings.Join(strings.Fields(textOf(n)), " "), form: cur})
				}
			case atom.A:
				if h := attr(n, "href"); h != "" && !strings.HasPrefix(h, "#") && !strings.HasPrefix(h, "javascript:") {
					if hu, err := u.Parse(h); err == nil {
						p.Links = append(p.Links, link{Href: hu, Text: strings.Join(strings.Fields(textOf(n)), " ")})
					}
				}
			}
			if attr(n, "data-poll") != "" && attr(n, "data-status") == "processing" {
				p.waiting = true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	p.Text = strings.Join(strings.Fields(strings.Join(text, " ")), " ")
	return p
}

func addInput(f *form, n *html.Node) {
	if f == nil {
		return
	}
	typ := strings.ToLower(attr(n, "type"))
	if typ == "" {
		typ = "text"
	}
	switch typ {
	case "submit", "image":
		f.Buttons = append(f.Buttons, button{Name: attr(n, "name"), Value: attr(n, "value"), Text: attr(n, "value"), form: f})
	case "button", "reset", "file":
	default:
		if attr(n, "name") != "" {
			f.Fields = append(f.Fields, &field{Name: attr(n, "name"), Type: typ, Value: attr(n, "value"), Checked: hasAttr(n, "checked")})
		}
	}
}

func addSelect(f *form, n *html.Node) {
	if f == nil || attr(n, "name") == "" {
		return
	}
	fd := &field{Name: attr(n, "name"), Type: "select"}
	var walk func(c *html.Node)
	walk = func(c *html.Node) {
		if c.Type == html.ElementNode && c.DataAtom == atom.Option {
			v := attr(c, "value")
			if !hasAttr(c, "value") {
				v = strings.TrimSpace(textOf(c))
			}
			fd.Options = append(fd.Options, v)
			if hasAttr(c, "selected") || len(fd.Options) == 1 {
				fd.Value = v
			}
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(n)
	f.Fields = append(f.Fields, fd)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == key })
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(c *html.Node)
	walk = func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(n)
	return b.String()
}

// values are what a form sends: its fields as they stand, with fill
// applied, and the clicked button (nil for none).
func (f *form) values(clicked *button) url.Values {
	v := url.Values{}
	for _, fd := range f.Fields {
		switch fd.Type {
		case "checkbox", "radio":
			if fd.Checked {
				val := fd.Value
				if val == "" {
					val = "on"
				}
				v.Add(fd.Name, val)
			}
		default:
			v.Add(fd.Name, fd.Value)
		}
	}
	if clicked != nil && clicked.Name != "" {
		v.Add(clicked.Name, clicked.Value)
	}
	return v
}

// set fills a form's fields: a radio group or select takes one of its
// values, same-named fields take a list in order.
func (f *form) set(fill map[string][]string) error {
	names := make([]string, 0, len(fill))
	for k := range fill {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		vals := fill[name]
		var fs []*field
		for _, fd := range f.Fields {
			if fd.Name == name && fd.Type != "hidden" {
				fs = append(fs, fd)
			}
		}
		if len(fs) == 0 {
			return fmt.Errorf("the form has no field %q to fill; its fields are %s", name, f.fieldNames())
		}
		switch fs[0].Type {
		case "radio":
			if len(vals) != 1 {
				return fmt.Errorf("%q is a choice: give one value", name)
			}
			var options []string
			found := false
			for _, fd := range fs {
				options = append(options, fd.Value)
				fd.Checked = fd.Value == vals[0]
				found = found || fd.Checked
			}
			if !found {
				return fmt.Errorf("%q offers %s, not %q", name, strings.Join(options, ", "), vals[0])
			}
		case "checkbox":
			for _, fd := range fs {
				fd.Checked = slices.Contains(vals, fd.Value) || (fd.Value == "" && slices.Contains(vals, "on"))
			}
		case "select":
			if !slices.Contains(fs[0].Options, vals[0]) {
				return fmt.Errorf("%q offers %s, not %q", name, strings.Join(fs[0].Options, ", "), vals[0])
			}
			fs[0].Value = vals[0]
		default:
			if len(vals) > len(fs) {
				return fmt.Errorf("the form has %d field(s) %q, not %d", len(fs), name, len(vals))
			}
			for i, val := range vals {
				fs[i].Value = val
			}
		}
	}
	return nil
}

func (f *form) fieldNames() string {
	var names []string
	for _, fd := range f.Fields {
		if fd.Type != "hidden" && !slices.Contains(names, fd.Name) {
			names = append(names, fd.Name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// click clicks a button or a link by its text (exact, else its start, else
// a part of it, case and white space aside) or by name=value, filling the
// button's form first.
func (b *browser) click(ctx context.Context, label string, fill map[string][]string) error {
	p := b.page
	if p == nil || p.Offsite {
		return errors.New("there is no sandbox page to click on: open one first")
	}
	type target struct {
		btn  *button
		link *link
		text string
	}
	var all []target
	for _, f := range p.Forms {
		for i := range f.Buttons {
			bt := &f.Buttons[i]
			text := bt.Text
			if text == "" {
				text = bt.Value
			}
			all = append(all, target{btn: bt, text: text})
		}
	}
	for i := range p.Links {
		all = append(all, target{link: &p.Links[i], text: p.Links[i].Text})
	}
	same := func(a, b target) bool {
		if a.btn != nil && b.btn != nil {
			return a.btn.form == b.btn.form && a.btn.Name == b.btn.Name && a.btn.Value == b.btn.Value
		}
		return a.link != nil && b.link != nil && a.link.Href.String() == b.link.Href.String()
	}
	pick := func(ok func(target) bool) []target {
		var out []target
		for _, t := range all {
			if ok(t) && !slices.ContainsFunc(out, func(o target) bool { return same(o, t) }) {
				out = append(out, t)
			}
		}
		return out
	}
	want := fold(label)
	var found []target
	if name, value, ok := strings.Cut(label, "="); ok && !strings.ContainsAny(name, " ") {
		found = pick(func(t target) bool { return t.btn != nil && t.btn.Name == name && t.btn.Value == value })
	}
	for _, tier := range []func(string) bool{
		func(s string) bool { return s == want },
		func(s string) bool { return strings.HasPrefix(s, want) },
		func(s string) bool { return strings.Contains(s, want) },
	} {
		if len(found) > 0 {
			break
		}
		found = pick(func(t target) bool { return tier(fold(t.text)) })
	}
	var labels []string
	for _, t := range all {
		if t.text != "" && !slices.Contains(labels, strconvQuote(t.text)) {
			labels = append(labels, strconvQuote(t.text))
		}
	}
	switch {
	case len(found) == 0:
		return fmt.Errorf("%s has nothing to click called %q; it offers %s", p.URL.Path, label, orNone(labels))
	case len(found) > 1:
		var names []string
		for _, t := range found {
			names = append(names, strconvQuote(t.text))
		}
		return fmt.Errorf("%q could be any of %s on %s: say more of it", label, strings.Join(names, ", "), p.URL.Path)
	}
	t := found[0]
	if t.link != nil {
		if len(fill) > 0 {
			return fmt.Errorf("%q is a link: there is no form to fill", label)
		}
		return b.navigate(ctx, http.MethodGet, t.link.Href, nil)
	}
	f := t.btn.form
	if err := f.set(fill); err != nil {
		return err
	}
	return b.navigate(ctx, f.Method, f.Action, f.values(t.btn))
}

// choose picks a payment method on a method page and continues.
func (b *browser) choose(ctx context.Context, method string) error {
	p := b.page
	if p == nil || p.Offsite {
		return errors.New("there is no sandbox page to choose on: open one first")
	}
	var offered []string
	for _, f := range p.Forms {
		for _, fd := range f.Fields {
			if fd.Name != "method" || fd.Type != "radio" {
				continue
			}
			offered = append(offered, fd.Value)
			if fd.Value != method {
				continue
			}
			if err := f.set(map[string][]string{"method": {method}}); err != nil {
				return err
			}
			var clicked *button
			if len(f.Buttons) > 0 {
				clicked = &f.Buttons[0]
			}
			return b.navigate(ctx, f.Method, f.Action, f.values(clicked))
		}
	}
	if len(offered) == 0 {
		return fmt.Errorf("%s offers no choice of method (is it already the method's form?)", p.URL.Path)
	}
	return fmt.Errorf("%s offers %s, not %q", p.URL.Path, strings.Join(offered, ", "), method)
}

func fold(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

func orNone(ss []string) string {
	if len(ss) == 0 {
		return "nothing"
	}
	return strings.Join(ss, ", ")
}

func strconvQuote(s string) string { return `"` + s + `"` }
