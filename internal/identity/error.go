package identity

// Error codes returned in Error.Code. They are message keys in the product's
// catalogue, so they never change once released.
const (
	CodeSNILSFormat   = "snils.format"
	CodeSNILSChecksum = "snils.checksum"
	CodeSNILSZero     = "snils.zero"
	CodeINNFormat     = "inn.format"
	CodeINNChecksum   = "inn.checksum"
	CodeINNZero       = "inn.zero"
	CodeOGRNFormat    = "ogrn.format"
	CodeOGRNChecksum  = "ogrn.checksum"
	CodePhoneFormat   = "phone.format"
	CodePhoneInvalid  = "phone.invalid"
	CodeEmailFormat   = "email.format"
)

// hints holds the short English text that Error.Error appends to a code.
var hints = map[string]string{
	CodeSNILSFormat:   "SNILS must be 11 digits, e.g. 112-233-445 95",
	CodeSNILSChecksum: "SNILS check number does not match",
	CodeSNILSZero:     "SNILS 000-000-000 00 is not a real number",
	CodeINNFormat:     "INN must be 10 or 12 digits",
	CodeINNChecksum:   "INN check digit does not match",
	CodeINNZero:       "INN of all zeros is not a real number",
	CodeOGRNFormat:    "OGRN must be 13 digits, OGRNIP 15 digits",
	CodeOGRNChecksum:  "OGRN check digit does not match",
	CodePhoneFormat:   "not a phone number",
	CodePhoneInvalid:  "phone number does not exist in the numbering plan",
	CodeEmailFormat:   "not a valid e-mail address",
}

// Error is a validation failure. Code is a stable message key such as
// "snils.checksum"; it is looked up in the product's message catalogue to
// show a Russian text, so Error returns the code plus a short English hint.
type Error struct {
	Code string
}

// Error returns the code followed by a short English hint, for logs.
func (e *Error) Error() string {
	if e == nil {
		return "<nil>"
	}
	if h, ok := hints[e.Code]; ok {
		return e.Code + ": " + h
	}
	return e.Code
}

// Is reports whether target is an *Error with the same Code, so that
// errors.Is(err, &Error{Code: CodeSNILSChecksum}) matches any such failure.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && e != nil && t != nil && t.Code == e.Code
}

// newError returns a fresh *Error, so that callers can never change a value
// that another caller holds.
func newError(code string) error {
	return &Error{Code: code}
}

// isDigits reports whether s is non-empty and holds only ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isZeros reports whether s holds only the digit '0'.
func isZeros(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}
