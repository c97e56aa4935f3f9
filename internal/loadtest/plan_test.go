package loadtest

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/otklik/otklik/internal/loadtest/fakeapi"
)

func TestNextCursor(t *testing.T) {
	for _, tc := range []struct {
		body string
		want string
		ok   bool
	}{
		{`{"items":[],"next_cursor":"abc"}`, "abc", true},
		{`{"items":[],"next_cursor":null}`, "", false},
		{`{"items":[],"next_cursor":""}`, "", false},
		{`{"items":[]}`, "", false},
		{"{\n  \"items\": [],\n  \"next_cursor\" :\t\"eyJpZCI6NX0=\"\n}\n", "eyJpZCI6NX0=", true},
		{`{"next_cursor":"c2","items":[{"number":"26-100001-7"}]}`, "c2", true},
		{`{"items":[],"next_cursor":"a\"b\u0430\\"}`, "a\"bа\\", true},
		{`{"items":[{"subject":"\"next_cursor\":\"zzz\""}],"next_cursor":null}`, "", false},
		{`{"items":[{"subject":"\"next_cursor\":\"zzz\""}],"next_cursor":"real"}`, "real", true},
		{`{"items":[],"next_cursor":"unterminated`, "", false},
		{``, "", false},
	} {
		got, ok := nextCursor([]byte(tc.body))
		if got != tc.want || ok != tc.ok {
			t.Errorf("nextCursor(%s) = %q, %v; want %q, %v", tc.body, got, ok, tc.want, tc.ok)
		}
	}
}

func TestComposeBodyLength(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, p := range problems {
		for range 200 {
			body := composeBody(p.text, r.IntN)
			if n := utf8.RuneCountInString(body); n < minBodyRunes || n > maxBodyRunes {
				t.Fatalf("body of %q is %d characters, want %d to %d: %s", p.subject, n, minBodyRunes, maxBodyRunes, body)
			}
		}
	}
	if len(problems) < 24 {
		t.Errorf("%d problems, want a few dozen", len(problems))
	}
}

func TestCreateBodies(t *testing.T) {
	tickets, requesters, err := buildCreateBodies()
	if err != nil {
		t.Fatal(err)
	}
	subjects := make(map[string]bool)
	for i, tk := range tickets {
		for _, rq := range requesters[:8] {
			b := append(append([]byte(nil), tk...), rq.json...)
			putSerial(b[len(tk)+rq.serialAt:], uint64(i)*7919)
			c, err := fakeapi.DecodeCreateBody(b)
			if err != nil {
				t.Fatalf("body %s: %v", b, err)
			}
			if !emailPattern.MatchString(c.Requester.Email) {
				t.Fatalf("e-mail %q: serial not in place", c.Requester.Email)
			}
			subjects[c.Subject] = true
		}
	}
	if got, want := len(subjects), len(problems); got != want {
		t.Errorf("%d distinct subjects, want %d", got, want)
	}
}

func TestIdempotencyKeys(t *testing.T) {
	p := &plan{runKey: 0xfedcba9876543210, workers: 3}
	seen := make(map[string]bool)
	for id := range 3 {
		w := &worker{p: p, id: id}
		for range 1000 {
			k := w.idempotencyKey()
			if !uuidPattern.MatchString(k) {
				t.Fatalf("key %q is not shaped like a version 4 UUID", k)
			}
			if seen[k] {
				t.Fatalf("key %q made twice", k)
			}
			seen[k] = true
		}
	}
}

func TestCreateBodyChangesRequesterEveryTenth(t *testing.T) {
	tickets, requesters, err := buildCreateBodies()
	if err != nil {
		t.Fatal(err)
	}
	p := &plan{tickets: tickets, requesters: requesters, workers: 2}
	var emails []string
	for id := range 2 {
		w := &worker{p: p, id: id, rng: rand.New(rand.NewPCG(uint64(id), 9))}
		for range 30 {
			c, err := fakeapi.DecodeCreateBody(w.createBody())
			if err != nil {
				t.Fatal(err)
			}
			emails = append(emails, c.Requester.Email)
		}
	}
	distinct := make(map[string]bool)
	for i, e := range emails {
		distinct[e] = true
		if i%10 != 0 && e != emails[i-1] {
			t.Errorf("request %d changed requester before the tenth", i)
		}
	}
	if got, want := len(distinct), 6; got != want {
		t.Errorf("%d distinct e-mails in 60 requests by 2 workers, want %d", got, want)
	}
}

func TestValidate(t *testing.T) {
	valid := func() Config {
		return Config{URL: "http://127.0.0.1:8080", Token: "t", Scenario: ScenarioMixed, Concurrency: 1, Duration: time.Second, Query: "q", Limit: 1}
	}
	if err := func() *Config { c := valid(); return &c }().Validate(); err != nil {
		t.Fatalf("Validate(valid) = %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"no scheme", func(c *Config) { c.URL = "127.0.0.1:8080" }, "url"},
		{"ftp", func(c *Config) { c.URL = "ftp://h" }, "http"},
		{"query", func(c *Config) { c.URL = "http://h/?a=1" }, "without query"},
		{"scenario", func(c *Config) { c.Scenario = "delete" }, "unknown scenario"},
		{"token", func(c *Config) { c.Token = "" }, "OTKLIK_ADMIN_TOKEN"},
		{"token with newline", func(c *Config) { c.Token = "a\nb" }, "line break"},
		{"concurrency", func(c *Config) { c.Concurrency = 0 }, "concurrency"},
		{"duration", func(c *Config) { c.Duration = 0 }, "duration"},
		{"warm-up", func(c *Config) { c.Warmup = -time.Second }, "warm-up"},
		{"limit", func(c *Config) { c.Limit = 0 }, "limit"},
		{"mixed without query", func(c *Config) { c.Query = "" }, "-q"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.change(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error about %q", err, tc.want)
			}
		})
	}
}

func TestSampleText(t *testing.T) {
	long := strings.Repeat("ошибка ", 100) // 1300 bytes; the cut falls inside a letter
	got := sampleText([]byte(long), false)
	if !utf8.ValidString(got) || !strings.HasSuffix(got, "…") || len(got) > maxSampleBytes+len("…") {
		t.Errorf("sampleText(long) = %q (%d bytes), want at most %d valid bytes and an ellipsis", got, len(got), maxSampleBytes)
	}
	if got, want := sampleText([]byte("{\n  \"detail\": \"нет\"\n}\n"), false), `{ "detail": "нет" }`; got != want {
		t.Errorf("sampleText = %q, want %q", got, want)
	}
	var v any
	if err := json.Unmarshal([]byte(`"`+strings.ReplaceAll(sampleText([]byte(long), false), `"`, `\"`)+`"`), &v); err != nil {
		t.Errorf("sample is not printable as JSON: %v", err)
	}
}
