package parse

import (
	"strings"
	"unicode"
)

// foldQuoted splits text into what an agent reads first and the folded-away
// tail: quoted history (attribution lines such as "On … wrote:" or «… пишет:»,
// "-----Original Message-----" separators, Outlook "From:/Sent:" header blocks,
// a trailing block of "> " lines) and the signature after "-- ". Only a tail is
// ever folded, so visible+quoted hold all of text. It is conservative: when
// the visible part would be empty, or quoted lines are interleaved with
// answers, nothing is folded.
func foldQuoted(text string) (visible, quoted string) {
	if text == "" || strings.Count(text, "\n") > maxFoldLines {
		return text, ""
	}
	lines := strings.Split(text, "\n")
	cut := newQuoteScan(lines).findCut()
	if cut <= 0 {
		return text, ""
	}
	visible = strings.TrimRight(strings.Join(lines[:cut], "\n"), " \t\n")
	if strings.TrimSpace(visible) == "" {
		return text, ""
	}
	rest := lines[cut:]
	for len(rest) > 0 && strings.TrimSpace(rest[0]) == "" {
		rest = rest[1:]
	}
	return visible, strings.Join(rest, "\n")
}

// maxFoldLines bounds the text foldQuoted looks at; longer texts stay whole.
const maxFoldLines = 20000

// quoteScan holds a text's lines with facts about what follows each line,
// computed once so that every test below is constant-time.
type quoteScan struct {
	lines         []string
	nonBlankAfter []int  // non-blank lines in lines[i:]
	firstNonBlank []int  // index of the first non-blank line at or after i, or len(lines)
	unquotedAfter []bool // an unquoted non-blank line in lines[i:]
}

func newQuoteScan(lines []string) *quoteScan {
	n := len(lines)
	q := &quoteScan{
		lines:         lines,
		nonBlankAfter: make([]int, n+1),
		firstNonBlank: make([]int, n+1),
		unquotedAfter: make([]bool, n+1),
	}
	q.firstNonBlank[n] = n
	for i := n - 1; i >= 0; i-- {
		t := strings.TrimSpace(lines[i])
		q.nonBlankAfter[i] = q.nonBlankAfter[i+1]
		q.firstNonBlank[i] = q.firstNonBlank[i+1]
		q.unquotedAfter[i] = q.unquotedAfter[i+1]
		if t != "" {
			q.nonBlankAfter[i]++
			q.firstNonBlank[i] = i
			if !strings.HasPrefix(t, ">") {
				q.unquotedAfter[i] = true
			}
		}
	}
	return q
}

func (q *quoteScan) quoted(i int) bool {
	return strings.HasPrefix(strings.TrimSpace(q.lines[i]), ">")
}

// nextQuoted reports whether the first non-blank line at or after i is quoted.
func (q *quoteScan) nextQuoted(i int) bool {
	j := q.firstNonBlank[i]
	return j < len(q.lines) && q.quoted(j)
}

// interleaved reports whether the lines from i answer a quote inline: quoted
// lines followed by unquoted ones. Unquoted text right away is top-posting.
func (q *quoteScan) interleaved(i int) bool {
	j := q.firstNonBlank[i]
	return j < len(q.lines) && q.quoted(j) && q.unquotedAfter[j]
}

// findCut returns the index of the first line of the folded tail, or -1.
func (q *quoteScan) findCut() int {
	cut := -1
	for i := range q.lines {
		if c := q.cutAt(i); c >= 0 {
			cut = c
			break
		}
	}
	if t := q.trailingQuote(); t >= 0 && (cut < 0 || t < cut) {
		cut = t
	}
	return cut
}

// cutAt reports whether a history marker starts at line i, returning the line
// where the fold begins (which may be above i), or -1.
func (q *quoteScan) cutAt(i int) int {
	lines := q.lines
	line := strings.TrimSpace(lines[i])
	if line == "" || strings.HasPrefix(line, ">") {
		return -1
	}
	raw := strings.TrimRight(lines[i], "\r")
	if raw == "-- " || raw == "--" {
		// A bare "--" counts only before a short tail.
		if n := q.nonBlankAfter[i+1]; raw == "-- " || (n > 0 && n <= 15) {
			return i
		}
		return -1
	}
	if isOriginalSeparator(line) {
		return i
	}
	if n := q.attributionLines(i); n > 0 {
		if q.interleaved(i + n) {
			return -1
		}
		return i
	}
	if isHeaderBlock(lines, i) && !forwardAbove(lines, i) {
		// Include an Outlook rule line ("____") just above.
		j := i - 1
		for j >= 0 && j > i-20 && strings.TrimSpace(lines[j]) == "" {
			j--
		}
		if j >= 0 && isRule(strings.TrimSpace(lines[j])) {
			return j
		}
		return i
	}
	return -1
}

func isRule(s string) bool {
	if len(s) < 10 {
		return false
	}
	return strings.Trim(s, "_") == "" || strings.Trim(s, "-") == "" || strings.Trim(s, "—") == ""
}

var originalSeparators = []string{
	"original message", "исходное сообщение", "оригинальное сообщение", "ursprüngliche nachricht",
	"ursprungliche nachricht", "message d'origine", "mensaje original", "messaggio originale",
	"oorspronkelijk bericht", "original meddelande", "wiadomość oryginalna", "původní zpráva",
}

// isOriginalSeparator matches "-----Original Message-----" and its translations.
func isOriginalSeparator(s string) bool {
	if !strings.HasPrefix(s, "--") {
		return false
	}
	t := strings.ToLower(strings.Trim(s, "- \t"))
	for _, sep := range originalSeparators {
		if t == sep {
			return true
		}
	}
	return false
}

var attributionVerbs = []string{
	"wrote:", "writes:", "пишет:", "написал:", "написала:", "написал(а):", "написал(a):", "писал(а):",
	"писал:", "писала:", "schrieb:", "a écrit :", "a écrit:", "escribió:", "scrisse:", "schreef:",
	"skrev:", "napisał:", "napisała:", "napsal:",
}

var attributionLeads = []string{"on ", "am ", "le ", "el ", "il ", "op ", "den ", "w dniu ", "dne "}

// attributionLines returns how many lines (1–3) starting at i form an
// attribution line ("On Mon, 1 Jan 2024, Ann <ann@example.com> wrote:",
// «15.01.2024 10:00, Иван пишет:», "Am … schrieb Ann:"), or 0.
func (q *quoteScan) attributionLines(i int) int {
	lines := q.lines
	joined := ""
	for n := 1; n <= 3 && i+n <= len(lines); n++ {
		l := strings.TrimSpace(lines[i+n-1])
		if l == "" || strings.HasPrefix(l, ">") {
			return 0
		}
		if n == 1 {
			joined = l
		} else {
			joined += " " + l
		}
		if len(joined) > 400 {
			return 0
		}
		if isAttribution(joined, q.nextQuoted(i+n)) {
			if n > 1 && !multiLineLead(strings.TrimSpace(lines[i])) && !strings.Contains(joined, "@") {
				return 0
			}
			return n
		}
	}
	return 0
}

func multiLineLead(s string) bool {
	low := strings.ToLower(s)
	for _, p := range attributionLeads {
		if strings.HasPrefix(low, p) {
			return true
		}
	}
	return s != "" && unicode.IsDigit([]rune(s)[0])
}

func isAttribution(s string, quotedNext bool) bool {
	t := strings.Trim(s, "*_ ")
	if !strings.HasSuffix(t, ":") {
		return false
	}
	low := strings.ToLower(t)
	verb := false
	for _, v := range attributionVerbs {
		if strings.HasSuffix(low, v) {
			verb = true
			break
		}
	}
	if !verb && strings.Contains(low, "schrieb") {
		verb = true // "Am 07.05.2012, schrieb Ann:"
	}
	if !verb {
		// Gmail in Russian: «пн, 15 янв. 2024 г. в 12:34, Ann <ann@example.com>:»
		return strings.HasSuffix(low, ">:") && strings.Contains(low, "@") && hasDigit(low) && quotedNext
	}
	return hasDigit(low) || strings.Contains(low, "@") || quotedNext
}

func hasDigit(s string) bool {
	return strings.ContainsAny(s, "0123456789")
}

var (
	fromKeys = []string{"from:", "от:", "von:", "de:", "från:", "od:", "da:", "van:"}
	dateKeys = []string{"sent:", "date:", "отправлено:", "дата:", "gesendet:", "datum:", "envoyé:", "enviado:",
		"wysłano:", "inviato:", "skickat:", "verzonden:", "отправлено в:"}
	toKeys = []string{"to:", "кому:", "an:", "à:", "a:", "para:", "do:", "aan:", "till:", "subject:", "тема:",
		"betreff:", "objet:", "asunto:", "temat:", "oggetto:", "ämne:", "onderwerp:", "cc:", "копия:"}
)

func hasKey(s string, keys []string) bool {
	s = strings.TrimLeft(s, "*_ \t")
	colon := strings.IndexByte(s, ':')
	if colon < 0 || colon > 40 {
		return false
	}
	low := strings.ToLower(s[:min(len(s), colon+2)])
	for _, k := range keys {
		if strings.HasPrefix(low, k) {
			return true
		}
		// "From :" with a space, and bold markers "*From:*".
		if strings.HasPrefix(low, strings.TrimSuffix(k, ":")+" :") || strings.HasPrefix(low, strings.TrimSuffix(k, ":")+":*") {
			return true
		}
	}
	return false
}

// isHeaderBlock matches an Outlook-style quoted header: "From: …" followed
// within a few lines by "Sent:"/"Date:" and "To:"/"Subject:" (and their
// Russian, German, French … forms, «От: … Отправлено: … Кому: … Тема: …»).
func isHeaderBlock(lines []string, i int) bool {
	first := strings.TrimSpace(lines[i])
	if !hasKey(first, fromKeys) {
		return false
	}
	date, to := false, false
	seen := 0
	for j := i + 1; j < len(lines) && j <= i+20 && seen < 6; j++ {
		l := strings.TrimSpace(lines[j])
		if l == "" {
			continue
		}
		seen++
		if hasKey(l, dateKeys) {
			date = true
		} else if hasKey(l, toKeys) {
			to = true
		}
	}
	return date && to
}

// forwardAbove reports whether a forwarding banner sits just above line i: a
// forwarded message is content, not history.
func forwardAbove(lines []string, i int) bool {
	seen := 0
	for j := i - 1; j >= 0 && j >= i-20 && seen < 2; j-- {
		l := strings.ToLower(strings.TrimSpace(lines[j]))
		if l == "" {
			continue
		}
		seen++
		for _, k := range []string{"forward", "пересыла", "переслан", "weitergeleitet", "transféré", "fwd"} {
			if strings.Contains(l, k) {
				return true
			}
		}
	}
	return false
}

// trailingQuote returns the first line of a block of "> " lines that runs to
// the end of the text (with an attribution line just above it), or -1.
func (q *quoteScan) trailingQuote() int {
	lines := q.lines
	end := len(lines) - 1
	for end >= 0 && strings.TrimSpace(lines[end]) == "" {
		end--
	}
	if end < 0 || !strings.HasPrefix(strings.TrimSpace(lines[end]), ">") {
		return -1
	}
	start := end
	for j := end; j >= 0; j-- {
		t := strings.TrimSpace(lines[j])
		if t == "" {
			continue
		}
		if !strings.HasPrefix(t, ">") {
			break
		}
		start = j
	}
	// An attribution just above ("Ann wrote:"), without the date test.
	j := start - 1
	for j >= 0 && strings.TrimSpace(lines[j]) == "" {
		j--
	}
	if j >= 0 {
		t := strings.TrimSpace(lines[j])
		if strings.HasSuffix(t, ":") && len(t) < 300 {
			low := strings.ToLower(t)
			for _, v := range attributionVerbs {
				if strings.HasSuffix(low, v) {
					return j
				}
			}
			if strings.HasSuffix(low, ">:") || strings.Contains(low, "schrieb") {
				return j
			}
		}
	}
	return start
}
