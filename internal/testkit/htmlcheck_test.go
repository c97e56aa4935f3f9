package testkit

import (
	"slices"
	"strings"
	"testing"
)

// page wraps body in a page that passes every page-wide rule.
func page(body string) string {
	return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Обращения</title></head>` +
		`<body><main><h1>Обращения</h1>` + body + `</main></body></html>`
}

func TestHTMLProblems(t *testing.T) {
	tests := []struct {
		name string
		html string
		want []string // nil: a good page
	}{
		{"good page", page(`<h2>Новые</h2><p>Нет обращений.</p>`), nil},

		// <html lang>
		{"no lang", `<!doctype html><html><head><title>T</title></head><body><h1>T</h1></body></html>`,
			[]string{"<html> has no lang attribute"}},
		{"empty lang", `<!doctype html><html lang=" "><head><title>T</title></head><body><h1>T</h1></body></html>`,
			[]string{"<html> has no lang attribute"}},
		{"no html element", `<!doctype html><title>T</title><h1>T</h1>`,
			[]string{"<html> has no lang attribute"}},

		// <title>
		{"no title", `<!doctype html><html lang="ru"><head></head><body><h1>T</h1></body></html>`,
			[]string{"the page has no <title>"}},
		{"empty title", `<!doctype html><html lang="ru"><head><title>  </title></head><body><h1>T</h1></body></html>`,
			[]string{"<title> is empty"}},

		// exactly one <h1>
		{"no h1", `<!doctype html><html lang="ru"><head><title>T</title></head><body><p>text</p></body></html>`,
			[]string{"the page has no <h1>"}},
		{"two h1", page(`<h1 id="again">Снова</h1>`),
			[]string{`the page has 2 <h1> elements (<h1>"Обращения"</h1>, <h1 id="again">"Снова"</h1>), want exactly one`}},

		// heading levels
		{"headings step down and back up", page(`<h2>А</h2><h3>Б</h3><h4>В</h4><h2>Г</h2><h3>Д</h3>`), nil},
		{"h2 then h4", page(`<h2>Новые</h2><h4>Детали</h4>`),
			[]string{`<h4>"Детали"</h4> follows <h2>"Новые"</h2>: heading levels skip h3`}},
		{"h1 then h3", page(`<h3>Детали</h3>`),
			[]string{`<h3>"Детали"</h3> follows <h1>"Обращения"</h1>: heading levels skip h2`}},

		// <img alt>
		{"img with alt", page(`<img src="/a.png" alt="Схема">`), nil},
		{"decorative img", page(`<img src="/a.png" alt="">`), nil},
		{"img without alt", page(`<img src="/a.png">`),
			[]string{`<img src="/a.png"> has no alt attribute (alt="" for a decorative image)`}},

		// form controls
		{"label for", page(`<label for="q">Поиск</label><input id="q" name="q">`), nil},
		{"wrapping label", page(`<label>Поиск <input name="q"></label>`), nil},
		{"aria-label", page(`<select name="s" aria-label="Статус"><option>Новое</option></select>`), nil},
		{"aria-labelledby", page(`<p id="hint">Текст ответа</p><textarea name="t" aria-labelledby="hint"></textarea>`), nil},
		{"unlabelled kinds not checked", page(`<form><input type="hidden" name="csrf" value="x"><input type="submit" value="Отправить">` +
			`<input type="reset" value="Сбросить"><input type="button" value="Ещё"><input type="image" src="/go.png" alt="Вперёд"></form>`), nil},
		{"input without label", page(`<input type="text" name="q">`),
			[]string{`<input type="text" name="q"> has no accessible name: give it a <label for>, a wrapping <label>, aria-label or aria-labelledby`}},
		{"input of no type without label", page(`<input name="q">`),
			[]string{`<input name="q"> has no accessible name: give it a <label for>, a wrapping <label>, aria-label or aria-labelledby`}},
		{"label for another id", page(`<label for="other">Поиск</label><input id="q" name="q">`),
			[]string{`<input id="q" name="q"> has no accessible name: give it a <label for>, a wrapping <label>, aria-label or aria-labelledby`}},
		{"select without label", page(`<select name="s"><option>Новое</option></select>`),
			[]string{`<select name="s"> has no accessible name: give it a <label for>, a wrapping <label>, aria-label or aria-labelledby`}},
		{"textarea with empty aria-label", page(`<textarea name="t" aria-label=" "></textarea>`),
			[]string{`<textarea name="t"> has no accessible name: give it a <label for>, a wrapping <label>, aria-label or aria-labelledby`}},
		{"aria-labelledby naming nothing", page(`<textarea name="t" aria-labelledby="missing"></textarea>`),
			[]string{`<textarea name="t"> has no accessible name: give it a <label for>, a wrapping <label>, aria-label or aria-labelledby`}},

		// buttons and links
		{"button with text", page(`<button type="submit">Ответить</button>`), nil},
		{"icon button with aria-label", page(`<button type="button" aria-label="Закрыть"><span aria-hidden="true">×</span></button>`), nil},
		{"link with image alt", page(`<a href="/"><img src="/logo.png" alt="Отклик"></a>`), nil},
		{"anchor without href is not a link", page(`<a id="top"></a>`), nil},
		{"empty button", page(`<button type="button" class="close"></button>`),
			[]string{`<button type="button" class="close"> has no text and no aria-label`}},
		{"button with hidden text only", page(`<button type="button"><span aria-hidden="true">×</span></button>`),
			[]string{`<button type="button"> has no text and no aria-label`}},
		{"empty link", page(`<a href="/tickets/1">  </a>`),
			[]string{`<a href="/tickets/1"> has no text and no aria-label`}},
		{"link with decorative image only", page(`<a href="/"><img src="/logo.png" alt=""></a>`),
			[]string{`<a href="/"> has no text and no aria-label`}},

		// ids
		{"duplicate id", page(`<p id="x">a</p><span id="x">b</span><p id="y">c</p>`),
			[]string{`id "x" is used by 2 elements (<p id="x">, <span id="x">)`}},

		// Content-Security-Policy
		{"script with nonce", page(`<script nonce="abc">document.body.dataset.ok = "1"</script>`), nil},
		{"external script", page(`<script src="/static/app.js" defer></script>`), nil},
		{"JSON data block", page(`<script type="application/json" id="data">{"a":1}</script>`), nil},
		{"inline script without nonce", page(`<script>alert(1)</script>`),
			[]string{`inline <script> has no nonce attribute: the Content-Security-Policy blocks it`}},
		{"inline module without nonce", page(`<script type="module">import "/x.js"</script>`),
			[]string{`inline <script type="module"> has no nonce attribute: the Content-Security-Policy blocks it`}},
		{"event-handler attribute", page(`<button type="button" onclick="go()">Дальше</button>`),
			[]string{`<button type="button"> has the event-handler attribute onclick: the Content-Security-Policy blocks it; attach listeners from a script file`}},
		{"event handler on body", `<!doctype html><html lang="ru"><head><title>T</title></head><body onload="init()"><h1>T</h1></body></html>`,
			[]string{`<body> has the event-handler attribute onload: the Content-Security-Policy blocks it; attach listeners from a script file`}},
		{"javascript URL", page(`<a href=" JavaScript:void(0)">Открыть</a>`),
			[]string{`<a href=" JavaScript:void(0)"> has a javascript: URL in href: the Content-Security-Policy blocks it`}},

		// several at once, page-wide first, then in document order
		{"several", `<html><body><h1>A</h1><h1>B</h1><img src="x.png"></body></html>`, []string{
			"<html> has no lang attribute",
			"the page has no <title>",
			`the page has 2 <h1> elements (<h1>"A"</h1>, <h1>"B"</h1>), want exactly one`,
			`<img src="x.png"> has no alt attribute (alt="" for a decorative image)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HTMLProblems([]byte(tt.html))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %d problems:\n\t%s\nwant %d:\n\t%s", len(got), strings.Join(got, "\n\t"), len(tt.want), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}

// CheckHTML reports each problem as an error that names the page.
func TestCheckHTML(t *testing.T) {
	rec := &recordingTB{TB: t}
	CheckHTML(rec, "/tickets", []byte(page(`<img src="/a.png"><button></button>`)))
	want := []string{
		`/tickets: <img src="/a.png"> has no alt attribute (alt="" for a decorative image)`,
		`/tickets: <button> has no text and no aria-label`,
	}
	if !slices.Equal(rec.errors, want) {
		t.Errorf("got errors %q, want %q", rec.errors, want)
	}
}
