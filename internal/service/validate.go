package service

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/otklik/otklik/internal/identity"
	"github.com/otklik/otklik/internal/otklik"
)

// cleanLine checks a one-line text field (a subject, a name): valid UTF-8, no control or bidi
// override characters, at most max characters after trimming. It returns the trimmed value.
func cleanLine(v *otklik.Validation, field, s string, max int, required bool) string {
	s = strings.TrimSpace(s)
	if !checkText(v, field, s, max, false) {
		return s
	}
	if required && s == "" {
		v.Add(field, "field.required", nil)
	}
	return s
}

// cleanText checks a multi-line text (a message body): like cleanLine, but line breaks and tabs are
// allowed. Line endings are normalised to "\n".
func cleanText(v *otklik.Validation, field, s string, max int, required bool) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.TrimSpace(s)
	if !checkText(v, field, s, max, true) {
		return s
	}
	if required && s == "" {
		v.Add(field, "field.required", nil)
	}
	return s
}

func checkText(v *otklik.Validation, field, s string, max int, multiline bool) bool {
	if !utf8.ValidString(s) {
		v.Add(field, "field.invalid_utf8", nil)
		return false
	}
	if n := utf8.RuneCountInString(s); n > max {
		v.Add(field, "field.too_long", map[string]string{"max": strconv.Itoa(max), "len": strconv.Itoa(n)})
		return false
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t' || r == '\r') {
			continue
		}
		if unicode.IsControl(r) || isBidiControl(r) || r == '\uFFFD' {
			v.Add(field, "field.control_chars", nil)
			return false
		}
	}
	return true
}

// isBidiControl reports the characters that reorder displayed text (the «Trojan Source» set).
func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') || r == '\u200E' || r == '\u200F' || r == '\u061C'
}

// RequesterInput is a requester as a client sends it.
type RequesterInput struct {
	Name  string
	Email string
	Phone string
	SNILS string
	INN   string
}

// validRequester validates and canonicalises a requester: e-mail lower-cased, phone in E.164, СНИЛС
// and ИНН as digits. At least an e-mail or a phone is required, so that an answer can reach them.
func validRequester(v *otklik.Validation, in RequesterInput, contactRequired bool) otklik.Requester {
	var r otklik.Requester
	r.Name = cleanLine(v, "requester.name", in.Name, otklik.MaxNameLen, false)
	if s := strings.TrimSpace(in.Email); s != "" {
		if e, err := identity.ParseEmail(s); err != nil {
			v.Add("requester.email", identityKey(err, "email.format"), nil)
		} else {
			r.Email = strings.ToLower(e)
		}
	}
	if s := strings.TrimSpace(in.Phone); s != "" {
		if p, err := identity.ParsePhone(s); err != nil {
			v.Add("requester.phone", identityKey(err, "phone.format"), nil)
		} else {
			r.Phone = string(p)
		}
	}
	if s := strings.TrimSpace(in.SNILS); s != "" {
		if n, err := identity.ParseSNILS(s); err != nil {
			v.Add("requester.snils", identityKey(err, "snils.format"), nil)
		} else {
			r.SNILS = string(n)
		}
	}
	if s := strings.TrimSpace(in.INN); s != "" {
		if n, err := identity.ParseINN(s); err != nil {
			v.Add("requester.inn", identityKey(err, "inn.format"), nil)
		} else {
			r.INN = string(n)
		}
	}
	if contactRequired && strings.TrimSpace(in.Email) == "" && strings.TrimSpace(in.Phone) == "" {
		v.Add("requester", "requester.contact_required", nil)
	}
	return r
}

// identityKey returns the catalogue key of an identity error.
func identityKey(err error, fallback string) string {
	var ie *identity.Error
	if errors.As(err, &ie) {
		return ie.Code
	}
	return fallback
}
