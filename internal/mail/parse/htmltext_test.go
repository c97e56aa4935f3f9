package parse

import "testing"

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name, html, want string
	}{
		{"empty", "", ""},
		{"plain text", "hello   world", "hello world"},
		{"paragraphs", "<p>One</p><p>Two</p>", "One\n\nTwo"},
		{"divs and br", "<div>a</div><div>b<br>c</div>", "a\nb\nc"},
		{"double br", "a<br><br>b", "a\n\nb"},
		{"blank lines collapse", "a<br><br><br><br><p></p><p>&nbsp;</p>b", "a\n\nb"},
		{"list", "<ul><li>one</li><li>two</li></ul>after", "- one\n- two\nafter"},
		{"nested list", "<ul><li>a<ul><li>b</li></ul></li></ul>", "- a\n  - b"},
		{"ordered list", "<ol><li>x</li></ol>", "- x"},
		{"link with other text", `<a href="https://ex.com/a">site</a>`, "site (https://ex.com/a)"},
		{"link same as text", `<a href="https://ex.com/">https://ex.com</a>`, "https://ex.com"},
		{"mailto", `<a href="mailto:a@ex.com">a@ex.com</a>`, "a@ex.com"},
		{"empty link text", `<a href="https://ex.com/x"><img src="x.png"></a>`, "https://ex.com/x"},
		{"javascript link", `<a href="javascript:alert(1)">click</a>`, "click"},
		{"script style head dropped", "<html><head><title>T</title><style>p{}</style></head><body>x<script>alert(1)</script>y</body></html>", "xy"},
		{"unclosed head", "<head><title>T</title><body>text", "text"},
		{"entities", "&lt;b&gt; &amp; &quot;q&quot; &#1055;&#x440;", "<b> & \"q\" Пр"},
		{"nbsp", "a&nbsp;&nbsp;b", "a b"},
		{"pre keeps spaces", "<pre>a  b\n  c</pre>", "a  b\n  c"},
		{"blockquote", "reply<blockquote>quoted<br>more</blockquote>end", "reply\n\n> quoted\n> more\n\nend"},
		{"nested blockquote", "<blockquote>a<blockquote>b</blockquote></blockquote>", "> a\n>\n>> b"},
		{"table cells", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"comments and conditionals", "a<!--[if mso]>x<![endif]-->b", "ab"},
		{"outlook xml", "<xml><o:OfficeDocumentSettings>96</o:OfficeDocumentSettings></xml>text", "text"},
		{"broken markup", "<div><p>a<div>b</p></span>c", "a\nb\n\nc"},
		{"control characters", "a\x00b\x07c", "abc"},
		{"cyrillic", "<p>Добрый&nbsp;день!</p>", "Добрый день!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HTMLToText(tt.html); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
