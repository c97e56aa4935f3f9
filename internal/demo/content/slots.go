package content

// slot names a value that a request's templates share: once chosen, the
// service, the statement number or the error text is the same in the
// subject, the body and every reply.
type slot uint8

const (
	slotSvc       slot = iota // a portal service, «Замена паспорта РФ»
	slotAg                    // the competent body, nominative
	slotAgTo                  // «в МВД России»
	slotAgFrom                // «из МВД России»
	slotNum                   // a 10-digit statement number
	slotDate                  // «12 марта»
	slotDeadline              // a later date, «18 марта»
	slotTime                  // «14:35»
	slotDays                  // a duration, «три дня», «неделю»
	slotErr                   // an error or status text
	slotBrowser               // «Google Chrome 131»
	slotOS                    // a desktop system, «Windows 10»
	slotDevice                // a phone model
	slotMOS                   // the phone's system, consistent with slotDevice
	slotStore                 // the phone's app store
	slotAppver                // the mobile app's version
	slotWhere                 // a town with «в»
	slotDoc                   // a document, accusative
	slotExt                   // PDF, JPG or PNG
	slotFname                 // a file name with the extension slotExt
	slotSize                  // «12,4 МБ»
	slotCaller                // a fraudster's phone number
	slotCallerWho             // who the fraudster claimed to be, instrumental
	slotPretext               // what the fraudster offered
	slotPhish                 // a phishing site
	slotAmount                // a sum of money
	slotPay                   // a payment, accusative
	slotPayg                  // the payment, genitive
	slotBank                  // a bank's name
	slotUIN                   // a 20-digit payment identifier (УИН)
	slotCert                  // a signature token
	slotVIN                   // a vehicle identification number
	slotCad                   // a cadastral number
	slotSignStaff             // staff signature, the same in every reply
	slotEmail                 // the requester's e-mail address
	slotPhone                 // the requester's phone, «+7 (916) 123-45-67»
	slotSNILS                 // the requester's СНИЛС, may be empty
	slotIP                    // an IP address for internal notes
	slotInc                   // an incident number, «INC-204817»
	slotCheck                 // what staff are checking, from the category
	slotDoctor                // a doctor, dative
	slotProvider              // an internet provider or mobile operator
	numSlots
)

// A slot set is a uint64 bit mask, so there may be at most 64 slots.
var _ [64 - numSlots]struct{}

// identitySlots name what a request is about. A subject, an internal note
// or a staff acknowledgement may use them only when the first message
// already did, so that they never talk about something else.
const identitySlots uint64 = 1<<slotSvc | 1<<slotErr | 1<<slotNum | 1<<slotDevice | 1<<slotCaller |
	1<<slotPhish | 1<<slotDoc | 1<<slotFname

// slotNames are the names templates use, indexed by slot.
var slotNames = [numSlots]string{
	"svc", "ag", "ag_to", "ag_from", "num", "date", "deadline", "time", "days", "err", "browser", "os",
	"device", "mos", "store", "appver", "where", "doc", "ext", "fname", "size", "caller", "caller_who",
	"pretext", "phish", "amount", "pay", "payg", "bank", "uin", "cert", "vin", "cad",
	"sign_staff", "email", "phone", "snils", "ip", "inc", "check", "doctor", "provider",
}

// slotByName maps a template's slot name to its slot.
var slotByName = func() map[string]slot {
	m := make(map[string]slot, numSlots)
	for i, n := range slotNames {
		if n == "" {
			panic("content: unnamed slot")
		}
		m[n] = slot(i)
	}
	return m
}()

// genericErrors fill {err} when neither the topic nor the category has its own.
var genericErrors = []string{"Ошибка 500", "Что-то пошло не так. Попробуйте позже", "Сервис временно недоступен"}

// slot returns the value of s for the current request, choosing it on first use.
func (g *Generator) slot(s slot) string {
	if g.set&(1<<s) != 0 {
		return g.vals[s]
	}
	v := g.compute(s)
	g.set |= 1 << s
	g.vals[s] = v
	return v
}

// fits reports whether t names nothing that the request has not named yet.
func (g *Generator) fits(t tmpl) bool {
	return t.mask&identitySlots&^g.set == 0
}

// pickFit returns a random template of list that fits the request, or the
// zero template when none does.
func (g *Generator) pickFit(list []tmpl) tmpl {
	if len(list) == 0 {
		return tmpl{}
	}
	start := g.r.intn(len(list))
	for i := range list {
		if t := list[(start+i)%len(list)]; g.fits(t) {
			return t
		}
	}
	return tmpl{}
}

// pin fixes the item behind s (a service or a payment) to index i.
func (g *Generator) pin(s slot, i int) {
	switch s {
	case slotSvc:
		g.svc = i
		g.set &^= 1<<slotSvc | 1<<slotAg | 1<<slotAgTo | 1<<slotAgFrom
	case slotPay:
		g.pay = i
		g.set &^= 1<<slotPay | 1<<slotPayg | 1<<slotAmount | 1<<slotUIN | 1<<slotAg | 1<<slotAgTo | 1<<slotAgFrom
	}
}

// service returns the request's service, choosing one on first use; the
// first ten, the most requested, come up more often.
func (g *Generator) service() *service {
	if g.svc < 0 {
		if g.r.chance(50) {
			g.svc = g.r.intn(10)
		} else {
			g.svc = g.r.intn(len(services))
		}
	}
	return &services[g.svc]
}

// payment returns the request's payment, choosing one on first use.
func (g *Generator) payment() *payItem {
	if g.pay < 0 {
		g.pay = g.r.intn(len(payItems))
	}
	return &payItems[g.pay]
}

// device returns the request's phone, choosing one on first use.
func (g *Generator) device() *device {
	if g.dev < 0 {
		g.dev = g.r.intn(len(devices))
	}
	return &devices[g.dev]
}

// agency returns the body competent for the request: the topic's, the
// category's, the payment's or the service's.
func (g *Generator) agency() *agency {
	switch {
	case g.top != nil && g.top.ag != nil:
		return g.top.ag
	case g.cat.ag != nil:
		return g.cat.ag
	case g.cat.code == "payments":
		return g.payment().ag
	}
	return g.service().ag
}

// compute chooses a value for s.
func (g *Generator) compute(s slot) string {
	r := &g.r
	switch s {
	case slotSvc:
		return g.service().name
	case slotAg:
		return g.agency().name
	case slotAgTo:
		return g.agency().to
	case slotAgFrom:
		return g.agency().from
	case slotNum:
		return g.digits(byte('1'+r.intn(9)), 10)
	case slotDate, slotDeadline:
		return pick(r, dates)
	case slotTime:
		return pick(r, times)
	case slotDays:
		return pick(r, durations)
	case slotErr:
		switch {
		case g.top != nil && len(g.top.errs) > 0:
			return pick(r, g.top.errs)
		case len(g.cat.errs) > 0:
			return pick(r, g.cat.errs)
		}
		return pick(r, genericErrors)
	case slotBrowser:
		return pick(r, browsers)
	case slotOS:
		return pick(r, desktopOS)
	case slotDevice:
		return g.device().model
	case slotMOS:
		return g.device().os
	case slotStore:
		if st := g.device().store; st != "" {
			return st
		}
		if r.chance(60) {
			return "Google Play"
		}
		return "RuStore"
	case slotAppver:
		return pick(r, appVersions)
	case slotWhere:
		return pick(r, places)
	case slotDoc:
		return pick(r, documentsAcc)
	case slotExt:
		switch x := r.intn(20); {
		case x < 10:
			return "PDF"
		case x < 17:
			return "JPG"
		}
		return "PNG"
	case slotFname:
		return g.fileName()
	case slotSize:
		return pick(r, fileSizes)
	case slotCaller:
		b := append(make([]byte, 0, 20), "+7 ("...)
		b = append(b, pick(r, cityCodes)...)
		b = append(b, ") "...)
		b = appendInt(b, r.between(100, 999))
		b = append(b, '-')
		b = appendInt2(b, r.intn(100))
		b = append(b, '-')
		return string(appendInt2(b, r.intn(100)))
	case slotCallerWho:
		return pick(r, callerWho)
	case slotPretext:
		return pick(r, pretexts)
	case slotPhish:
		return pick(r, phishing)
	case slotAmount:
		if p := g.payment(); len(p.amounts) > 0 {
			return pick(r, p.amounts)
		}
		return rubles(r.between(300, 38000))
	case slotPay:
		return g.payment().acc
	case slotPayg:
		return g.payment().gen
	case slotBank:
		return pick(r, banks)
	case slotUIN:
		p := g.payment().uin
		return p + g.digits(byte('0'+r.intn(10)), 20-len(p))
	case slotCert:
		return pick(r, certs)
	case slotVIN:
		b := append(make([]byte, 0, 17), pick(r, vinMakers)...)
		for len(b) < 9 {
			b = append(b, vinChars[r.intn(len(vinChars))])
		}
		for len(b) < 17 {
			b = append(b, byte('0'+r.intn(10)))
		}
		return string(b)
	case slotCad:
		b := append(make([]byte, 0, 20), pick(r, cadRegions)...)
		b = append(b, ':')
		b = appendInt2(b, r.between(1, 40))
		b = append(b, ':')
		for range 7 {
			b = append(b, byte('0'+r.intn(10)))
		}
		b = append(b, ':')
		return string(appendInt(b, r.between(1, 4999)))
	case slotSignStaff:
		return g.staffSignature()
	case slotEmail:
		if g.p.Email != "" {
			return g.p.Email
		}
		return g.email(pick(r, surnameLatM), pick(r, maleLat), "")
	case slotPhone:
		if g.p.Phone != "" {
			return displayPhone(g.p.Phone)
		}
		return displayPhone(g.phone())
	case slotSNILS:
		return g.p.SNILS
	case slotIP:
		b := appendInt(make([]byte, 0, 15), pick(r, ipFirstOctets))
		for i := range 3 {
			b = append(b, '.')
			if i == 2 {
				b = appendInt(b, r.between(1, 254))
			} else {
				b = appendInt(b, r.intn(256))
			}
		}
		return string(b)
	case slotInc:
		return "INC-" + g.digits(byte('1'+r.intn(9)), 6)
	case slotCheck:
		if !g.fits(g.cat.check) {
			return "описанную вами ситуацию"
		}
		// A fresh buffer: the caller may be rendering into g.tmp.
		return string(g.render(nil, g.cat.check))
	case slotDoctor:
		return pick(r, doctors)
	case slotProvider:
		return pick(r, providers)
	}
	panic("content: slot without a value")
}

// Values prepared once so that filling a slot allocates nothing.
var (
	dates       []string // «1 января» … «28 декабря»
	times       []string // «07:00» … «23:59»
	appVersions []string // «4.30.0» … «4.52.6»
	fileSizes   []string // «2,0 МБ» … «24,9 МБ»
)

func init() {
	for _, m := range monthsGen {
		for d := 1; d <= 28; d++ {
			dates = append(dates, string(appendInt(nil, d))+" "+m)
		}
	}
	for h := 7; h <= 23; h++ {
		for m := 0; m < 60; m++ {
			times = append(times, string(appendInt2(append(appendInt2(nil, h), ':'), m)))
		}
	}
	for minor := 30; minor <= 52; minor++ {
		for patch := 0; patch < 7; patch++ {
			appVersions = append(appVersions, "4."+string(appendInt(nil, minor))+"."+string(appendInt(nil, patch)))
		}
	}
	for mb := 2; mb <= 24; mb++ {
		for tenth := 0; tenth < 10; tenth++ {
			fileSizes = append(fileSizes, string(appendInt(nil, mb))+","+string(appendInt(nil, tenth))+" МБ")
		}
	}
}

var ipFirstOctets = []int{5, 31, 37, 46, 77, 78, 85, 91, 95, 109, 176, 178, 185, 188, 212, 213, 217}

// digits returns first followed by n-1 random digits.
func (g *Generator) digits(first byte, n int) string {
	var b [24]byte
	b[0] = first
	for i := 1; i < n; i++ {
		b[i] = byte('0' + g.r.intn(10))
	}
	return string(b[:n])
}

// fileName returns a file name a citizen might upload, with the request's
// extension.
func (g *Generator) fileName() string {
	r := &g.r
	ext := g.slot(slotExt)
	b := make([]byte, 0, 40)
	switch ext {
	case "JPG":
		b = append(b, "IMG_2025"...)
		b = appendInt2(b, r.between(1, 12))
		b = appendInt2(b, r.between(1, 28))
		b = append(b, '_')
		b = appendInt2(b, r.between(8, 22))
		b = appendInt2(b, r.intn(60))
		b = appendInt2(b, r.intn(60))
		b = append(b, ".jpg"...)
	case "PNG":
		b = append(b, "Снимок экрана "...)
		b = appendInt2(b, r.between(8, 22))
		b = appendInt2(b, r.intn(60))
		b = appendInt2(b, r.intn(60))
		b = append(b, ".png"...)
	default:
		b = append(b, pick(r, pdfNames)...)
		if r.chance(50) {
			b = append(b, '_')
			b = appendInt(b, r.between(1, 40))
		}
		b = append(b, ".pdf"...)
	}
	return string(b)
}

var pdfNames = []string{"scan", "skan_pasporta", "pasport", "документы", "Скан", "spravka", "Документ", "snils", "zayavlenie"}

// rubles formats a sum as «12 480 ₽».
func rubles(n int) string {
	b := make([]byte, 0, 16)
	if n >= 1000 {
		b = appendInt(b, n/1000)
		b = append(b, ' ')
		b = append(b, byte('0'+n%1000/100), byte('0'+n%100/10), byte('0'+n%10))
	} else {
		b = appendInt(b, n)
	}
	return string(append(b, " ₽"...))
}

// appendHello appends how staff greet the requester: by first name and
// patronymic, as Russian officials address citizens.
func (g *Generator) appendHello(b []byte) []byte {
	r := &g.r
	if g.p.first == "" {
		if r.chance(70) {
			return append(b, "Здравствуйте!"...)
		}
		return append(b, "Добрый день!"...)
	}
	call := func(b []byte) []byte {
		b = append(b, g.p.first...)
		if g.p.patr != "" {
			b = append(b, ' ')
			b = append(b, g.p.patr...)
		}
		return b
	}
	switch r.intn(10) {
	case 0, 1:
		return append(call(append(b, "Добрый день, "...)), '!')
	case 2:
		return append(call(b), ", здравствуйте!"...)
	}
	return append(call(append(b, "Здравствуйте, "...)), '!')
}

// staffSignature signs a staff reply, sometimes with the specialist's name.
func (g *Generator) staffSignature() string {
	r := &g.r
	switch r.intn(4) {
	case 0, 1:
		return "С уважением,\nслужба технической поддержки портала госуслуг"
	case 2:
		s := &staffList[r.intn(9)] // operators and senior specialists
		return "С уважением,\n" + s.first + " " + s.last + ",\nспециалист службы технической поддержки"
	}
	return "Служба технической поддержки портала госуслуг"
}
