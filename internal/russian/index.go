package russian

import (
	"strings"
	"sync"
)

// IndexText returns the space-separated stems of s for storing in the FTS
// column: Normalize → Words → drop stop words → Stem. Numbers are kept: an
// error code "500" stays "500", a ticket number "26-123456-7" becomes
// "26 123456 7". The result is "" when s has no words other than stop words.
func IndexText(s string) string {
	bp := getBuffers()
	defer putBuffers(bp)
	bp.out = appendIndexText(bp.out[:0], s, &bp.norm, true)
	return string(bp.out)
}

// AppendIndexText is IndexText appending to dst, for building one column from
// several texts without extra allocation. If dst is not empty, does not end
// in a space and s has stems, a space is added first, so
// AppendIndexText(AppendIndexText(nil, a), b) is IndexText(a + " " + b).
func AppendIndexText(dst []byte, s string) []byte {
	bp := getBuffers()
	defer putBuffers(bp)
	return appendIndexText(dst, s, &bp.norm, true)
}

// appendIndexText implements AppendIndexText with a scratch buffer for the
// normalised text, with or without the stem cache.
func appendIndexText(dst []byte, s string, scratch *[]byte, cached bool) []byte {
	*scratch = appendNormalized((*scratch)[:0], s)
	ns := string(*scratch)
	sep := len(dst) > 0 && dst[len(dst)-1] != ' '
	for i := 0; ; {
		w, next := nextWord(ns, i)
		if w == "" {
			return dst
		}
		i = next
		if IsStopWord(w) {
			continue
		}
		if sep {
			dst = append(dst, ' ')
		}
		sep = true
		dst = append(dst, stem(w, cached)...)
	}
}

// buffers is the scratch space of one IndexText call.
type buffers struct {
	norm []byte // the normalised text
	out  []byte // the stems, for IndexText
}

// maxPooledBuffer is the largest buffer kept in bufPool, so that one huge
// text does not pin its memory.
const maxPooledBuffer = 64 << 10

var bufPool = sync.Pool{New: func() any { return new(buffers) }}

// getBuffers takes scratch buffers from bufPool.
func getBuffers() *buffers { return bufPool.Get().(*buffers) }

// putBuffers returns bp to bufPool, dropping buffers that grew too large.
func putBuffers(bp *buffers) {
	if cap(bp.norm) > maxPooledBuffer {
		bp.norm = nil
	}
	if cap(bp.out) > maxPooledBuffer {
		bp.out = nil
	}
	bufPool.Put(bp)
}

// MaxQueryTerms is the most terms QueryTerms returns; words beyond it are
// ignored. It bounds the work of one search however long the query is.
const MaxQueryTerms = 32

// QueryTerms returns the distinct stems of a user's query in order, stop words
// dropped, at most MaxQueryTerms of them. If every word is a stop word, the
// stems of all words are returned, so a query is never silently empty unless
// it has no words at all. Such terms find nothing in a column built by
// IndexText, which drops stop words; the caller can tell the user so.
func QueryTerms(q string) []string {
	nq := Normalize(q)
	if terms := appendQueryTerms(nil, nq, false); len(terms) > 0 {
		return terms
	}
	return appendQueryTerms(nil, nq, true)
}

// appendQueryTerms appends to terms the distinct stems of the normalised
// query nq, with or without stop words, up to MaxQueryTerms in all.
func appendQueryTerms(terms []string, nq string, stopWords bool) []string {
	for i := 0; len(terms) < MaxQueryTerms; {
		w, next := nextWord(nq, i)
		if w == "" {
			break
		}
		i = next
		if !stopWords && IsStopWord(w) {
			continue
		}
		if t := Stem(w); !containsString(terms, t) {
			terms = append(terms, t)
		}
	}
	return terms
}

// containsString reports whether ss contains s; queries are short, so a
// linear scan beats a map.
func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// FTSQuery builds a safe SQLite FTS5 MATCH expression that requires every
// term (AND): each term is double-quoted with inner quotes doubled, so user
// input can never inject FTS5 syntax (column filters, NEAR, OR, NOT, *, ^).
// NUL bytes, which would end the string early inside SQLite, are removed and
// empty terms skipped. FTSQuery returns "" for no terms; do not run MATCH
// with it.
func FTSQuery(terms []string) string {
	var b strings.Builder
	for _, t := range terms {
		t = strings.ReplaceAll(t, "\x00", "")
		if t == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(" AND ")
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(t, `"`, `""`))
		b.WriteByte('"')
	}
	return b.String()
}
