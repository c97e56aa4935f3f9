package russian

import (
	"fmt"
	"sync"
	"testing"
)

func TestStem(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"заявление", "заявлен"},
		{"заявлений", "заявлен"},
		{"пароля", "парол"},
		{"госуслугах", "госуслуг"},
		{"зая\u0301вление", "заявлен"}, // stress mark dropped
		{"passwords", "password"},
		{"signing", "sign"},
		{"500", "500"},
		{"2fa", "2fa"},
		{"ндфл2", "ндфл2"},
		{"пaроль", "пaроль"}, // Latin a among Cyrillic letters: mixed, unchanged
		{"λόγος", "λόγος"},   // neither Cyrillic nor Latin
		{"ab", "ab"},
		{"я", "я"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Stem(tt.in); got != tt.want {
				t.Errorf("Stem(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := stem(tt.in, false); got != tt.want {
				t.Errorf("uncached stem(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestIsStopWord(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"и", true},
		{"не", true},
		{"ее", true},  // «её» after Normalize
		{"еще", true}, // «ещё» after Normalize
		{"между", true},
		{"the", true},
		{"that", true},
		{"a", true},
		{"а", true}, // Cyrillic а
		{"заявление", false},
		{"ошибка", false},
		{"password", false},
		{"И", false}, // not normalised
		{"её", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := IsStopWord(tt.in); got != tt.want {
				t.Errorf("IsStopWord(%q) = %t, want %t", tt.in, got, tt.want)
			}
		})
	}
}

// TestStopWordsNormalized checks that every stop word is a single normalised
// word, or IsStopWord could never see it.
func TestStopWordsNormalized(t *testing.T) {
	for _, list := range [][]string{russianStopWords, englishStopWords} {
		for _, w := range list {
			if ws := Words(Normalize(w)); len(ws) != 1 || ws[0] != w {
				t.Errorf("stop word %q normalises to words %q", w, ws)
			}
		}
	}
	if got, want := len(stopWords), len(russianStopWords)+len(englishStopWords); got != want {
		t.Errorf("stop-word set has %d words, want %d: the lists repeat a word", got, want)
	}
}

func TestStemCacheBounded(t *testing.T) {
	c := newStemCache()
	for i := range 10 * cacheShards * cacheEntriesPerShard {
		w := fmt.Sprintf("слово%d", i)
		c.put(w, w[:4])
	}
	for i := range c.shards {
		if got := len(c.shards[i].m); got > cacheEntriesPerShard {
			t.Errorf("shard %d holds %d entries, want at most %d", i, got, cacheEntriesPerShard)
		}
	}
	c.put("заявления", "заявлен")
	if got, ok := c.get("заявления"); !ok || got != "заявлен" {
		t.Errorf("get after put = %q, %t; want %q, true", got, ok, "заявлен")
	}
}

// TestStemConcurrent exercises the stem cache from many goroutines; run it
// with -race.
func TestStemConcurrent(t *testing.T) {
	words := Words(Normalize(benchMessage))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				w := words[(g+i)%len(words)]
				if got, want := Stem(w), stem(w, false); got != want {
					t.Errorf("Stem(%q) = %q, want %q", w, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}
