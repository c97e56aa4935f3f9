package content

import (
	"fmt"
	"strings"
)

// segKind says what a template segment produces.
type segKind uint8

const (
	segText   segKind = iota // literal text
	segSlot                  // the value of a slot
	segChoice                // one of opts at random
	segGender                // opts[0] for a man, opts[1] for a woman
	segPin                   // no text: fixes a slot's item to one of pins
)

// seg is one compiled piece of a template.
type seg struct {
	kind segKind
	text string
	slot slot
	opts []tmpl
	pins []int
}

// tmpl is a compiled template: a sequence of segments and the set of
// slots that any rendering of it may use.
type tmpl struct {
	segs []seg
	mask uint64 // bit s is set when the template may use slot s
}

// empty reports whether t is the zero template.
func (t tmpl) empty() bool { return t.segs == nil }

// mustCompile compiles src and panics on a syntax error; templates are
// package data, so an error is a programming mistake caught by any test.
func mustCompile(src string) tmpl {
	t, err := compile(src)
	if err != nil {
		panic(fmt.Sprintf("content: template %q: %v", src, err))
	}
	return t
}

// mustCompileAll compiles every template of list.
func mustCompileAll(list []string) []tmpl {
	out := make([]tmpl, len(list))
	for i, s := range list {
		out[i] = mustCompile(s)
	}
	return out
}

// compile parses the template syntax described in the package comment.
func compile(src string) (tmpl, error) {
	p := parser{src: src}
	t, _, err := p.seq(0)
	if err != nil {
		return tmpl{}, fmt.Errorf("at byte %d: %w", p.i, err)
	}
	if t.segs == nil {
		t.segs = []seg{}
	}
	return t, nil
}

// parser is a recursive-descent parser over a template's source.
type parser struct {
	src string
	i   int
}

// seq parses text up to the end of input (close == 0) or up to an
// unnested "|" or the closing byte close, which it consumes and returns.
func (p *parser) seq(close byte) (tmpl, byte, error) {
	var t tmpl
	start := p.i
	flush := func() {
		if p.i > start {
			t.segs = append(t.segs, seg{kind: segText, text: p.src[start:p.i]})
		}
	}
	add := func(s seg) {
		t.segs = append(t.segs, s)
		switch s.kind {
		case segSlot, segPin:
			t.mask |= 1 << s.slot
		case segChoice, segGender:
			for _, o := range s.opts {
				t.mask |= o.mask
			}
		}
	}
	for p.i < len(p.src) {
		switch c := p.src[p.i]; c {
		case '{':
			flush()
			s, err := p.brace()
			if err != nil {
				return tmpl{}, 0, err
			}
			add(s)
			start = p.i
		case '<':
			flush()
			p.i++
			opts, err := p.alts('>')
			if err != nil {
				return tmpl{}, 0, err
			}
			if len(opts) != 2 {
				return tmpl{}, 0, fmt.Errorf("gender form needs exactly two forms, got %d", len(opts))
			}
			add(seg{kind: segGender, opts: opts})
			start = p.i
		case '|', '}', '>':
			if close == 0 || (c != '|' && c != close) {
				return tmpl{}, 0, fmt.Errorf("unexpected %q", c)
			}
			flush()
			p.i++
			return t, c, nil
		default:
			p.i++
		}
	}
	if close != 0 {
		return tmpl{}, 0, fmt.Errorf("missing %q", close)
	}
	flush()
	return t, 0, nil
}

// alts parses alternatives separated by "|" up to close.
func (p *parser) alts(close byte) ([]tmpl, error) {
	var opts []tmpl
	for {
		t, end, err := p.seq(close)
		if err != nil {
			return nil, err
		}
		opts = append(opts, t)
		if end == close {
			return opts, nil
		}
	}
}

// brace parses a "{…}" group: a slot, a pin or a choice.
func (p *parser) brace() (seg, error) {
	rest := p.src[p.i+1:]
	if strings.HasPrefix(rest, "!") {
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return seg{}, fmt.Errorf("unterminated pin")
		}
		name, values, ok := strings.Cut(rest[1:end], ":")
		if !ok {
			return seg{}, fmt.Errorf("pin %q needs a colon", rest[:end])
		}
		s, err := compilePin(name, strings.Split(values, "|"))
		if err != nil {
			return seg{}, err
		}
		p.i += end + 2
		return s, nil
	}
	j := 0
	for j < len(rest) && (rest[j] == '_' || ('a' <= rest[j] && rest[j] <= 'z') || ('0' <= rest[j] && rest[j] <= '9')) {
		j++
	}
	if j > 0 && j < len(rest) && rest[j] == '}' {
		id, ok := slotByName[rest[:j]]
		if !ok {
			return seg{}, fmt.Errorf("unknown slot %q", rest[:j])
		}
		p.i += j + 2
		return seg{kind: segSlot, slot: id}, nil
	}
	p.i++
	opts, err := p.alts('}')
	if err != nil {
		return seg{}, err
	}
	if len(opts) < 2 {
		return seg{}, fmt.Errorf("a choice needs at least two alternatives")
	}
	return seg{kind: segChoice, opts: opts}, nil
}

// compilePin resolves the item names of a pin such as {!svc:Выписка из ЕГРН}.
func compilePin(name string, values []string) (seg, error) {
	s := seg{kind: segPin}
	switch name {
	case "svc":
		s.slot = slotSvc
		for _, v := range values {
			i := serviceIndex(v)
			if i < 0 {
				return seg{}, fmt.Errorf("unknown service %q", v)
			}
			s.pins = append(s.pins, i)
		}
	case "pay":
		s.slot = slotPay
		for _, v := range values {
			i := payIndex(v)
			if i < 0 {
				return seg{}, fmt.Errorf("unknown payment %q", v)
			}
			s.pins = append(s.pins, i)
		}
	default:
		return seg{}, fmt.Errorf("cannot pin %q", name)
	}
	return s, nil
}

// render appends the text of t to dst.
func (g *Generator) render(dst []byte, t tmpl) []byte {
	for i := range t.segs {
		s := &t.segs[i]
		switch s.kind {
		case segText:
			dst = append(dst, s.text...)
		case segSlot:
			dst = append(dst, g.slot(s.slot)...)
		case segChoice:
			dst = g.render(dst, s.opts[g.r.intn(len(s.opts))])
		case segGender:
			if g.p.female {
				dst = g.render(dst, s.opts[1])
			} else {
				dst = g.render(dst, s.opts[0])
			}
		case segPin:
			g.pin(s.slot, s.pins[g.r.intn(len(s.pins))])
		}
	}
	return dst
}

// renderString renders t to a new string.
func (g *Generator) renderString(t tmpl) string {
	g.tmp = g.render(g.tmp[:0], t)
	return string(g.tmp)
}
