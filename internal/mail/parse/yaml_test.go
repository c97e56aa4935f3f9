package parse

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// miniYAML reads the subset of YAML that Zammad's expected-result files use:
// block mappings and sequences, plain, single- and double-quoted scalars
// (multi-line, with folding and escapes), literal and folded block scalars
// with chomping and indentation indicators, tags (!binary decodes base64,
// other tags are ignored), "[]" and "{}". It is purpose-built for the test
// corpus, not a general YAML parser. Values are string, []byte (for !binary),
// map[string]any or []any.
type miniYAML struct {
	src string
	pos int // start of the current line
}

func parseMiniYAML(src string) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	src = strings.ReplaceAll(src, "\r\n", "\n")
	p := &miniYAML{src: src}
	// Skip the document marker, keeping a tag on it.
	if strings.HasPrefix(src, "---") {
		p.pos = p.nextLineStart(0)
	}
	ind, ok := p.peekIndent()
	if !ok {
		return map[string]any{}, nil
	}
	if p.isSeqItem() {
		return p.parseSeq(ind), nil
	}
	return p.parseMap(ind), nil
}

func (p *miniYAML) nextLineStart(i int) int {
	if j := strings.IndexByte(p.src[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(p.src)
}

func (p *miniYAML) lineAt(i int) string {
	return p.src[i:p.lineEnd(i)]
}

func (p *miniYAML) lineEnd(i int) int {
	if j := strings.IndexByte(p.src[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(p.src)
}

func indentOf(s string) int {
	n := 0
	for n < len(s) && s[n] == ' ' {
		n++
	}
	return n
}

// peekIndent skips blank and comment lines and returns the next line's indent.
func (p *miniYAML) peekIndent() (int, bool) {
	for p.pos < len(p.src) {
		l := p.lineAt(p.pos)
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") || t == "..." {
			p.pos = p.nextLineStart(p.pos)
			continue
		}
		return indentOf(l), true
	}
	return 0, false
}

func (p *miniYAML) isSeqItem() bool {
	t := strings.TrimLeft(p.lineAt(p.pos), " ")
	return t == "-" || strings.HasPrefix(t, "- ")
}

func (p *miniYAML) parseMap(indent int) map[string]any {
	m := map[string]any{}
	for {
		ind, ok := p.peekIndent()
		if !ok || ind != indent || p.isSeqItem() {
			return m
		}
		lineStart := p.pos
		l := p.lineAt(lineStart)
		colon := keyColon(l)
		if colon < 0 {
			p.pos = p.nextLineStart(p.pos) // not a mapping entry: skip
			continue
		}
		key := strings.TrimSpace(l[:colon])
		key = strings.Trim(key, "'\"")
		m[key] = p.parseValue(indent, lineStart+colon+1)
	}
}

// keyColon finds the ": " (or final ":") that ends a mapping key.
func keyColon(l string) int {
	t := strings.TrimLeft(l, " ")
	off := len(l) - len(t)
	if strings.HasPrefix(t, "'") || strings.HasPrefix(t, "\"") {
		q := t[0]
		if j := strings.IndexByte(t[1:], q); j >= 0 {
			k := 1 + j + 1
			if k < len(t) && t[k] == ':' {
				return off + k
			}
		}
		return -1
	}
	for i := 0; i < len(t); i++ {
		if t[i] == ':' && (i+1 == len(t) || t[i+1] == ' ') {
			return off + i
		}
	}
	return -1
}

func (p *miniYAML) parseSeq(indent int) []any {
	var s []any
	for {
		ind, ok := p.peekIndent()
		if !ok || ind != indent || !p.isSeqItem() {
			return s
		}
		lineStart := p.pos
		l := p.lineAt(lineStart)
		dash := lineStart + indent
		rest := strings.TrimSpace(l[indent+1:])
		rest, _ = splitTag(rest)
		switch {
		case rest == "":
			// "- !tag" or "-": the item's content follows, more indented.
			p.pos = p.nextLineStart(lineStart)
			ind2, ok := p.peekIndent()
			if !ok || ind2 <= indent {
				s = append(s, "")
				continue
			}
			if p.isSeqItem() {
				s = append(s, p.parseSeq(ind2))
			} else {
				s = append(s, p.parseMap(ind2))
			}
		case keyColon(rest) >= 0:
			// "- key: value": a mapping whose keys sit at indent+2.
			itemIndent := indent + 2
			_ = dash
			// Re-read this line as if the dash were a space.
			m := map[string]any{}
			c := keyColon(l[indent+2:])
			key := strings.Trim(strings.TrimSpace(l[indent+2:indent+2+c]), "'\"")
			m[key] = p.parseValue(itemIndent, lineStart+indent+2+c+1)
			for k, v := range p.parseMap(itemIndent) {
				m[k] = v
			}
			s = append(s, m)
		default:
			s = append(s, p.parseValue(indent, lineStart+indent+1))
		}
	}
}

func splitTag(s string) (rest, tag string) {
	if !strings.HasPrefix(s, "!") {
		return s, ""
	}
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return strings.TrimSpace(s[i+1:]), s[:i]
	}
	return "", s
}

// parseValue parses the value that starts at offset off (just after "key:")
// of an entry whose key is at indent, leaving p.pos at the following line.
func (p *miniYAML) parseValue(indent, off int) any {
	end := p.lineEnd(off)
	rest := strings.TrimSpace(p.src[off:end])
	rest, tag := splitTag(rest)
	var v any
	switch {
	case rest == "" || strings.HasPrefix(rest, "#"):
		p.pos = p.nextLineStart(off)
		ind, ok := p.peekIndent()
		switch {
		case !ok:
			v = ""
		case ind > indent && p.isSeqItem(), ind == indent && p.isSeqItem():
			v = p.parseSeq(ind)
		case ind > indent:
			v = p.parseMap(ind)
		default:
			v = ""
		}
	case rest == "[]":
		v = []any{}
		p.pos = p.nextLineStart(off)
	case rest == "{}":
		v = map[string]any{}
		p.pos = p.nextLineStart(off)
	case rest[0] == '"' || rest[0] == '\'':
		q := strings.IndexByte(p.src[off:], rest[0]) + off
		var s string
		var after int
		if rest[0] == '"' {
			s, after = p.doubleQuoted(q + 1)
		} else {
			s, after = p.singleQuoted(q + 1)
		}
		v = s
		p.pos = p.nextLineStart(after)
	case rest[0] == '|' || rest[0] == '>':
		v = p.block(indent, rest, off)
	default:
		v = p.plain(indent, rest, off)
	}
	if tag == "!binary" {
		if s, ok := v.(string); ok {
			b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
			if err != nil {
				panic("bad !binary: " + err.Error())
			}
			return b
		}
	}
	return v
}

// plain reads a plain scalar and its continuation lines, folded.
func (p *miniYAML) plain(indent int, first string, off int) string {
	parts := []string{first}
	p.pos = p.nextLineStart(off)
	blank := 0
	for p.pos < len(p.src) {
		l := p.lineAt(p.pos)
		t := strings.TrimSpace(l)
		if t == "" {
			blank++
			p.pos = p.nextLineStart(p.pos)
			continue
		}
		if indentOf(l) <= indent {
			break
		}
		if blank > 0 {
			parts = append(parts, strings.Repeat("\n", blank))
			blank = 0
		} else {
			parts = append(parts, " ")
		}
		parts = append(parts, t)
		p.pos = p.nextLineStart(p.pos)
	}
	return strings.Join(parts, "")
}

// fold handles a line break inside a flow scalar at src[i] == '\n': trailing
// blanks already written are dropped by the caller; it returns the folded
// text and the offset of the next content.
func (p *miniYAML) fold(i int) (string, int) {
	n := 0
	for i < len(p.src) && p.src[i] == '\n' {
		n++
		i++
		for i < len(p.src) && (p.src[i] == ' ' || p.src[i] == '\t') {
			i++
		}
	}
	if n == 1 {
		return " ", i
	}
	return strings.Repeat("\n", n-1), i
}

// doubleQuoted reads a double-quoted scalar starting after the opening quote;
// it returns the value and the offset of the closing quote.
func (p *miniYAML) doubleQuoted(i int) (string, int) {
	var sb strings.Builder
	for i < len(p.src) {
		c := p.src[i]
		switch c {
		case '"':
			return sb.String(), i
		case '\n':
			s := strings.TrimRight(sb.String(), " \t")
			sb.Reset()
			sb.WriteString(s)
			f, j := p.fold(i)
			sb.WriteString(f)
			i = j
			continue
		case '\\':
			i++
			if i >= len(p.src) {
				break
			}
			e := p.src[i]
			switch e {
			case '\n':
				i++
				for i < len(p.src) && (p.src[i] == ' ' || p.src[i] == '\t') {
					i++
				}
				continue
			case 'n':
				sb.WriteByte('\n')
			case 't', '\t':
				sb.WriteByte('\t')
			case 'r':
				sb.WriteByte('\r')
			case '0':
				sb.WriteByte(0)
			case 'a':
				sb.WriteByte(7)
			case 'b':
				sb.WriteByte(8)
			case 'e':
				sb.WriteByte(0x1b)
			case 'f':
				sb.WriteByte(0x0c)
			case 'v':
				sb.WriteByte(0x0b)
			case ' ':
				sb.WriteByte(' ')
			case '"', '\\', '/':
				sb.WriteByte(e)
			case 'N':
				sb.WriteString("\u0085")
			case '_':
				sb.WriteString("\u00a0")
			case 'L':
				sb.WriteString("\u2028")
			case 'P':
				sb.WriteString("\u2029")
			case 'x', 'u', 'U':
				n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
				if i+n < len(p.src) {
					if r, err := strconv.ParseUint(p.src[i+1:i+1+n], 16, 32); err == nil {
						if e == 'x' {
							// YAML \x is a code point, as Ruby's Psych writes it.
							sb.WriteRune(rune(r))
						} else {
							sb.WriteRune(rune(r))
						}
						i += n
					}
				}
			default:
				sb.WriteByte('\\')
				sb.WriteByte(e)
			}
			i++
			continue
		}
		sb.WriteByte(c)
		i++
	}
	return sb.String(), len(p.src) - 1
}

// singleQuoted reads a single-quoted scalar (” is a quote).
func (p *miniYAML) singleQuoted(i int) (string, int) {
	var sb strings.Builder
	for i < len(p.src) {
		c := p.src[i]
		switch c {
		case '\'':
			if i+1 < len(p.src) && p.src[i+1] == '\'' {
				sb.WriteByte('\'')
				i += 2
				continue
			}
			return sb.String(), i
		case '\n':
			s := strings.TrimRight(sb.String(), " \t")
			sb.Reset()
			sb.WriteString(s)
			f, j := p.fold(i)
			sb.WriteString(f)
			i = j
			continue
		}
		sb.WriteByte(c)
		i++
	}
	return sb.String(), len(p.src) - 1
}

// block reads a literal (|) or folded (>) block scalar with its chomping
// (-, +) and indentation indicators.
func (p *miniYAML) block(indent int, header string, off int) string {
	literal := header[0] == '|'
	chomp := byte(0)
	explicit := 0
	for _, c := range header[1:] {
		switch {
		case c == '-' || c == '+':
			chomp = byte(c)
		case c >= '1' && c <= '9':
			explicit = int(c - '0')
		case c == ' ' || c == '#':
		}
	}
	p.pos = p.nextLineStart(off)
	content := -1
	if explicit > 0 {
		content = indent + explicit
	}
	var lines []string
	for p.pos < len(p.src) {
		l := p.lineAt(p.pos)
		if strings.TrimSpace(l) == "" {
			if content >= 0 && len(l) > content {
				lines = append(lines, l[content:])
			} else {
				lines = append(lines, "")
			}
			p.pos = p.nextLineStart(p.pos)
			continue
		}
		ind := indentOf(l)
		if content < 0 {
			if ind <= indent {
				break
			}
			content = ind
		}
		if ind < content {
			break
		}
		lines = append(lines, l[content:])
		p.pos = p.nextLineStart(p.pos)
	}
	// Trailing blank lines.
	n := len(lines)
	for n > 0 && strings.TrimSpace(lines[n-1]) == "" {
		n--
	}
	trailing := len(lines) - n
	body := lines[:n]
	var s string
	if literal {
		s = strings.Join(body, "\n")
	} else {
		var sb strings.Builder
		for k, l := range body {
			if k > 0 {
				prev := body[k-1]
				switch {
				case l == "" || prev == "":
					sb.WriteByte('\n')
				case strings.HasPrefix(l, " ") || strings.HasPrefix(prev, " "):
					sb.WriteByte('\n')
				default:
					sb.WriteByte(' ')
				}
			}
			sb.WriteString(l)
		}
		s = sb.String()
	}
	switch chomp {
	case '-':
		return s
	case '+':
		if n == 0 {
			return strings.Repeat("\n", trailing)
		}
		return s + "\n" + strings.Repeat("\n", trailing)
	}
	if n == 0 {
		return ""
	}
	return s + "\n"
}

func TestMiniYAML(t *testing.T) {
	src := "--- !ruby/hash:X\n" +
		"from: '\"Ann\" <ann@example.com>'\n" +
		"subject: \"line one\n  line two \\xE4\\u00fc\"\n" +
		"body: |-\n  a\n\n    b\n  c\n" +
		"keep: |+\n  x\n\n" +
		"plain: some\n  text\n" +
		"empty: ''\n" +
		"attachments:\n" +
		"- !ruby/hash:Y\n  data: !binary |-\n    aGVsbG8=\n  filename: a.txt\n  preferences: !ruby/hash:Z\n    Mime-Type: text/plain\n" +
		"- !ruby/hash:Y\n  data: |2-\n\n      indented\n  filename: b.txt\n" +
		"cc: x@example.com\n"
	v, err := parseMiniYAML(src)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	tests := []struct{ key, want string }{
		{"from", `"Ann" <ann@example.com>`},
		{"subject", "line one line two äü"},
		{"body", "a\n\n  b\nc"},
		{"keep", "x\n\n"},
		{"plain", "some text"},
		{"empty", ""},
		{"cc", "x@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := m[tt.key]; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	atts, _ := m["attachments"].([]any)
	if len(atts) != 2 {
		t.Fatalf("got %d attachments, want 2", len(atts))
	}
	a0 := atts[0].(map[string]any)
	if got, want := string(a0["data"].([]byte)), "hello"; got != want {
		t.Errorf("data: got %q, want %q", got, want)
	}
	if got, want := a0["filename"], "a.txt"; got != want {
		t.Errorf("filename: got %q, want %q", got, want)
	}
	a1 := atts[1].(map[string]any)
	if got, want := a1["data"], "\n  indented"; got != want {
		t.Errorf("data: got %q, want %q", got, want)
	}
	if !utf8.ValidString(m["subject"].(string)) {
		t.Error("subject not UTF-8")
	}
}
