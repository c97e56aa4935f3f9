package content

import "github.com/otklik/otklik/internal/identity"

// Person is a citizen who writes to support. Name is the ФИО «Фамилия Имя
// Отчество» (sometimes without the patronymic, empty for an anonymous chat
// user); Email is lower-case ASCII; Phone is a Russian mobile number in
// E.164 form; SNILS is formatted «XXX-XXX-XXX YY»; INN has 12 digits. Any
// of Email, Phone, SNILS and INN may be empty, but a person always has an
// e-mail address or a phone number.
type Person struct {
	Name, Email, Phone, SNILS, INN string
}

// personOpts says what a request's channel requires of its requester.
type personOpts struct {
	anonymousPercent int
	needEmail        bool
	needPhone        bool
}

// mobileCodes are the 9xx codes of Russian mobile operators.
var mobileCodes = []string{
	"900", "901", "902", "903", "904", "905", "906", "908", "909", "910", "911", "912", "913", "914",
	"915", "916", "917", "918", "919", "920", "921", "922", "923", "924", "925", "926", "927", "928",
	"929", "930", "931", "932", "933", "934", "936", "937", "938", "939", "950", "951", "952", "953",
	"958", "960", "961", "962", "963", "964", "965", "966", "967", "968", "969", "977", "978", "980",
	"981", "982", "983", "984", "985", "986", "987", "988", "989", "991", "992", "993", "994", "995",
	"996", "997", "999",
}

var emailDomains = newWeighted(
	[]string{"mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru", "list.ru", "rambler.ru", "ya.ru",
		"example-org.ru", "internet.ru", "icloud.com"},
	[]int{28, 22, 14, 7, 6, 5, 5, 5, 4, 2, 2},
)

var nicknames = []string{
	"lisenok", "solnyshko", "tigra", "kotik", "zvezda", "malinka", "romashka", "vasilek", "snezhok",
	"ryzhik", "bars", "sokol", "pchelka", "lastochka", "dreamer", "sunny", "volk", "medved", "bel4onok",
	"kapitan", "master", "rybak", "dachnik", "babushka", "dedushka",
}

// regionCodes start a personal ИНН (the tax region that issued it).
var regionCodes = []string{
	"77", "77", "50", "50", "78", "47", "66", "16", "02", "54", "23", "61", "63", "52", "74", "24",
	"59", "36", "34", "64", "72", "18", "22", "38", "27", "25", "76", "70", "56", "42", "62", "69",
	"39", "51", "29", "11", "10", "21", "14", "05", "20",
}

// person is a Person with what the templates need to agree with it.
type person struct {
	Person
	female      bool
	first, patr string
}

// Person returns a random citizen.
func (g *Generator) Person() Person {
	return g.person(personOpts{anonymousPercent: 2}).Person
}

// person makes a random citizen that satisfies o.
func (g *Generator) person(o personOpts) person {
	var p person
	r := &g.r
	p.female = r.chance(55)
	si := r.intn(len(surnames))
	var surname, surLat, firstLat string
	if p.female {
		fi := r.intn(len(femaleNames))
		surname, surLat = surnameF[si], surnameLatF[si]
		p.first, firstLat = femaleNames[fi], femaleLat[fi]
	} else {
		fi := r.intn(len(maleNames))
		surname, surLat = surnames[si], surnameLatM[si]
		p.first, firstLat = maleNames[fi].name, maleLat[fi]
	}
	var patrLat string
	if r.chance(88) {
		pi := patrIndex[r.intn(len(patrIndex))]
		if p.female {
			p.patr = maleNames[pi].patrF
		} else {
			p.patr = maleNames[pi].patrM
		}
		patrLat = maleLat[pi][:1]
	}
	anonymous := r.chance(o.anonymousPercent)
	if !anonymous {
		if p.patr != "" {
			p.Name = surname + " " + p.first + " " + p.patr
		} else {
			p.Name = surname + " " + p.first
		}
	}
	hasEmail := o.needEmail || r.chance(90)
	hasPhone := o.needPhone || r.chance(72)
	if !hasEmail && !hasPhone {
		hasEmail = true
	}
	if hasEmail {
		p.Email = g.email(surLat, firstLat, patrLat)
	}
	if hasPhone {
		p.Phone = g.phone()
	}
	if r.chance(25) {
		p.SNILS = g.snils()
	}
	if r.chance(10) {
		p.INN = g.inn()
	}
	if anonymous {
		// An anonymous chat user is addressed without a name.
		p.first, p.patr = "", ""
	}
	return p
}

// email makes an address from the transliterated surname, first name and
// patronymic initial, in one of the ways people really choose them.
func (g *Generator) email(sur, first, patr string) string {
	r := &g.r
	f := first[:1]
	year := r.between(1952, 2006)
	var buf [64]byte
	b := buf[:0]
	switch r.intn(11) {
	case 0:
		b = append(append(append(b, sur...), '.'), f...)
		b = appendInt(b, year)
	case 1:
		b = append(append(append(b, f...), '.'), sur...)
	case 2:
		b = append(append(append(b, first...), '_'), sur...)
		b = appendInt2(b, year%100)
	case 3:
		b = append(append(append(b, first...), '.'), sur...)
	case 4:
		b = append(append(append(b, sur...), f...), patr...)
	case 5:
		b = append(append(append(append(b, sur...), '-'), f...), patr...)
		b = appendInt2(b, year%100)
	case 6:
		b = append(b, first...)
		b = appendInt(b, year)
	case 7:
		b = append(append(b, pick(r, nicknames)...), '_')
		b = appendInt(b, r.between(1, 9999))
	case 8:
		b = append(b, sur...)
		b = appendInt(b, year)
	case 9:
		b = append(append(append(b, f...), patr...), sur...)
		b = appendInt(b, r.between(1, 99))
	default:
		b = append(append(append(b, sur...), '.'), first...)
		b = appendInt(b, r.between(1, 999))
	}
	b = append(b, '@')
	b = append(b, emailDomains.pick(r)...)
	return string(b)
}

// phone returns a Russian mobile number in E.164 form.
func (g *Generator) phone() string {
	var b [12]byte
	copy(b[:], "+7")
	copy(b[2:], pick(&g.r, mobileCodes))
	for i := 5; i < 12; i++ {
		b[i] = byte('0' + g.r.intn(10))
	}
	return string(b[:])
}

// snils returns a valid СНИЛС in display form. Numbers start above
// 001-001-998, where the check number is enforced.
func (g *Generator) snils() string {
	var b [9]byte
	n := 1001999 + g.r.intn(999999999-1001999+1)
	for i := 8; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	s, err := identity.NewSNILS(string(b[:]))
	if err != nil {
		return ""
	}
	return s.String()
}

// inn returns a valid 12-digit personal ИНН.
func (g *Generator) inn() string {
	var b [10]byte
	copy(b[:], pick(&g.r, regionCodes))
	inspection := g.r.between(1, 51)
	b[2], b[3] = byte('0'+inspection/10), byte('0'+inspection%10)
	for i := 4; i < 10; i++ {
		b[i] = byte('0' + g.r.intn(10))
	}
	s, err := identity.NewINN12(string(b[:]))
	if err != nil {
		return ""
	}
	return string(s)
}

// displayPhone formats "+79161234567" as "+7 (916) 123-45-67".
func displayPhone(e164 string) string {
	if len(e164) != 12 {
		return e164
	}
	b := make([]byte, 0, 18)
	b = append(b, "+7 ("...)
	b = append(b, e164[2:5]...)
	b = append(b, ") "...)
	b = append(b, e164[5:8]...)
	b = append(b, '-')
	b = append(b, e164[8:10]...)
	b = append(b, '-')
	b = append(b, e164[10:12]...)
	return string(b)
}

// appendInt appends the decimal form of a non-negative n.
func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

// appendInt2 appends n (0–99) as two digits.
func appendInt2(b []byte, n int) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}
