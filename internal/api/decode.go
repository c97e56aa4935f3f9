package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/otklik/otklik/internal/otklik"
)

// Optional is a JSON field that can be absent, null or a value — what PATCH needs to tell "leave it"
// from "clear it".
type Optional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// UnmarshalJSON implements json.Unmarshaler; it is called only when the field is present.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// decode reads one JSON object of the request into dst. It refuses, with a problem the client can act
// on, a body of another media type, over the size limit, not valid UTF-8, malformed or truncated JSON,
// unknown fields, fields of the wrong type, and anything after the object.
func (a *API) decode(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return otklik.Errorf(otklik.EUNSUPPORTED, "error.media_type", map[string]string{"type": ct})
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return otklik.Errorf(otklik.ETOOLARGE, "error.body_too_large", map[string]string{"max": strconv.FormatInt(a.maxBody, 10)})
		}
		return otklik.Errorf(otklik.EMALFORMED, "error.body_read", nil)
	}
	return decodeJSON(body, dst)
}

// decodeJSON is decode without the transport; it is what the decoder fuzz test drives.
func decodeJSON(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badJSON("error.body_empty", nil)
	}
	if !utf8.Valid(body) {
		// encoding/json would silently turn invalid bytes into U+FFFD; refuse instead.
		return badJSON("error.bad_utf8", nil)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return badJSON("error.bad_json", map[string]string{"offset": strconv.FormatInt(syn.Offset, 10)})
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return badJSON("error.truncated_json", nil)
		case errors.As(err, &typ):
			field := typ.Field
			if field == "" {
				return badJSON("error.not_object", nil)
			}
			return &otklik.Error{Code: otklik.EINVALID, Key: "error.validation",
				Fields: []otklik.FieldError{{Field: field, Key: "field.type", Args: map[string]string{"type": jsonType(typ.Type.Kind().String())}}}}
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return &otklik.Error{Code: otklik.EINVALID, Key: "error.validation",
				Fields: []otklik.FieldError{{Field: name, Key: "field.unknown"}}}
		default:
			return badJSON("error.bad_json_value", nil)
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		return badJSON("error.trailing_json", nil)
	}
	return nil
}

func badJSON(key string, args map[string]string) error {
	return &otklik.Error{Code: otklik.EMALFORMED, Key: key, Args: args}
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "struct", "map", "ptr":
		return "object"
	case "slice", "array":
		return "array"
	}
	return "number"
}

// expectedVersion returns the version a client says it saw: If-Match ("3", W/"3") or the body's field.
func expectedVersion(r *http.Request, body int64) (int64, error) {
	im := strings.TrimSpace(r.Header.Get("If-Match"))
	if im == "" || im == "*" {
		return body, nil
	}
	im = strings.Trim(strings.TrimPrefix(im, "W/"), `"`)
	v, err := strconv.ParseInt(strings.TrimPrefix(im, "v"), 10, 64)
	if err != nil || v <= 0 {
		return 0, otklik.Invalid(otklik.FieldError{Field: "If-Match", Key: "field.version"})
	}
	return v, nil
}

func etag(version int64) string { return `"v` + strconv.FormatInt(version, 10) + `"` }
