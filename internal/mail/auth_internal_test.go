package mail

import "testing"

func TestOrgDomain(t *testing.T) {
	for d, want := range map[string]string{
		"esia.gosuslugi.ru":   "gosuslugi.ru",
		"gosuslugi.ru":        "gosuslugi.ru",
		"Mail.Example.RU.":    "example.ru",
		"a.b.com.ru":          "b.com.ru", // com.ru is a public suffix: b.com.ru is someone's own
		"mx.mos.ru":           "mos.ru",
		"smtp.bbc.co.uk":      "bbc.co.uk",
		"support.otklik.test": "otklik.test",
		"localhost":           "localhost",
	} {
		if got := orgDomain(d); got != want {
			t.Errorf("orgDomain(%q) = %q, want %q", d, got, want)
		}
	}
}
