package parse

import (
	"reflect"
	"testing"
	"time"
)

func TestDecodeHeader(t *testing.T) {
	tests := []struct {
		name, in, hint, want string
	}{
		{"plain", "Hello", "", "Hello"},
		{"koi8-r B", "=?koi8-r?B?8NLJ18XU?=", "", "Привет"},
		{"windows-1251 Q", "=?windows-1251?Q?=CF=F0=E8=E2=E5=F2_=EC=E8=F0?=", "", "Привет мир"},
		{"lower-case encoding", "=?utf-8?q?caf=C3=A9?=", "", "café"},
		{"adjacent words join", "=?utf-8?B?0J/RgNC4?= =?utf-8?B?0LLQtdGC?=", "", "Привет"},
		{"character split across words", "=?UTF-8?B?0J/R?=\r\n =?UTF-8?B?gNC40LLQtdGC?=", "", "Привет"},
		{"space kept between word and text", "=?utf-8?q?a?= b =?utf-8?q?c?=", "", "a b c"},
		{"different charsets", "=?koi8-r?B?8NLJ18XU?= =?iso-8859-1?Q?J=F6rg?=", "", "ПриветJörg"},
		{"language suffix", "=?utf-8*ru?B?0JTQsA==?=", "", "Да"},
		{"iso-8859-5", "=?ISO-8859-5?Q?=BF=D5=E2=E0?=", "", "Петр"},
		{"missing padding", "=?utf-8?B?0JTQsA?=", "", "Да"},
		{"unclosed word", "=?utf-8?B?0J/RgNC40LLQtdGC", "", "Привет"},
		{"malformed word kept", "=?utf-8?X?abc?= x", "", "=?utf-8?X?abc?= x"},
		{"empty charset kept", "=??B?abc?=", "", "=??B?abc?="},
		{"space inside Q text", "=?utf-8?Q?Hello World?=", "", "Hello World"},
		{"word glued to text", "Re:=?utf-8?B?0JTQsA==?=", "", "Re:Да"},
		{"unknown charset", "=?x-unknown?B?0JTQsA==?=", "", "Да"},
		{"utf-7", "=?unicode-1-1-utf-7?Q?+ANw-bermittlung?=", "", "Übermittlung"},
		{"raw utf-8", "Привет", "", "Привет"},
		{"raw windows-1251 guessed", toCP1251("Вопрос по оплате"), "", "Вопрос по оплате"},
		{"raw 8-bit with hint", "\xf0\xd2\xc9\xd7\xc5\xd4", "koi8-r", "Привет"},
		{"raw latin-1", "J\xf6rg M\xfcller", "", "Jörg Müller"},
		{"raw gb2312", "\xc4\xe3\xba\xc3\xca\xc0\xbd\xe7", "", "你好世界"},
		{"raw shift_jis with Japanese hint", "\x83\x63\x81\x5b\x83\x8b", "iso-2022-jp", "ツール"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sanitizeLine(decodeHeader(tt.in, tt.hint, decoder{}, "Subject"))
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseAddressList(t *testing.T) {
	tests := []struct {
		name, in string
		want     []Address
	}{
		{"bare", "ann@example.com", []Address{{"", "ann@example.com"}}},
		{"domain lower-cased", "Ann.Lee@EXAMPLE.Com", []Address{{"", "Ann.Lee@example.com"}}},
		{"name and angle", "Ann Lee <ann@example.com>", []Address{{"Ann Lee", "ann@example.com"}}},
		{"quoted name with comma", `"Lee, Ann" <ann@example.com>, bob@example.com`,
			[]Address{{"Lee, Ann", "ann@example.com"}, {"", "bob@example.com"}}},
		{"comment name", "ann@example.com (Ann Lee)", []Address{{"Ann Lee", "ann@example.com"}}},
		{"encoded name", "=?utf-8?B?0JjQstCw0L0=?= <ivan@example.ru>", []Address{{"Иван", "ivan@example.ru"}}},
		{"encoded name in quotes", `"=?koi8-r?B?6dfBzg==?=" <ivan@example.ru>`, []Address{{"Иван", "ivan@example.ru"}}},
		{"encoded word with comma", "=?utf-8?Q?Lee,_Ann?= <ann@example.com>", []Address{{"Lee, Ann", "ann@example.com"}}},
		{"raw 8-bit name", toCP1251("Иван") + " <ivan@example.ru>", []Address{{"Иван", "ivan@example.ru"}}},
		{"group", "Team: ann@example.com, bob@example.com;", []Address{{"", "ann@example.com"}, {"", "bob@example.com"}}},
		{"empty group", "undisclosed-recipients:;", nil},
		{"semicolon separator", "ann@example.com; bob@example.com", []Address{{"", "ann@example.com"}, {"", "bob@example.com"}}},
		{"missing closing bracket", "Ann <ann@example.com", []Address{{"Ann", "ann@example.com"}}},
		{"address in comment", "Namedyński (hans@example.com)", []Address{{"Namedyński", "hans@example.com"}}},
		{"name without brackets", "Test test@example.com", []Address{{"Test", "test@example.com"}}},
		{"quoted local part", `"john smith"@example.com`, []Address{{"", `"john smith"@example.com`}}},
		{"empty angle", `"Me" <>`, nil},
		{"mailto", "<mailto:ann@example.com>", []Address{{"", "ann@example.com"}}},
		{"local only", "MAILER-DAEMON", []Address{{"", "MAILER-DAEMON"}}},
		{"junk", "[??????]", nil},
		{"name equal to address dropped", "ann@example.com <ann@example.com>", []Address{{"", "ann@example.com"}}},
		{"single quotes around name", "'Ann Lee' <ann@example.com>", []Address{{"Ann Lee", "ann@example.com"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseAddressList(tt.in, "", decoder{}, "To")
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseMediaHeader(t *testing.T) {
	tests := []struct {
		name, in string
		typ      string
		params   map[string]string
	}{
		{"simple", "text/plain; charset=utf-8", "text/plain", map[string]string{"charset": "utf-8"}},
		{"case and spaces", " Text/HTML ;\tCharset = \"KOI8-R\" ", "text/html", map[string]string{"charset": "KOI8-R"}},
		{"missing semicolon", "text/plain charset=utf-8", "text/plain", map[string]string{"charset": "utf-8"}},
		{"boundary kept verbatim", `multipart/mixed; boundary="=?not-a-word?="`, "multipart/mixed",
			map[string]string{"boundary": "=?not-a-word?="}},
		{"RFC 2231 UTF-8", "attachment; filename*=UTF-8''%D0%97%D0%B0%D1%8F%D0%B2%D0%BA%D0%B0.pdf", "attachment",
			map[string]string{"filename": "Заявка.pdf"}},
		{"RFC 2231 continuations", "attachment; filename*0*=windows-1251''%C7%E0; filename*1*=%FF%E2; filename*2=ka.doc",
			"attachment", map[string]string{"filename": "Заявka.doc"}},
		{"RFC 2231 wins over plain", `attachment; filename="fallback.pdf"; filename*=utf-8'ru'%D0%90.pdf`, "attachment",
			map[string]string{"filename": "А.pdf"}},
		{"RFC 2047 in a parameter", `application/pdf; name="=?koi8-r?B?6dfBzg==?=.pdf"`, "application/pdf",
			map[string]string{"name": "Иван.pdf"}},
		{"raw UTF-8 name", `attachment; filename="Справка.pdf"`, "attachment", map[string]string{"filename": "Справка.pdf"}},
		{"unquoted with spaces", "attachment; filename=my file.pdf", "attachment", map[string]string{"filename": "my file.pdf"}},
		{"unclosed quote", `attachment; filename="abc.pdf`, "attachment", map[string]string{"filename": "abc.pdf"}},
		{"windows path", `attachment; filename="C:\dir\a.pdf"`, "attachment", map[string]string{"filename": `C:\dir\a.pdf`}},
		{"duplicate keeps first", "text/plain; charset=utf-8; charset=koi8-r", "text/plain", map[string]string{"charset": "utf-8"}},
		{"empty", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, params := parseMediaHeader(tt.in, "", decoder{}, "Content-Type")
			if typ != tt.typ {
				t.Errorf("type: got %q, want %q", typ, tt.typ)
			}
			if !reflect.DeepEqual(params, tt.params) {
				t.Errorf("params: got %q, want %q", params, tt.params)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	msk := time.FixedZone("", 3*3600)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"Mon, 15 Jan 2024 10:30:00 +0300", time.Date(2024, 1, 15, 10, 30, 0, 0, msk)},
		{"Mon, 15 Jan 2024 10:30:00 +0300 (MSK)", time.Date(2024, 1, 15, 10, 30, 0, 0, msk)},
		{"15 Jan 2024 10:30:00 MSK", time.Date(2024, 1, 15, 10, 30, 0, 0, msk)},
		{"Mon, 15 Jan 2024 10:30 +0300", time.Date(2024, 1, 15, 10, 30, 0, 0, msk)},
		{"Mon, 15 Jan 24 10:30:00 +0300", time.Date(2024, 1, 15, 10, 30, 0, 0, msk)},
		{"Mon, 15 Jan 2024 07:30:00 GMT", time.Date(2024, 1, 15, 7, 30, 0, 0, time.UTC)},
		{"Mon, 15 Jan 2024 10:30:00 +03:00", time.Date(2024, 1, 15, 10, 30, 0, 0, msk)},
		{"2024-01-15T10:30:00+03:00", time.Date(2024, 1, 15, 10, 30, 0, 0, msk)},
		{"15.01.2024 10:30:00 +0300", time.Date(2024, 1, 15, 10, 30, 0, 0, msk)},
		{"Thu 29 Apr 2010 23:34:45 +0900", time.Date(2010, 4, 29, 23, 34, 45, 0, time.FixedZone("", 9*3600))},
		{"Thursday, April 09, 2003 9:00 AM", time.Date(2003, 4, 9, 9, 0, 0, 0, time.UTC)},
		{"yesterday", time.Time{}},
		{"", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, _ := parseDate(tt.in)
			if !got.Equal(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseMessageIDs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"<a@b>", []string{"a@b"}},
		{"<a@b> <c@d>\t<a@b>", []string{"a@b", "c@d"}},
		{"<a@b>,<c@d>", []string{"a@b", "c@d"}},
		{"a@b", []string{"a@b"}},
		{"<a@b> (comment)", []string{"a@b"}},
		{"<>", nil},
		{"no id here", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := parseMessageIDs(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestGuessCharset(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"utf-8", "Привет", "utf-8"},
		{"windows-1251", toCP1251("Прошу помочь с регистрацией на портале"), "windows-1251"},
		{"koi8-r", "\xf0\xd2\xcf\xdb\xd5 \xd0\xcf\xcd\xcf\xde\xd8 \xd3 \xd2\xc5\xc7\xc9\xd3\xd4\xd2\xc1\xc3\xc9\xc5\xca", "koi8-r"},
		{"cp866", "\x8f\xe0\xae\xe8\xe3 \xaf\xae\xac\xae\xe7\xec \xe1 \xe0\xa5\xa3\xa8\xe1\xe2\xe0\xa0\xe6\xa8\xa5\xa9", "ibm866"},
		{"latin-1 umlauts together", "aa\xe4\xf6\xfc\xdfad asd", "iso-8859-1"},
		{"latin-1 isolated", "Gr\xfc\xdfe aus K\xf6ln", "iso-8859-1"},
		{"gbk", "\xd7\xaa\xb7\xa2\xa3\xba\xd5\xfb\xcc\xe5\xcc\xe1\xc9\xfd", "gbk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := guessCharset([]byte(tt.in), ""); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
