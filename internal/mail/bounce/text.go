package bounce

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// norm prepares text for phrase matching: lower case, ё as е, typographic apostrophes as ', and
// every run of white space as one space.
func norm(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case r == 'ё' || r == 'Ё':
			r = 'е'
		case r == '’' || r == '‘':
			r = '\''
		default:
			r = unicode.ToLower(r)
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// isLocalChar reports whether c may appear in the local part of an address.
func isLocalChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("!#$%&*+-/=?^_{|}~.", c) >= 0
}

// isDomainChar reports whether c may appear in a domain name.
func isDomainChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
}

// isAlnum reports whether c is an ASCII letter or digit.
func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// findAddresses returns the distinct e-mail addresses in s, lower-cased, in order of appearance.
func findAddresses(s string) []string {
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(s); i++ {
		if s[i] != '@' {
			continue
		}
		a := addressAt(s, i)
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// addressAt returns the address whose @ is at s[at], or "" when it does not look like one.
func addressAt(s string, at int) string {
	i := at
	for i > 0 && isLocalChar(s[i-1]) {
		i--
	}
	j := at + 1
	for j < len(s) && isDomainChar(s[j]) {
		j++
	}
	local := s[i:at]
	for len(local) > 0 && !isAlnum(local[0]) {
		local = local[1:]
	}
	domain := strings.TrimRight(s[at+1:j], ".-")
	if local == "" || len(local) > 64 || !strings.Contains(domain, ".") || len(domain) > 255 ||
		strings.Contains(domain, "..") || strings.HasPrefix(domain, ".") || strings.HasPrefix(domain, "-") {
		return ""
	}
	tld := domain[strings.LastIndexByte(domain, '.')+1:]
	if tld == "" || !isLetters(tld) {
		return ""
	}
	return strings.ToLower(strings.TrimRight(local, ".") + "@" + domain)
}

// isLetters reports whether s is made of ASCII letters only.
func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// findStatus returns the first enhanced status code (RFC 3463, "5.1.1") in s, or "".
func findStatus(s string) string {
	for i := 0; i+4 < len(s); i++ {
		c := s[i]
		if c != '2' && c != '4' && c != '5' || s[i+1] != '.' {
			continue
		}
		if i > 0 && (isDigit(s[i-1]) || s[i-1] == '.' || isAlnum(s[i-1])) {
			continue
		}
		j := i + 2
		k := j
		for k < len(s) && isDigit(s[k]) && k-j < 3 {
			k++
		}
		if k == j || k >= len(s) || s[k] != '.' {
			continue
		}
		m := k + 1
		n := m
		for n < len(s) && isDigit(s[n]) && n-m < 3 {
			n++
		}
		if n == m {
			continue
		}
		if n < len(s) && (isDigit(s[n]) || isAlnum(s[n]) || s[n] == '.' && n+1 < len(s) && isDigit(s[n+1])) {
			continue
		}
		code := s[i:n]
		if sub := s[j:k]; len(sub) > 1 || sub[0] > '7' {
			continue
		}
		return code
	}
	return ""
}

// replyContexts are what precedes an SMTP reply code in notices.
var replyContexts = []string{"said:", "<<<", "smtp;", "smtp ;", "error:", "reply:", "replied:",
	"response:", "code:", "code :", "code=", "status:", "returned:", "with:", "answered:", "reason:",
	"server:", "failed:", "returned '", "(", "[", "#"}

// findReplyCode returns an SMTP reply code ("550") in s, or "". A code followed by an enhanced
// status code wins, then one after Sendmail's "... ", then one at the start of a line or after
// words such as "said:"; a number anywhere else is not taken for a reply code.
func findReplyCode(s string) string {
	best, bestScore := "", 0
	lineStart := 0 // where the line of s[i] begins
	for i := 0; i+3 <= len(s); i++ {
		c := s[i]
		if c == '\n' {
			lineStart = i + 1
			continue
		}
		if c != '2' && c != '4' && c != '5' || !isDigit(s[i+1]) || !isDigit(s[i+2]) || s[i+1] > '5' {
			continue
		}
		if i > 0 {
			p := s[i-1]
			if isAlnum(p) || p == '.' || p == '/' || p == '-' || p == '+' || p == '=' && !strings.HasSuffix(strings.ToLower(s[:i]), "code=") ||
				p == ':' && i > 1 && isDigit(s[i-2]) {
				continue
			}
		}
		end := i + 3
		if end < len(s) {
			n := s[end]
			if isAlnum(n) || n == '/' || n == '.' && end+1 < len(s) && isDigit(s[end+1]) || n == '@' || n == '%' {
				continue
			}
		}
		code := s[i:end]
		score := 0
		j := end
		for j < len(s) && j < end+3 && strings.IndexByte(" -'\"#(", s[j]) >= 0 {
			j++
		}
		if j > end && j < len(s) && findStatus(s[j:min(len(s), j+10)]) != "" && strings.HasPrefix(s[j:], findStatus(s[j:min(len(s), j+10)])) {
			score = 4
		} else if strings.HasSuffix(s[:i], "... ") {
			score = 3 // Sendmail: "554 <a@b>... 550 Host unknown" names the server's own code last
		} else {
			before := strings.ToLower(strings.TrimRight(s[max(0, i-12):i], " \t"))
			if i-lineStart < 12 && strings.TrimSpace(s[lineStart:i]) == "" {
				score = 2
			}
			for _, ctx := range replyContexts {
				if strings.HasSuffix(before, ctx) {
					score = 2
					break
				}
			}
			if score == 0 && strings.HasSuffix(before, ":") && end < len(s) && s[end] == ' ' {
				score = 2 // "host example.org [192.0.2.1]: 550 user unknown"
			}
			if score == 0 && end < len(s) && s[end] == '-' {
				score = 1 // a multi-line reply: "550-"
			}
		}
		if score > bestScore {
			best, bestScore = code, score
			if score == 4 {
				break
			}
		}
	}
	return best
}

// originalHeaderNames are fields that only a message header (not a notice's prose) has.
var originalHeaderNames = map[string]bool{
	"received": true, "return-path": true, "message-id": true, "mime-version": true,
	"dkim-signature": true, "content-type": true, "x-mailer": true, "delivered-to": true,
	"authentication-results": true, "references": true, "in-reply-to": true, "x-originating-ip": true,
	"content-transfer-encoding": true, "x-otklik-ticket": true, "thread-index": true,
}

// commonHeaderNames are fields that a message header has and a short summary may have too.
var commonHeaderNames = map[string]bool{
	"from": true, "to": true, "subject": true, "date": true, "cc": true, "reply-to": true, "sender": true,
}

// splitInline looks for a returned message pasted into a notice's text (qmail, Exim, Exchange
// 2003, many providers): the first run of lines that is a message header. It returns the text
// before it and the parsed header.
func splitInline(text string) (string, header, bool) {
	lines := strings.SplitAfter(text, "\n")
	for i := range lines {
		if !startsHeaderBlock(lines[i:]) {
			continue
		}
		rest := strings.Join(lines[i:], "")
		h, _ := parseHeader([]byte(rest))
		return strings.Join(lines[:i], ""), h, true
	}
	return text, nil, false
}

// startsHeaderBlock reports whether lines begin with a message header: at least three fields, one
// of them only found in message headers, another common one, and nothing but fields and
// continuation lines in between.
func startsHeaderBlock(lines []string) bool {
	if len(lines) == 0 || !isFieldLine(lines[0]) {
		return false
	}
	fields, original, common := 0, 0, 0
	for n, line := range lines {
		if n > 60 {
			break
		}
		t := strings.TrimRight(line, "\n")
		if strings.TrimSpace(t) == "" {
			break
		}
		if t[0] == ' ' || t[0] == '\t' {
			continue
		}
		if !isFieldLine(t) {
			break
		}
		fields++
		name := strings.ToLower(t[:strings.IndexByte(t, ':')])
		switch {
		case originalHeaderNames[name]:
			original++
		case commonHeaderNames[name]:
			common++
		}
	}
	return fields >= 3 && original >= 1 && original+common >= 2
}

// isFieldLine reports whether a line starts like a header field ("Name: value").
func isFieldLine(line string) bool {
	i := strings.IndexByte(line, ':')
	return i > 0 && isFieldName(line[:i]) && utf8.ValidString(line[:i])
}

// lineOf returns the index of the first line in lines that contains sub (in lower case), or -1.
func lineOf(lines []string, sub string) int {
	for i := range lines {
		if strings.Contains(strings.ToLower(lines[i]), sub) {
			return i
		}
	}
	return -1
}

// skipAddressLine reports whether the addresses on a notice line are about the sender or the
// reporting host rather than a failed recipient.
func skipAddressLine(line string) bool {
	l := strings.ToLower(strings.TrimSpace(line))
	for _, p := range []string{"from:", "sender:", "reply-to:", "return-path:", "message-id:",
		"received:", "x-postfix-sender:", "x-sender:", "reporting-mta:", "original-mail-from:",
		"envelope-from", "mail from", "x-original-mail-from", "references:", "in-reply-to:",
		"x-yandex-sender:", "arrival-date:", "for <", "by ", "id <"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}
