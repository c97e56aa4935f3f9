package parse

import (
	"sort"
	"strconv"
	"strings"
)

// knownParams are parameter names recognised even when the ";" before them is
// missing ("text/plain charset=utf-8", "name=a.pdf filename=a.pdf").
var knownParams = map[string]bool{
	"charset": true, "name": true, "filename": true, "boundary": true, "format": true, "delsp": true,
	"type": true, "start": true, "size": true, "creation-date": true, "modification-date": true,
	"read-date": true, "method": true, "reply-type": true, "micalg": true, "protocol": true,
	"report-type": true, "smime-type": true, "id": true, "access-type": true, "x-unix-mode": true,
	"x-mac-type": true, "x-mac-creator": true, "differences": true,
}

// parseMediaHeader parses a Content-Type or Content-Disposition value
// leniently. The type is lower case without spaces; parameter names are lower
// case; values are decoded (RFC 2231 continuations and charsets, RFC 2047
// encoded words, raw 8-bit bytes), except boundary, which is kept verbatim.
func parseMediaHeader(s, hint string, d decoder, what string) (string, map[string]string) {
	s = strings.TrimSpace(s)
	head, rest := s, ""
	if i := strings.IndexByte(s, ';'); i >= 0 {
		head, rest = s[:i], s[i+1:]
	}
	if j := strings.IndexAny(head, " \t"); j >= 0 && strings.Contains(head[j:], "=") {
		rest = head[j:] + ";" + rest
		head = head[:j]
	}
	typ := strings.ToLower(strings.Trim(strings.Join(strings.Fields(head), ""), "\"'"))
	if i := strings.IndexByte(typ, '('); i >= 0 {
		typ = typ[:i]
	}
	return typ, parseParams(rest, hint, d, what)
}

type paramSeg struct {
	idx int
	ext bool
	val string
}

func parseParams(s, hint string, d decoder, what string) map[string]string {
	var params map[string]string
	var segs map[string][]paramSeg
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ';' || s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
			i++
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ';' {
			i++
		}
		if i >= len(s) || s[i] == ';' {
			continue
		}
		name := strings.ToLower(strings.TrimSpace(s[start:i]))
		i++
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		var val string
		if i < len(s) && s[i] == '"' {
			i++
			var sb strings.Builder
			for i < len(s) {
				c := s[i]
				if c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					sb.WriteByte(s[i+1])
					i += 2
					continue
				}
				if c == '"' {
					i++
					break
				}
				sb.WriteByte(c)
				i++
			}
			val = sb.String()
			// Skip to the next parameter, unless one follows without ";".
			k := i
			for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
				k++
			}
			if k < len(s) && s[k] != ';' && startsParam(s[k:]) {
				i = k
			} else {
				for i < len(s) && s[i] != ';' {
					i++
				}
			}
		} else {
			start := i
			for i < len(s) && s[i] != ';' {
				i++
			}
			val = s[start:i]
			if k := paramStart(val); k > 0 {
				i = start + k
				val = val[:k]
			}
			val = strings.TrimSpace(val)
			if j := strings.LastIndex(val, " ("); j > 0 && strings.HasSuffix(val, ")") {
				val = strings.TrimSpace(val[:j])
			}
		}
		if name == "" || strings.ContainsAny(name, " \t\"") {
			continue
		}
		if star := strings.IndexByte(name, '*'); star > 0 {
			base, suffix := name[:star], name[star+1:]
			seg := paramSeg{val: val}
			switch {
			case suffix == "":
				seg.ext = true
			case strings.HasSuffix(suffix, "*"):
				seg.ext = true
				suffix = suffix[:len(suffix)-1]
				fallthrough
			default:
				n, err := strconv.Atoi(suffix)
				if err != nil || n < 0 || n > 1000 {
					continue
				}
				seg.idx = n
			}
			if segs == nil {
				segs = map[string][]paramSeg{}
			}
			if len(segs[base]) < 1000 {
				segs[base] = append(segs[base], seg)
			}
			continue
		}
		if params == nil {
			params = map[string]string{}
		}
		if _, dup := params[name]; dup {
			continue
		}
		if name == "boundary" {
			params[name] = val
			continue
		}
		params[name] = decodeHeader(val, hint, d, what)
	}
	for base, ss := range segs {
		if params == nil {
			params = map[string]string{}
		}
		params[base] = joinRFC2231(ss, d, what)
	}
	return params
}

// paramStart returns the index in s of "name=" after white space (a known
// parameter that lost its ";"), or 0 when there is none.
func paramStart(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' {
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		k := j
		for k < len(s) && isTokenChar(s[k]) {
			k++
		}
		if k > j && k < len(s) && s[k] == '=' {
			name := strings.ToLower(s[j:k])
			if knownParams[name] || strings.Contains(name, "*") {
				return j
			}
		}
		i = j - 1
	}
	return 0
}

// startsParam reports whether s begins with "name=".
func startsParam(s string) bool {
	k := 0
	for k < len(s) && isTokenChar(s[k]) {
		k++
	}
	return k > 0 && k < len(s) && s[k] == '='
}

func isTokenChar(c byte) bool {
	return c > ' ' && c < 0x7F && !strings.ContainsRune("()<>@,;:\\\"/[]?={}", rune(c))
}

// joinRFC2231 assembles RFC 2231 segments (name*0*=utf-8”%D0%9F; name*1=…).
func joinRFC2231(ss []paramSeg, d decoder, what string) string {
	sort.SliceStable(ss, func(a, b int) bool { return ss[a].idx < ss[b].idx })
	charset := ""
	var raw []byte
	last := -1
	for k, sg := range ss {
		if sg.idx == last {
			continue
		}
		last = sg.idx
		v := sg.val
		if sg.ext {
			if k == 0 {
				if a := strings.IndexByte(v, '\''); a >= 0 {
					if b := strings.IndexByte(v[a+1:], '\''); b >= 0 {
						charset = v[:a]
						v = v[a+1+b+1:]
					}
				}
			}
			raw = append(raw, percentDecode(v)...)
			continue
		}
		raw = append(raw, v...)
	}
	if strings.Contains(string(raw), "=?") {
		return decodeHeader(string(raw), charset, d, what)
	}
	return string(d.bytesToUTF8(raw, charset, what))
}

func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && isHex(s, i+1) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}
