package web

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Personal data is masked on staff pages until a member who needs it reveals it, which is logged.
// Masks keep enough to tell records apart (the last digits, an address's first letter and domain).

// pdInText finds personal numbers in free text: СНИЛС (11 digits, usually 123-456-789 01), a passport's
// series and number (10 digits, 45 06 123456), ИНН (10 or 12 digits) and Russian phone numbers.
var pdInText = regexp.MustCompile(`(?:\+7|\b8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}\b` +
	`|\b\d{3}[- ]?\d{3}[- ]?\d{3}[- ]?\d{2}\b` +
	`|\b\d{2} ?\d{2} ?\d{6}\b` +
	`|\b\d{12}\b|\b\d{10}\b`)

// maskText masks the personal numbers in a text.
func maskText(s string) string {
	// Every pattern has ten digits or more: a text with fewer cannot hold one (most messages), and
	// skips the regular expression, which costs tens of microseconds on a long text.
	n := 0
	for i := 0; i < len(s) && n < 10; i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	if n < 10 {
		return s
	}
	return pdInText.ReplaceAllStringFunc(s, maskDigits)
}

// maskDigits replaces every digit but the last two with a bullet, keeping separators.
func maskDigits(s string) string {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	var b strings.Builder
	seen := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			seen++
			if seen <= n-2 {
				b.WriteRune('•')
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maskEmail keeps the first letter and the domain: i•••@example.ru.
func maskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		return maskDigits(s)
	}
	r, _ := utf8.DecodeRuneInString(s)
	return string(r) + "•••" + s[at:]
}

// maskValue masks a personal number held in a field (phone, СНИЛС, ИНН).
func maskValue(s string) string {
	if s == "" {
		return ""
	}
	return maskDigits(s)
}
