package parse

import (
	"bytes"
	"encoding/base64"
	"strings"
)

// b64val maps base64 characters to their values; 0xFF marks anything else.
var b64val = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alpha); i++ {
		t[alpha[i]] = byte(i)
	}
	return t
}()

// sinkBuf is the chunk size decoders use when streaming into a sink.
const sinkBuf = 32 << 10

// b64run decodes base64 leniently: white space and junk are skipped, "=" ends
// a group (so concatenated encodings decode), a trailing partial group yields
// what it can. It appends to out; when emit is set, full chunks are handed to
// emit and out is reused. It returns the remaining output and the count of
// junk bytes skipped.
func b64run(src, out []byte, emit func([]byte)) ([]byte, int) {
	var q [4]byte
	n, junk := 0, 0
	for _, c := range src {
		v := b64val[c]
		if v != 0xFF {
			q[n] = v
			n++
			if n == 4 {
				out = append(out, q[0]<<2|q[1]>>4, q[1]<<4|q[2]>>2, q[2]<<6|q[3])
				n = 0
				if emit != nil && len(out)+3 > cap(out) {
					emit(out)
					out = out[:0]
				}
			}
			continue
		}
		switch c {
		case '=':
			out = b64flush(out, q, n)
			n = 0
		case ' ', '\t', '\r', '\n':
		default:
			junk++
		}
	}
	out = b64flush(out, q, n)
	if emit != nil && len(out) > 0 {
		emit(out)
		out = out[:0]
	}
	return out, junk
}

func b64flush(out []byte, q [4]byte, n int) []byte {
	switch n {
	case 2:
		out = append(out, q[0]<<2|q[1]>>4)
	case 3:
		out = append(out, q[0]<<2|q[1]>>4, q[1]<<4|q[2]>>2)
	}
	return out
}

// b64stream decodes src in chunks handed to emit, with the standard decoder
// while the input is clean and the lenient one from the first bad chunk on.
// It never holds more than one chunk of output.
func b64stream(src []byte, emit func([]byte)) {
	buf := make([]byte, sinkBuf/4*3+3)
	for len(src) > 0 {
		n := min(len(src), sinkBuf)
		if n < len(src) {
			if k := bytes.LastIndexByte(src[:n], '\n'); k > 0 {
				n = k + 1
			}
		}
		m, err := base64.StdEncoding.Decode(buf, src[:n])
		if err != nil {
			// Chunks end on whole groups, so the lenient decoder can take
			// over from here.
			b64run(src, buf[:0], emit)
			return
		}
		if m > 0 {
			emit(buf[:m])
		}
		src = src[n:]
	}
}

// decodeBase64Lenient appends the lenient decoding of src to dst.
func decodeBase64Lenient(dst, src []byte) []byte {
	out, _ := b64run(src, dst, nil)
	return out
}

// decodeBase64 decodes a base64 body into a buffer of the right size, using
// the standard decoder when the input is clean and the lenient one otherwise.
func decodeBase64(src []byte) []byte {
	dst := make([]byte, len(src)/4*3+3)
	if n, err := base64.StdEncoding.Decode(dst, src); err == nil {
		return dst[:n]
	}
	return decodeBase64Lenient(dst[:0], src)
}

// looksBase64 reports whether src plausibly is base64: little junk and no
// spaces between words, as text mislabelled base64 would have.
func looksBase64(src []byte) bool {
	sample := src
	if len(sample) > 8192 {
		sample = sample[:8192]
	}
	valid, bad := 0, 0
	for i, c := range sample {
		switch {
		case b64val[c] != 0xFF || c == '=':
			valid++
		case c == '\r' || c == '\n':
		case c == ' ' || c == '\t':
			// Trailing blanks are harmless; blanks between characters are not.
			if i+1 < len(sample) && sample[i+1] != '\r' && sample[i+1] != '\n' && sample[i+1] != ' ' && sample[i+1] != '\t' && i > 0 &&
				sample[i-1] != '\n' && sample[i-1] != ' ' && sample[i-1] != '\t' {
				bad++
			}
		default:
			bad++
		}
	}
	return valid > 0 && (bad <= 2 || bad*20 <= valid)
}

// looksLikeBareBase64 reports whether an undeclared body is in fact base64:
// several lines of equal length made only of the base64 alphabet.
func looksLikeBareBase64(src []byte) bool {
	lines, width := 0, -1
	for i := 0; i < len(src) && lines < 8; {
		line, next := nextLine(src, i)
		i = next
		if len(line) == 0 {
			continue
		}
		for _, c := range line {
			if b64val[c] == 0xFF && c != '=' {
				return false
			}
		}
		if next >= len(src) || lines == 7 {
			break // the last line may be shorter
		}
		if width >= 0 && len(line) != width {
			return false
		}
		width = len(line)
		lines++
	}
	return lines >= 3 && width >= 40
}

// qpRun decodes quoted-printable leniently: soft line breaks (also with
// trailing white space), "=XX" in either case, a lone "=" kept literally,
// white space before line breaks dropped. It appends to out; with emit set,
// full chunks go to emit.
func qpRun(src, out []byte, emit func([]byte)) []byte {
	for i := 0; i < len(src); {
		if emit != nil && len(out)+4 > cap(out) {
			emit(out)
			out = out[:0]
		}
		c := src[i]
		switch c {
		case '=':
			if i+2 < len(src) && hexVal(src[i+1]) >= 0 && hexVal(src[i+2]) >= 0 {
				out = append(out, byte(hexVal(src[i+1])<<4|hexVal(src[i+2])))
				i += 3
				continue
			}
			// Soft line break: "=" [blanks] (CRLF | LF | end).
			j := i + 1
			for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
				j++
			}
			switch {
			case j == len(src):
				i = j
				continue
			case src[j] == '\n':
				i = j + 1
				continue
			case src[j] == '\r' && j+1 < len(src) && src[j+1] == '\n':
				i = j + 2
				continue
			case src[j] == '\r':
				i = j + 1
				continue
			}
			out = append(out, '=')
			i++
		case ' ', '\t':
			// Drop white space that ends a line.
			j := i
			for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
				j++
			}
			if j == len(src) || src[j] == '\n' || src[j] == '\r' {
				i = j
				continue
			}
			out = append(out, src[i:j]...)
			i = j
		default:
			out = append(out, c)
			i++
		}
	}
	if emit != nil && len(out) > 0 {
		emit(out)
		out = out[:0]
	}
	return out
}

// decodeQP decodes a quoted-printable body.
func decodeQP(src []byte) []byte {
	return qpRun(src, make([]byte, 0, len(src)), nil)
}

// uudecode decodes the first uuencoded block ("begin MODE NAME" … "end") in
// src, returning the data and the file name from the begin line.
func uudecode(src []byte) ([]byte, string, bool) {
	i := 0
	name := ""
	found := false
	for i < len(src) {
		line, next := nextLine(src, i)
		i = next
		if bytes.HasPrefix(line, []byte("begin ")) {
			f := strings.Fields(string(line))
			if len(f) >= 3 {
				name = strings.Join(f[2:], " ")
			}
			found = true
			break
		}
	}
	if !found {
		return nil, "", false
	}
	out := make([]byte, 0, (len(src)-i)*3/4)
	for i < len(src) {
		line, next := nextLine(src, i)
		i = next
		if bytes.Equal(bytes.TrimSpace(line), []byte("end")) {
			break
		}
		if len(line) == 0 {
			continue
		}
		n := int((line[0] - ' ') & 63)
		if n == 0 {
			continue
		}
		data := line[1:]
		var got []byte
		for j := 0; j < len(data) && len(got) < n; j += 4 {
			var q [4]byte
			for k := 0; k < 4; k++ {
				if j+k < len(data) {
					q[k] = (data[j+k] - ' ') & 63
				}
			}
			got = append(got, q[0]<<2|q[1]>>4, q[1]<<4|q[2]>>2, q[2]<<6|q[3])
		}
		if len(got) > n {
			got = got[:n]
		}
		out = append(out, got...)
	}
	return out, name, true
}
