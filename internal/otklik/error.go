// Package otklik holds Otklik's domain: tickets, their statuses and transitions, requesters, messages,
// the tamper-evident journal, staff, groups and categories, the error codes every layer speaks, and the
// interfaces the domain needs from storage. It imports only the standard library.
package otklik

import (
	"errors"
	"fmt"
)

// Code classifies an Error. The HTTP layer maps each code to one status in one table.
type Code string

// Error codes.
const (
	EINVALID      Code = "invalid"      // the input is wrong; Fields names what
	EMALFORMED    Code = "malformed"    // the request cannot be read at all (broken JSON, bad encoding)
	ENOTFOUND     Code = "not_found"    // the thing does not exist or is not visible to the caller
	ECONFLICT     Code = "conflict"     // the change conflicts with the current state (transition, version)
	EUNAUTHORIZED Code = "unauthorized" // no or bad credentials
	EFORBIDDEN    Code = "forbidden"    // authenticated, but not allowed
	ETOOLARGE     Code = "too_large"    // the request body is over its limit
	EUNAVAILABLE  Code = "unavailable"  // a dependency (the database) is away; retry later
	EINTERNAL     Code = "internal"     // a bug or an unexpected failure; details are logged, not shown
	ERATELIMITED  Code = "rate_limited" // too many requests
	EUNSUPPORTED  Code = "unsupported"  // a media type or feature the endpoint does not take
	EPRECONDITION Code = "precondition" // a required precondition (If-Match) is missing
)

// Error is the one application error type. Key names a message in the catalogue (internal/i18n) that
// the layer showing it renders in the reader's language, with Args filling its placeholders. Fields
// lists per-field validation failures; Data carries machine-readable details (such as the allowed
// statuses) that the API adds to its problem document.
type Error struct {
	Code   Code
	Key    string
	Args   map[string]string
	Fields []FieldError
	Data   map[string]any
	Err    error // the cause, logged but never shown
}

// FieldError is one invalid field: its JSON path (such as "requester.snils") and a catalogue key.
type FieldError struct {
	Field string
	Key   string
	Args  map[string]string
}

// Error implements error; the text is for logs, not for users.
func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Key
	for _, f := range e.Fields {
		s += fmt.Sprintf(" [%s: %s]", f.Field, f.Key)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with a code and a catalogue key.
func Errorf(code Code, key string, args map[string]string) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// Invalid returns an EINVALID error for the given field failures.
func Invalid(fields ...FieldError) *Error {
	return &Error{Code: EINVALID, Key: "error.validation", Fields: fields}
}

// NotFound returns an ENOTFOUND error with the given key.
func NotFound(key string) *Error { return &Error{Code: ENOTFOUND, Key: key} }

// Internal wraps an unexpected error.
func Internal(err error) *Error { return &Error{Code: EINTERNAL, Key: "error.internal", Err: err} }

// ErrorCode returns the code of err: the code of an *Error found by errors.As, EINTERNAL otherwise, and
// "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// IsCode reports whether err carries code.
func IsCode(err error, code Code) bool { return ErrorCode(err) == code }

// Validation collects field failures; Err returns nil when there are none.
type Validation struct{ fields []FieldError }

// Add records a failure of field with a catalogue key.
func (v *Validation) Add(field, key string, args map[string]string) {
	v.fields = append(v.fields, FieldError{Field: field, Key: key, Args: args})
}

// Failed reports whether any field failed.
func (v *Validation) Failed() bool { return len(v.fields) > 0 }

// Err returns the collected failures as one EINVALID error, or nil.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return Invalid(v.fields...)
}
