package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/httpx"
)

// doc documents one route; the OpenAPI document is generated from the route table's docs and the
// Go types of the bodies, so it cannot drift from the code.
type doc struct {
	Tag         string
	Summary     string
	Description string
	Params      []param
	Body        any    // the request body's type (a zero value), or nil
	Status      int    // the success status; 200 when 0
	Resp        any    // the success body's type (a zero value); nil for no body
	ContentType string // of the success body; application/json when empty
	BodyType    string // of the request body; application/json when empty
	Errors      []int
}

// param is a path, query or header parameter.
type param struct {
	Name, In, Doc string
	Required      bool
	Type          string // "string" (default) or "integer"
	Enum          []string
}

// openAPI renders the OpenAPI 3.0 document.
func (a *API) openAPI() []byte {
	g := &schemaGen{components: map[string]any{}}
	g.components["Problem"] = g.schemaOf(reflect.TypeOf(httpx.Problem{}))
	paths := map[string]map[string]any{}
	for _, rt := range a.routes {
		d := rt.doc
		op := map[string]any{
			"summary":     d.Summary,
			"operationId": operationID(rt.method, rt.path),
			"tags":        []string{d.Tag},
		}
		if d.Description != "" {
			op["description"] = d.Description
		}
		var params []any
		for _, p := range d.Params {
			typ := p.Type
			if typ == "" {
				typ = "string"
			}
			s := map[string]any{"type": typ}
			if len(p.Enum) > 0 {
				s["enum"] = p.Enum
			}
			pm := map[string]any{"name": p.Name, "in": p.In, "required": p.Required || p.In == "path", "schema": s}
			if p.Doc != "" {
				pm["description"] = p.Doc
			}
			params = append(params, pm)
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if d.Body != nil {
			bt := d.BodyType
			if bt == "" {
				bt = "application/json"
			}
			op["requestBody"] = map[string]any{
				"required": true,
				"content":  map[string]any{bt: map[string]any{"schema": g.schemaOf(reflect.TypeOf(d.Body))}},
			}
		}
		status := d.Status
		if status == 0 {
			status = http.StatusOK
		}
		ok := map[string]any{"description": http.StatusText(status)}
		if d.Resp != nil {
			ct := d.ContentType
			if ct == "" {
				ct = "application/json"
			}
			ok["content"] = map[string]any{ct: map[string]any{"schema": g.schemaOf(reflect.TypeOf(d.Resp))}}
		}
		responses := map[string]any{strconv.Itoa(status): ok}
		errs := d.Errors
		if rt.perm != public {
			errs = append([]int{401}, errs...)
		}
		errs = append(errs, 500, 503)
		for _, code := range errs {
			responses[strconv.Itoa(code)] = map[string]any{
				"description": http.StatusText(code),
				"content":     map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}},
			}
		}
		op["responses"] = responses
		if rt.perm != public {
			op["security"] = []any{map[string]any{"bearer": []string{}}}
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	docObj := map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":   "Otklik API",
			"version": a.version,
			"description": "The REST API of Otklik, a citizen-support desk. Staff authenticate with `Authorization: Bearer <token>` " +
				"(create one with `otklik user token`). Errors are application/problem+json (RFC 9457) with a human `detail` in the " +
				"request's language (Accept-Language: ru by default, en) and, for validation, `errors: [{field, message, code}]`. " +
				"Times are RFC 3339 in Moscow time.",
		},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas":         g.components,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
		},
	}
	b, err := json.MarshalIndent(docObj, "", "  ")
	if err != nil {
		panic(err) // the document is built from static data; a failure is a bug caught by tests
	}
	return b
}

func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/") {
		seg = strings.Trim(seg, "{}")
		if seg == "" {
			continue
		}
		b.WriteString(strings.ToUpper(seg[:1]) + seg[1:])
	}
	return b.String()
}

// schemaGen turns Go types into JSON Schemas, named structs into shared components.
type schemaGen struct{ components map[string]any }

var timeType = reflect.TypeOf(time.Time{})

func (g *schemaGen) schemaOf(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Pointer:
		s := g.schemaOf(t.Elem())
		if ref, ok := s["$ref"]; ok {
			return map[string]any{"allOf": []any{map[string]any{"$ref": ref}}, "nullable": true}
		}
		s["nullable"] = true
		return s
	case strings.HasPrefix(t.Name(), "Optional["):
		s := g.schemaOf(t.Field(2).Type)
		s["nullable"] = true
		return s
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schemaOf(t.Elem())}
	case reflect.Map, reflect.Interface:
		return map[string]any{"type": "object"}
	case reflect.Struct:
		name := t.Name()
		if name != "" {
			name = strings.TrimSuffix(name, "JSON")
			if _, done := g.components[name]; !done {
				g.components[name] = map[string]any{} // placeholder against recursion
				g.components[name] = g.structSchema(t)
			}
			return map[string]any{"$ref": "#/components/schemas/" + name}
		}
		return g.structSchema(t)
	}
	return map[string]any{}
}

func (g *schemaGen) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := g.schemaOf(f.Type)
		if d := f.Tag.Get("doc"); d != "" {
			if _, isRef := s["$ref"]; isRef {
				s = map[string]any{"allOf": []any{s}}
			}
			s["description"] = d
		}
		if e := f.Tag.Get("enum"); e != "" {
			s["enum"] = strings.Split(e, ",")
		}
		if f.Tag.Get("required") == "true" {
			required = append(required, name)
		}
		props[name] = s
	}
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}
