package content

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Body length limits, in characters (runes).
const (
	MinBody = 150
	MaxBody = 1200
)

// The CONTRACT.md vocabularies that a Request uses.
var (
	channels      = []string{"email", "web", "chat", "phone", "app", "telegram", "vk", "visit"}
	categoryCodes = []string{"access", "registration", "forms", "documents", "signature", "status",
		"availability", "mobile", "personal_data", "payments", "fraud", "other"}
	statuses   = []string{"new", "in_progress", "waiting", "forwarded", "resolved", "closed"}
	priorities = []string{"low", "normal", "high", "urgent"}
)

// Turn is one message of a conversation after the citizen's first message.
type Turn struct {
	Staff    bool   // written by staff (true) or by the citizen (false)
	Internal bool   // an internal note between staff (only when Staff)
	Body     string // the text
}

// Request is a citizen's support request with the conversation that
// followed it.
type Request struct {
	Channel   string // email, web, chat, phone, app, telegram, vk or visit; email and web most often
	Category  string // a CONTRACT category code: access, registration, … fraud, other
	Priority  string // low, normal, high or urgent; urgent mostly for outages and fraud
	Subject   string
	Body      string // the citizen's first message, MinBody to MaxBody characters
	Requester Person
	Turns     []Turn // the conversation after the first message, consistent with Status
	Status    string // the final status: new, in_progress, waiting, forwarded, resolved or closed
}

// Generator produces requests deterministically from a seed. It is not
// safe for concurrent use; make one per goroutine.
type Generator struct {
	r rng

	// The request being generated.
	cat       *category
	top       *topic
	p         person
	irritated bool
	verbose   bool // writes a long letter with background
	bodyIdx   int  // the topic body chosen for this request
	svc, pay  int
	dev       int
	set       uint64 // slots chosen for this request
	vals      [numSlots]string
	used      []int // extras already used in this body
	// lastQuestion is the number of the last staff question asked.
	lastQuestion int

	buf, tmp []byte
}

// NewGenerator returns a Generator whose output depends only on seed.
func NewGenerator(seed uint64) *Generator {
	g := &Generator{
		buf:  make([]byte, 0, 4096),
		tmp:  make([]byte, 0, 1024),
		used: make([]int, 0, 8),
	}
	// Scramble the seed so that nearby seeds give unrelated sequences.
	g.r.s = seed
	g.r.s = g.r.next()
	g.svc, g.pay, g.dev = -1, -1, -1
	return g
}

var channelPick = newWeighted(channels, []int{30, 27, 14, 10, 10, 5, 2, 2})

var (
	// Requests that may be forwarded to an agency are forwarded often, so
	// that a few hundred requests show every status.
	statusPickForward   = newWeighted(statuses, []int{7, 9, 7, 15, 19, 43})
	statusPickNoForward = newWeighted(
		[]string{"new", "in_progress", "waiting", "resolved", "closed"}, []int{7, 11, 8, 22, 52})
	priorityPickDefault      = newWeighted(priorities, []int{150, 660, 180, 10})
	priorityPickAvailability = newWeighted(priorities, []int{10, 45, 45, 0})
	priorityPickFraud        = newWeighted(priorities, []int{0, 15, 55, 30})
)

// reset forgets the previous request's choices.
func (g *Generator) reset() {
	g.set = 0
	g.svc, g.pay, g.dev = -1, -1, -1
	g.used = g.used[:0]
}

// Request returns the next request.
func (g *Generator) Request() Request {
	g.reset()
	r := &g.r
	ch := channelPick.pick(r)
	g.cat = &categories[categoryPick.pick(r)]
	g.top = &g.cat.topics[r.intn(len(g.cat.topics))]

	o := personOpts{anonymousPercent: 0, needEmail: ch == "email", needPhone: ch == "phone"}
	switch ch {
	case "chat":
		o.anonymousPercent = 35
	case "telegram":
		o.anonymousPercent = 20
	case "vk":
		o.anonymousPercent = 10
	}
	g.p = g.person(o)
	g.bodyIdx = r.intn(len(g.top.bodies))
	g.irritated = g.top.angry[g.bodyIdx] || r.chance(20)

	var status string
	if g.top.forwardable {
		status = statusPickForward.pick(r)
	} else {
		status = statusPickNoForward.pick(r)
	}

	body := g.body(ch)
	subject := g.subject()
	return Request{
		Channel:   ch,
		Category:  g.cat.code,
		Priority:  g.priority(subject),
		Subject:   subject,
		Body:      body,
		Requester: g.p.Person,
		Turns:     g.turns(status, ch),
		Status:    status,
	}
}

// subject renders the subject line: one of the topic's own or, less
// often, one that fits the whole category.
func (g *Generator) subject() string {
	t := tmpl{}
	if g.r.chance(60) {
		t = g.pickFit(g.top.subjects)
	}
	if t.empty() {
		t = g.pickFit(g.cat.subjects)
	}
	if t.empty() {
		t = g.pickFit(g.top.subjects)
	}
	if t.empty() {
		t = g.top.subjects[0]
	}
	return g.renderString(t)
}

// priority chooses the priority. An outage whose subject says «сбой»,
// «недоступность» or «отказ» is urgent, as the product classifies it.
func (g *Generator) priority(subject string) string {
	r := &g.r
	switch g.cat.code {
	case "availability":
		if urgentSubject(subject) {
			return "urgent"
		}
		if strings.HasPrefix(subject, "Срочно") {
			return "high"
		}
		return priorityPickAvailability.pick(r)
	case "fraud":
		return priorityPickFraud.pick(r)
	}
	return priorityPickDefault.pick(r)
}

// urgentWords are the word beginnings that make the product treat a
// subject as «неотложно»: «сбой», «недоступность», «отказ», in the cases
// a subject may write them.
var urgentWords = []string{"сбо", "Сбо", "СБО", "недоступн", "Недоступн", "НЕДОСТУПН", "отказ", "Отказ", "ОТКАЗ"}

// urgentSubject reports whether a word of the subject starts with one of
// urgentWords.
func urgentSubject(s string) bool {
	for _, w := range urgentWords {
		for i := 0; ; {
			j := strings.Index(s[i:], w)
			if j < 0 {
				break
			}
			at := i + j
			prev, _ := utf8.DecodeLastRuneInString(s[:at])
			if at == 0 || !unicode.IsLetter(prev) {
				return true
			}
			i = at + len(w)
		}
	}
	return false
}

// chatty reports whether ch is a live conversation rather than a letter.
func chatty(ch string) bool {
	return ch == "chat" || ch == "telegram" || ch == "vk"
}

// body renders the citizen's first message in the manner of the channel.
func (g *Generator) body(ch string) string {
	r := &g.r
	b := g.buf[:0]
	switch {
	case ch == "phone":
		b = g.render(b, pick(r, phoneIntros))
	case ch == "visit":
		b = g.render(b, pick(r, visitIntros))
	case ch == "email":
		if r.chance(85) {
			b = g.render(b, pick(r, greetEmail))
			b = append(b, "\n\n"...)
		}
	case chatty(ch):
		if r.chance(55) {
			b = g.render(b, pick(r, greetChat))
			b = append(b, ' ')
		}
	default:
		if r.chance(30) {
			b = g.render(b, pick(r, greetEmail))
			b = append(b, ' ')
		}
	}
	start := len(b)
	b = g.render(b, g.top.bodies[g.bodyIdx])
	n := runeCount(b)

	// Extra sentences: a few by habit, more while the message is short,
	// many from a verbose writer.
	want := 0
	g.verbose = false
	switch x := r.intn(100); {
	case chatty(ch):
		want = x / 50
	case x < 12 && ch != "phone" && ch != "visit":
		g.verbose = true
		want = 3 + r.intn(4)
	case x < 20:
	case x < 60:
		want = 1
	case x < 88:
		want = 2
	default:
		want = 3
	}
	for i := 0; (i < want || n < MinBody+10) && i < 12; i++ {
		e := g.extra(ch)
		if e.empty() {
			continue
		}
		mark := len(b)
		b = g.render(append(b, ' '), e)
		m := runeCount(b[mark:])
		if n+m > MaxBody-150 {
			b = b[:mark] // too long: take it back
			continue
		}
		n += m
	}
	if ch != "phone" && ch != "visit" {
		typos := 0
		switch {
		case chatty(ch) && r.chance(35):
			typos = 1 + r.intn(3)
		case r.chance(12):
			typos = 1 + r.intn(2)
		}
		for range typos {
			b = g.typo(b, start)
		}
	}

	switch {
	case ch == "phone":
		b = append(b, ' ')
		b = g.render(b, pick(r, phoneOutros))
	case ch == "visit":
		b = append(b, ' ')
		b = g.render(b, pick(r, visitOutros))
	case ch == "email":
		if r.chance(80) {
			b = append(b, "\n\n"...)
			b = g.signOff(b)
		}
	case chatty(ch):
	default:
		if r.chance(40) {
			b = append(b, ' ')
			b = g.render(b, pick(r, closings))
		}
		if ch == "app" && r.chance(50) {
			b = append(b, "\n\n"...)
			b = g.render(b, pick(r, appFooters))
		}
	}
	g.buf = b
	return string(b)
}

// signOff appends the end of a letter: a polite phrase, a name, a phone.
func (g *Generator) signOff(b []byte) []byte {
	r := &g.r
	name := g.p.Name
	if name != "" && r.chance(50) {
		b = append(b, "С уважением,\n"...)
		b = append(b, name...)
		if g.p.Phone != "" && r.chance(40) {
			b = append(b, "\nТел.: "...)
			b = append(b, g.slot(slotPhone)...)
		}
		return b
	}
	b = g.render(b, pick(r, closings))
	if name != "" && r.chance(40) {
		b = append(b, '\n')
		b = append(b, name...)
	}
	return b
}

// extra chooses an extra sentence not used yet in this body, or returns
// the zero template.
func (g *Generator) extra(ch string) tmpl {
	r := &g.r
	written := ch != "phone" && ch != "visit"
	tech := g.cat.tech
	pool, base := neutralExtras.list(tech), 100
	x := r.intn(100)
	if g.verbose && x < 40 {
		return g.unused(storyExtras.list(tech), 700)
	}
	switch {
	case x < 40:
		if own := g.own(g.top.extras, g.cat.extras); len(own) > 0 {
			pool, base = own, 0
		}
	case x < 60:
	case x < 75:
		if g.irritated {
			pool, base = irritatedExtras.list(tech), 200
		} else {
			pool, base = politeExtras.list(tech), 300
		}
	case x < 85:
		if written {
			pool, base = writtenExtras.list(tech), 400
		}
	case x < 93:
		if written && !chatty(ch) {
			pool, base = letterExtras.list(tech), 500
		}
	default:
		if g.p.SNILS != "" && !chatty(ch) {
			pool, base = snilsExtras, 600
		}
	}
	if base == 600 {
		base = -1 // one СНИЛС is enough
	}
	return g.unused(pool, base)
}

// unused returns a random sentence of pool unless it was used already in
// this body; base distinguishes pools. A negative base allows only one
// sentence from the pool.
func (g *Generator) unused(pool []tmpl, base int) tmpl {
	i := g.r.intn(len(pool))
	key := base + i
	if base < 0 {
		key = base
	}
	for _, u := range g.used {
		if u == key {
			return tmpl{}
		}
	}
	g.used = append(g.used, key)
	return pool[i]
}

// own returns the topic's list when it has one, else the category's.
func (g *Generator) own(topicList, categoryList []tmpl) []tmpl {
	if len(topicList) > 0 {
		return topicList
	}
	return categoryList
}

// runeCount counts the UTF-8 characters of b: its bytes less the
// continuation bytes (10xxxxxx), eight bytes at a time.
func runeCount(b []byte) int {
	n := len(b)
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		n -= bits.OnesCount64(w &^ (w << 1) & 0x8080808080808080)
		b = b[8:]
	}
	for _, c := range b {
		if c&0xC0 == 0x80 {
			n--
		}
	}
	return n
}

// isLowerCyr reports whether the two bytes b[i], b[i+1] encode a lower-case
// Cyrillic letter (а–я, ё).
func isLowerCyr(b []byte, i int) bool {
	if i+1 >= len(b) {
		return false
	}
	switch b[i] {
	case 0xD0:
		return b[i+1] >= 0xB0 && b[i+1] <= 0xBF
	case 0xD1:
		return b[i+1] >= 0x80 && b[i+1] <= 0x8F || b[i+1] == 0x91
	}
	return false
}

// typo makes one human typo in b[start:]: two letters swapped, a letter
// dropped, an unstressed vowel confused, or a comma left out.
func (g *Generator) typo(b []byte, start int) []byte {
	r := &g.r
	if len(b)-start < 40 {
		return b
	}
	kind := r.intn(5)
	if kind == 4 {
		// Drop a comma.
		for i := start + r.intn(len(b)-start); i < len(b)-1; i++ {
			if b[i] == ',' && b[i+1] == ' ' {
				return append(b[:i], b[i+1:]...)
			}
		}
		return b
	}
	// Find a word of at least six lower-case letters.
	for i := start + r.intn(len(b)-start); i < len(b); i++ {
		if !isLowerCyr(b, i) || (i > start && b[i-1] != ' ') {
			continue
		}
		j := i
		for isLowerCyr(b, j) {
			j += 2
		}
		letters := (j - i) / 2
		if letters < 6 {
			i = j
			continue
		}
		k := i + 2*(1+r.intn(letters-3)) // a letter inside the word
		switch kind {
		case 0: // swap k and the next letter
			b[k], b[k+1], b[k+2], b[k+3] = b[k+2], b[k+3], b[k], b[k+1]
		case 1: // drop the letter at k
			return append(b[:k], b[k+2:]...)
		default: // confuse о/а or е/и
			for p := i + 2; p < j; p += 2 {
				switch {
				case b[p] == 0xD0 && b[p+1] == 0xBE: // о → а
					b[p+1] = 0xB0
					return b
				case b[p] == 0xD0 && b[p+1] == 0xB5: // е → и
					b[p+1] = 0xB8
					return b
				}
			}
		}
		return b
	}
	return b
}
