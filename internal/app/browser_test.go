package app

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// browser walks the consent screens the way a person with a plain HTML
// browser would: it reads each page's form, finds inputs by the text of
// their <label>, and presses buttons by their visible text. It never follows
// a redirect out of the sandbox, so the test sees where the member lands.
type browser struct {
	t      *testing.T
	client *http.Client
}

// newBrowserVia is a browser whose requests go through transport, e.g. a
// sandbox's (endpoint.newBrowser) or a load balancer in front of replicas.
func newBrowserVia(t *testing.T, transport http.RoundTripper) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, client: &http.Client{
		Jar:           jar,
		Transport:     transport,
		CheckRedirect: noRedirect,
	}}
}

// page is one response the browser got.
type page struct {
	URL      *url.URL
	Status   int
	Location string
	Body     string
	Forms    []form
}

type form struct {
	Action  string
	Method  string
	Fields  []field
	Buttons []field
}

type field struct {
	Name, Type, Value, ID, Label string
	Checked                      bool
}

// get fetches u and follows redirects that stay on the sandbox's origin.
func (b *browser) get(u string) page {
	b.t.Helper()
	return b.do(http.MethodGet, u, nil)
}

func (b *browser) do(method, u string, body url.Values) page {
	b.t.Helper()
	for hops := 0; hops < 10; hops++ {
		var req *http.Request
		var err error
		if body != nil {
			req, err = http.NewRequest(method, u, strings.NewReader(body.Encode()))
			if err == nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
		} else {
			req, err = http.NewRequest(method, u, nil)
		}
		if err != nil {
			b.t.Fatal(err)
		}
		resp, err := b.client.Do(req)
		if err != nil {
			b.t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		p := page{URL: req.URL, Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(raw)}
		if p.Status >= 300 && p.Status < 400 && p.Location != "" {
			next, err := req.URL.Parse(p.Location)
			if err != nil {
				b.t.Fatal(err)
			}
			if next.Host != req.URL.Host || next.Path == "/debug" {
				p.Location = next.String()
				return p // the member leaves the flow: back to the app (or the sandbox's debugger app)
			}
			u, method, body = next.String(), http.MethodGet, nil
			continue
		}
		p.Forms = parseForms(b.t, p.Body)
		return p
	}
	b.t.Fatal("too many redirects")
	return page{}
}

// submit fills the page's only post form: text maps a label (a substring of
// its text, case-insensitive) to a value; choose checks the radio buttons or
// checkboxes whose labels match; press is the button's visible text.
func (b *browser) submit(p page, text map[string]string, choose []string, press string) page {
	b.t.Helper()
	f := p.postForm(b.t)
	values := url.Values{}
	chosen := map[string]bool{}
	for _, c := range choose {
		fd, ok := f.byLabel(c, "radio", "checkbox")
		if !ok {
			b.t.Fatalf("no radio or checkbox labelled %q on %s:\n%s", c, p.URL, p.Body)
		}
		chosen[fd.Name+"\x00"+fd.Value] = true
		if fd.Type == "radio" {
			for i := range f.Fields {
				if f.Fields[i].Name == fd.Name {
					f.Fields[i].Checked = f.Fields[i].Value == fd.Value
				}
			}
		} else {
			for i := range f.Fields {
				if f.Fields[i].Name == fd.Name && f.Fields[i].Value == fd.Value {
					f.Fields[i].Checked = true
				}
			}
		}
	}
	filled := map[string]string{}
	for label, v := range text {
		fd, ok := f.byLabel(label, "text", "password", "email", "")
		if !ok {
			b.t.Fatalf("no text field labelled %q on %s:\n%s", label, p.URL, p.Body)
		}
		filled[fd.Name] = v
	}
	for _, fd := range f.Fields {
		switch fd.Type {
		case "radio", "checkbox":
			if fd.Checked {
				values.Add(fd.Name, fd.Value)
			}
		default:
			if v, ok := filled[fd.Name]; ok {
				values.Set(fd.Name, v)
			} else if fd.Name != "" {
				values.Add(fd.Name, fd.Value)
			}
		}
	}
	btn, ok := f.button(press)
	if !ok {
		b.t.Fatalf("no button %q on %s:\n%s", press, p.URL, p.Body)
	}
	if btn.Name != "" {
		values.Set(btn.Name, btn.Value)
	}
	action, err := p.URL.Parse(f.Action)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(http.MethodPost, action.String(), values)
}

func (p page) postForm(t *testing.T) form {
	t.Helper()
	for _, f := range p.Forms {
		if strings.EqualFold(f.Method, "post") {
			return f
		}
	}
	t.Fatalf("no <form method=post> on %s (status %d):\n%s", p.URL, p.Status, p.Body)
	return form{}
}

func (f form) byLabel(label string, types ...string) (field, bool) {
	for _, fd := range f.Fields {
		if !strings.Contains(strings.ToLower(fd.Label), strings.ToLower(label)) {
			continue
		}
		for _, ty := range types {
			if fd.Type == ty {
				return fd, true
			}
		}
	}
	return field{}, false
}

func (f form) button(text string) (field, bool) {
	for _, b := range f.Buttons {
		if strings.EqualFold(strings.TrimSpace(b.Label), text) {
			return b, true
		}
	}
	return field{}, false
}

// parseForms reads every form with its inputs, the text of their labels and
// its submit buttons.
func parseForms(t *testing.T, body string) []form {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	labelFor := map[string]string{}
	var forms []form
	var walk func(n *html.Node, cur *form, wrapping string)
	walk = func(n *html.Node, cur *form, wrapping string) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "form":
				forms = append(forms, form{Action: attr(n, "action"), Method: attr(n, "method")})
				cur = &forms[len(forms)-1]
			case "label":
				text := textOf(n)
				if id := attr(n, "for"); id != "" {
					labelFor[id] = text
				}
				wrapping = text
			case "input":
				if cur != nil {
					ty := strings.ToLower(attr(n, "type"))
					fd := field{Name: attr(n, "name"), Type: ty, Value: attr(n, "value"), ID: attr(n, "id"), Label: wrapping, Checked: hasAttr(n, "checked")}
					if ty == "submit" {
						fd.Label = fd.Value
						cur.Buttons = append(cur.Buttons, fd)
					} else {
						cur.Fields = append(cur.Fields, fd)
					}
				}
			case "textarea":
				if cur != nil {
					cur.Fields = append(cur.Fields, field{Name: attr(n, "name"), Type: "text", Value: textOf(n), ID: attr(n, "id"), Label: wrapping})
				}
			case "button":
				if cur != nil {
					ty := strings.ToLower(attr(n, "type"))
					if ty == "" || ty == "submit" {
						cur.Buttons = append(cur.Buttons, field{Name: attr(n, "name"), Value: attr(n, "value"), Label: textOf(n)})
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, cur, wrapping)
		}
	}
	walk(doc, nil, "")
	for i := range forms {
		for j := range forms[i].Fields {
			fd := &forms[i].Fields[j]
			if l, ok := labelFor[fd.ID]; ok && fd.ID != "" {
				fd.Label = l
			}
		}
	}
	return forms
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
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}
