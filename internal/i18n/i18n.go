// Package i18n is Otklik's one message catalogue: every text a person reads — problem details,
// validation messages, page copy — is a key here, in Russian (the default) and English.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Languages.
const (
	RU = "ru"
	EN = "en"
)

//go:embed catalog/*.json
var files embed.FS

var catalogs = mustLoad()

func mustLoad() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, lang := range []string{RU, EN} {
		b, err := files.ReadFile("catalog/" + lang + ".json")
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: catalog/%s.json: %v", lang, err))
		}
		out[lang] = m
	}
	return out
}

// T returns the message key in lang with {name} placeholders filled from args. A missing key falls
// back to Russian and then to the key itself; a test keeps every key used in the code present in both
// languages.
func T(lang, key string, args map[string]string) string {
	msg, ok := catalogs[lang][key]
	if !ok {
		if msg, ok = catalogs[RU][key]; !ok {
			return key
		}
	}
	if len(args) == 0 || !strings.Contains(msg, "{") {
		return msg
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '{')
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		j := strings.IndexByte(msg[i:], '}')
		if j < 0 {
			b.WriteString(msg)
			return b.String()
		}
		b.WriteString(msg[:i])
		name := msg[i+1 : i+j]
		if v, ok := args[name]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(msg[i : i+j+1])
		}
		msg = msg[i+j+1:]
	}
}

// Has reports whether lang's catalogue has key.
func Has(lang, key string) bool {
	_, ok := catalogs[lang][key]
	return ok
}

// Keys returns lang's keys, sorted.
func Keys(lang string) []string {
	keys := make([]string, 0, len(catalogs[lang]))
	for k := range catalogs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Negotiate picks the language for an Accept-Language header: English when the client prefers it to
// Russian, Russian otherwise.
func Negotiate(acceptLanguage string) string {
	if acceptLanguage == "" {
		return RU
	}
	bestLang, bestQ := RU, -1.0
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				continue
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if (base == RU || base == EN) && q > bestQ {
			bestLang, bestQ = base, q
		}
	}
	return bestLang
}
