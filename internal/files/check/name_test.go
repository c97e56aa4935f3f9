package check_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/otklik/otklik/internal/files/check"
	"golang.org/x/text/unicode/norm"
)

func TestSafeName(t *testing.T) {
	long := strings.Repeat("заявление ", 512) + ".pdf" // 5 KB
	tests := []struct {
		name string
		k    check.Kind
		want string
	}{
		{"заявление.pdf", check.PDF, "заявление.pdf"},
		{"résumé.PDF", check.PDF, "résumé.PDF"},
		{"Скан паспорта.JPEG", check.JPEG, "Скан паспорта.JPEG"},
		{"photo.jpg", check.JPEG, "photo.jpg"},
		{"photo.png", check.JPEG, "photo.png.jpg"},
		{"../../etc/passwd", check.PDF, "passwd.pdf"},
		{`..\..\boot.ini`, check.PDF, "boot.ini.pdf"},
		{`C:\Users\Иван\Desktop\справка.docx`, check.DOCX, "справка.docx"},
		{"dir/", check.PDF, "file.pdf"},
		{"virus.exe", check.PDF, "virus.exe.pdf"},
		{"report.pdf.exe", check.PDF, "report.pdf.exe.pdf"},
		{"CON.pdf", check.PDF, "_CON.pdf"},
		{"con", check.PDF, "_con.pdf"},
		{"Aux.tar.gz", check.PDF, "_Aux.tar.gz.pdf"},
		{"nul .pdf", check.PDF, "_nul.pdf"},
		{"COM1.docx", check.DOCX, "_COM1.docx"},
		{"lpt9.xlsx", check.XLSX, "_lpt9.xlsx"},
		{"COM10.pdf", check.PDF, "COM10.pdf"},
		// A device name at full length: the prefix keeps the name within MaxNameBytes.
		{"CON." + strings.Repeat("d", 300), check.PDF, "_CON." + strings.Repeat("d", check.MaxNameBytes-9) + ".pdf"},
		{"CONSOLE.pdf", check.PDF, "CONSOLE.pdf"},
		{"", check.PDF, "file.pdf"},
		{".pdf", check.PDF, "file.pdf"},
		{"...", check.PNG, "file.png"},
		{" . .pdf . ", check.PDF, "file.pdf"},
		{".hidden.pdf", check.PDF, "hidden.pdf"},
		{"name.pdf.", check.PDF, "name.pdf"},
		{"photo\u202Egpj.exe", check.JPEG, "photogpj.exe.jpg"},
		{"\u202Egpj.exe", check.JPEG, "gpj.exe.jpg"},
		{"a\u200Bb\u200Dc\uFEFF\u2066d\u2069\u00AD.pdf", check.PDF, "abcd.pdf"},
		{"e\u200B\u0301.pdf", check.PDF, "é.pdf"},
		{"e\u0301.pdf", check.PDF, "é.pdf"},
		{"a\x00b\nc\r\n.pdf", check.PDF, "ab c.pdf"},
		{"line\u2028break.pdf", check.PDF, "line break.pdf"},
		{"\x1b[31mred.pdf", check.PDF, "[31mred.pdf"},
		{`a<b>c:d"e|f?g*h.pdf`, check.PDF, "a_b_c_d_e_f_g_h.pdf"},
		{"bad\xff\xfeutf8.pdf", check.PDF, "bad_utf8.pdf"},
		{"file.PdF", check.PDF, "file.PdF"},
		{"name", "", "name"},
		{"", "", "file"},
	}
	for _, tc := range tests {
		if got := check.SafeName(tc.name, tc.k); got != tc.want {
			t.Errorf("SafeName(%q, %q): got %q, want %q", tc.name, tc.k, got, tc.want)
		}
	}

	got := check.SafeName(long, check.PDF)
	if len(got) > check.MaxNameBytes || !strings.HasSuffix(got, ".pdf") || !utf8.ValidString(got) ||
		!strings.HasPrefix(got, "заявление заявление") || strings.HasSuffix(got, " .pdf") {
		t.Errorf("SafeName(5 KB name): got %q (%d bytes)", got, len(got))
	}
	// A cut keeps accents with their letters.
	accents := strings.Repeat("x", 190) + strings.Repeat("e\u0301\u0302", 20) + ".pdf"
	if got := check.SafeName(accents, check.PDF); len(got) > check.MaxNameBytes || !norm.NFC.IsNormalString(got) ||
		strings.HasSuffix(strings.TrimSuffix(got, ".pdf"), "e") {
		t.Errorf("SafeName(accents): got %q (%d bytes)", got, len(got))
	}
}

// reserved are the Windows device names.
var reserved = map[string]bool{}

func init() {
	for _, n := range []string{"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "COM¹", "COM²", "COM³", "LPT¹", "LPT²", "LPT³"} {
		reserved[n] = true
	}
	for i := '0'; i <= '9'; i++ {
		reserved["COM"+string(i)] = true
		reserved["LPT"+string(i)] = true
	}
}

// checkSafe reports what is wrong with a name SafeName returned for kind k.
func checkSafe(t *testing.T, in, got string, k check.Kind) {
	t.Helper()
	if !utf8.ValidString(got) {
		t.Errorf("SafeName(%q) = %q: invalid UTF-8", in, got)
	}
	if len(got) > check.MaxNameBytes || got == "" {
		t.Errorf("SafeName(%q) = %q: %d bytes", in, got, len(got))
	}
	for _, r := range got {
		if r == '/' || r == '\\' || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || strings.ContainsRune(`<>:"|?*`, r) {
			t.Errorf("SafeName(%q) = %q: has %U", in, got, r)
		}
	}
	stem, _, _ := strings.Cut(got, ".")
	if reserved[strings.ToUpper(strings.TrimRight(stem, " "))] {
		t.Errorf("SafeName(%q) = %q: a Windows device name", in, got)
	}
	if strings.TrimFunc(got, func(r rune) bool { return r == '.' || unicode.IsSpace(r) }) != got {
		t.Errorf("SafeName(%q) = %q: dots or spaces at an end", in, got)
	}
	ok := false
	for _, ext := range map[check.Kind][]string{
		check.PDF: {".pdf"}, check.DOCX: {".docx"}, check.XLSX: {".xlsx"},
		check.JPEG: {".jpg", ".jpeg", ".jpe", ".jfif"}, check.PNG: {".png"},
	}[k] {
		ok = ok || len(got) > len(ext) && strings.EqualFold(got[len(got)-len(ext):], ext)
	}
	if !ok {
		t.Errorf("SafeName(%q, %q) = %q: not the kind's extension", in, k, got)
	}
	if again := check.SafeName(got, k); again != got {
		t.Errorf("SafeName(%q) = %q, but SafeName(%q) = %q", in, got, got, again)
	}
}

// FuzzSafeName checks the properties of SafeName on arbitrary names: valid UTF-8, no separators,
// controls, bidi or Windows-reserved characters, at most MaxNameBytes, not a device name, no dots or
// spaces at the ends, the kind's extension, and stable when applied again.
func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"", "a.pdf", "../../etc/passwd", `..\..\boot.ini`, "CON.pdf", "\u202Egpj.exe",
		"résumé.PDF", "a\x00b\nc", strings.Repeat("я", 300) + ".pdf", "e\u0301\u0302\u0303.pdf", "COM¹", ".", " ", "\xff"} {
		f.Add(s, uint8(0))
	}
	kinds := []check.Kind{check.PDF, check.DOCX, check.XLSX, check.JPEG, check.PNG}
	f.Fuzz(func(t *testing.T, name string, ki uint8) {
		k := kinds[int(ki)%len(kinds)]
		checkSafe(t, name, check.SafeName(name, k), k)
	})
}
