package content

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/template"
	"unicode/utf8"

	"github.com/otklik/otklik/internal/identity"
)

// sampleSize is how many requests the statistical tests look at.
const sampleSize = 10000

// mustSample returns n requests from a generator seeded with seed.
func mustSample(tb testing.TB, seed uint64, n int) []Request {
	tb.Helper()
	g := NewGenerator(seed)
	out := make([]Request, n)
	for i := range out {
		out[i] = g.Request()
	}
	return out
}

func TestDeterminism(t *testing.T) {
	a := mustSample(t, 42, 500)
	b := mustSample(t, 42, 500)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different requests")
	}
	c := mustSample(t, 43, 500)
	same := 0
	for i := range a {
		if a[i].Body == c[i].Body {
			same++
		}
	}
	if same > 5 {
		t.Errorf("seeds 42 and 43 gave %d identical bodies out of %d", same, len(a))
	}

	p1, p2 := NewGenerator(7), NewGenerator(7)
	for range 100 {
		if got, want := p1.Person(), p2.Person(); got != want {
			t.Fatalf("Person: got %+v, want %+v", got, want)
		}
	}
}

// TestGeneratorsInParallel runs one generator per goroutine, as the
// benchmark filler does; with -race it proves they share nothing mutable.
func TestGeneratorsInParallel(t *testing.T) {
	want := mustSample(t, 77, 200)
	var wg sync.WaitGroup
	got := make([][]Request, 4)
	for i := range got {
		wg.Go(func() {
			g := NewGenerator(77)
			for range 200 {
				got[i] = append(got[i], g.Request())
			}
		})
	}
	wg.Wait()
	for i := range got {
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("goroutine %d: generator output differs", i)
		}
	}
}

func TestVocabularies(t *testing.T) {
	seen := map[string]map[string]int{"channel": {}, "category": {}, "status": {}, "priority": {}}
	allowed := map[string][]string{"channel": channels, "category": categoryCodes, "status": statuses, "priority": priorities}
	for _, r := range mustSample(t, 1, sampleSize) {
		seen["channel"][r.Channel]++
		seen["category"][r.Category]++
		seen["status"][r.Status]++
		seen["priority"][r.Priority]++
	}
	for field, values := range allowed {
		for v, n := range seen[field] {
			if !slices.Contains(values, v) {
				t.Errorf("%s %q (%d times) is not allowed", field, v, n)
			}
		}
		for _, v := range values {
			if seen[field][v] == 0 {
				t.Errorf("%s %q never occurs in %d requests", field, v, sampleSize)
			}
		}
	}
	st := seen["status"]
	if done := st["closed"] + st["resolved"]; done < sampleSize/2 {
		t.Errorf("closed+resolved = %d of %d, want most", done, sampleSize)
	}
	for _, s := range statuses {
		if st[s] < sampleSize/50 {
			t.Errorf("status %q occurs %d times, too rare for a demo", s, st[s])
		}
	}
	ch := seen["channel"]
	if ch["email"] < ch["chat"] || ch["web"] < ch["chat"] || ch["visit"] > ch["chat"] {
		t.Errorf("channel frequencies look wrong: %v", ch)
	}
	if pr := seen["priority"]; pr["urgent"] > pr["high"] || pr["urgent"] > sampleSize/10 {
		t.Errorf("urgent should be rare: %v", pr)
	}
}

func TestSmallDemoShowsEveryStatus(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range mustSample(t, 2025, 300) {
		seen[r.Status] = true
	}
	for _, s := range statuses {
		if !seen[s] {
			t.Errorf("status %q missing from a demo of 300 requests", s)
		}
	}
}

func TestTexts(t *testing.T) {
	markers := "{}<>|"
	for i, r := range mustSample(t, 3, sampleSize) {
		n := utf8.RuneCountInString(r.Body)
		if n < MinBody || n > MaxBody {
			t.Errorf("request %d: body has %d characters, want %d–%d:\n%s", i, n, MinBody, MaxBody, r.Body)
		}
		if strings.TrimSpace(r.Subject) == "" {
			t.Errorf("request %d: empty subject", i)
		}
		texts := []string{r.Subject, r.Body}
		for _, tu := range r.Turns {
			if strings.TrimSpace(tu.Body) == "" {
				t.Errorf("request %d: empty turn", i)
			}
			texts = append(texts, tu.Body)
		}
		for _, s := range texts {
			if strings.ContainsAny(s, markers) {
				t.Errorf("request %d: unfilled template marker in %q", i, s)
			}
			if !utf8.ValidString(s) {
				t.Errorf("request %d: invalid UTF-8 in %q", i, s)
			}
			if strings.Contains(s, "  ") || strings.Contains(s, " .") || strings.Contains(s, " ,") || strings.Contains(s, "..") {
				t.Errorf("request %d: stray space in %q", i, s)
			}
		}
	}
}

var phoneRE = regexp.MustCompile(`^\+79\d{9}$`)

// checkPerson reports what is wrong with p.
func checkPerson(t *testing.T, p Person) {
	t.Helper()
	if p.Email == "" && p.Phone == "" {
		t.Errorf("%+v has neither e-mail nor phone", p)
	}
	if p.Email != "" {
		if strings.Count(p.Email, "@") != 1 || p.Email != strings.ToLower(p.Email) {
			t.Errorf("bad e-mail %q", p.Email)
		}
		for _, c := range []byte(p.Email) {
			if c >= 0x80 || c <= ' ' {
				t.Errorf("e-mail %q is not plain ASCII", p.Email)
				break
			}
		}
	}
	if p.Phone != "" && !phoneRE.MatchString(p.Phone) {
		t.Errorf("bad phone %q", p.Phone)
	}
	if p.SNILS != "" {
		s, err := identity.ParseSNILS(p.SNILS)
		if err != nil {
			t.Errorf("СНИЛС %q: %v", p.SNILS, err)
		} else if s.String() != p.SNILS {
			t.Errorf("СНИЛС %q is not in display form %q", p.SNILS, s.String())
		}
	}
	if p.INN != "" {
		if _, err := identity.ParseINN(p.INN); err != nil || len(p.INN) != 12 {
			t.Errorf("ИНН %q: %v", p.INN, err)
		}
	}
}

func TestRequesters(t *testing.T) {
	var snils, inn, anonymous int
	for _, r := range mustSample(t, 4, sampleSize) {
		p := r.Requester
		checkPerson(t, p)
		if p.SNILS != "" {
			snils++
		}
		if p.INN != "" {
			inn++
		}
		if p.Name == "" {
			anonymous++
			if !chatty(r.Channel) {
				t.Errorf("anonymous requester on channel %s", r.Channel)
			}
		}
		if r.Channel == "email" && p.Email == "" {
			t.Errorf("e-mail request without an e-mail address")
		}
		if r.Channel == "phone" && p.Phone == "" {
			t.Errorf("phone request without a phone number")
		}
	}
	if snils < sampleSize/5 || snils > sampleSize*3/10 {
		t.Errorf("%d of %d have a СНИЛС, want about 25 %%", snils, sampleSize)
	}
	if inn < sampleSize/14 || inn > sampleSize/7 {
		t.Errorf("%d of %d have an ИНН, want about 10 %%", inn, sampleSize)
	}
	if anonymous == 0 {
		t.Error("no anonymous chat users")
	}

	g := NewGenerator(5)
	for range sampleSize {
		checkPerson(t, g.Person())
	}
}

func TestNames(t *testing.T) {
	g := NewGenerator(6)
	withoutPatronymic := 0
	for range sampleSize {
		p := g.Person()
		if p.Name == "" {
			continue
		}
		parts := strings.Split(p.Name, " ")
		if len(parts) < 2 || len(parts) > 3 {
			t.Fatalf("name %q is not «Фамилия Имя [Отчество]»", p.Name)
		}
		female := slices.Contains(femaleNames, parts[1])
		if !female && !slices.ContainsFunc(maleNames, func(m maleName) bool { return m.name == parts[1] }) {
			t.Fatalf("name %q: unknown first name", p.Name)
		}
		if len(parts) == 2 {
			withoutPatronymic++
			continue
		}
		if got := strings.HasSuffix(parts[2], "на"); got != female {
			t.Errorf("name %q: patronymic does not agree with the first name", p.Name)
		}
		if female && slices.Contains(surnames, parts[0]) && feminine(parts[0]) != parts[0] {
			t.Errorf("name %q: masculine surname for a woman", p.Name)
		}
	}
	if withoutPatronymic == 0 || withoutPatronymic > sampleSize/4 {
		t.Errorf("%d names without a patronymic", withoutPatronymic)
	}
	if len(surnames) < 60 || len(maleNames) < 40 || len(femaleNames) < 40 {
		t.Errorf("too few names: %d surnames, %d male, %d female", len(surnames), len(maleNames), len(femaleNames))
	}
}

func TestFeminine(t *testing.T) {
	tests := []struct{ male, female string }{
		{"Иванов", "Иванова"}, {"Соловьёв", "Соловьёва"}, {"Ильин", "Ильина"}, {"Островский", "Островская"},
		{"Высоцкий", "Высоцкая"}, {"Толстой", "Толстая"}, {"Луговской", "Луговская"}, {"Ковальчук", "Ковальчук"},
		{"Шевченко", "Шевченко"}, {"Черных", "Черных"}, {"Ким", "Ким"}, {"Цой", "Цой"}, {"Петросян", "Петросян"},
	}
	for _, tt := range tests {
		if got := feminine(tt.male); got != tt.female {
			t.Errorf("feminine(%q) = %q, want %q", tt.male, got, tt.female)
		}
	}
	patronymics := map[string][2]string{
		"Сергей": {"Сергеевич", "Сергеевна"}, "Илья": {"Ильич", "Ильинична"},
		"Никита": {"Никитич", "Никитична"}, "Кузьма": {"Кузьмич", "Кузьминична"},
	}
	for name, want := range patronymics {
		i := slices.IndexFunc(maleNames, func(m maleName) bool { return m.name == name })
		if i < 0 {
			t.Errorf("no male name %q", name)
			continue
		}
		if got := [2]string{maleNames[i].patrM, maleNames[i].patrF}; got != want {
			t.Errorf("patronymics of %s = %v, want %v", name, got, want)
		}
	}
}

// lastPublicStaff returns the index of the last public staff turn, or -1.
func lastPublicStaff(turns []Turn) int {
	for i := len(turns) - 1; i >= 0; i-- {
		if turns[i].Staff && !turns[i].Internal {
			return i
		}
	}
	return -1
}

func TestTurnsFollowStatus(t *testing.T) {
	for i, r := range mustSample(t, 8, sampleSize) {
		staff := 0
		for _, tu := range r.Turns {
			if tu.Internal && !tu.Staff {
				t.Errorf("request %d: an internal note by the citizen", i)
			}
			if tu.Staff {
				staff++
			}
		}
		last := len(r.Turns) - 1
		pub := lastPublicStaff(r.Turns)
		bad := ""
		switch r.Status {
		case "new":
			if staff > 0 {
				bad = "a new request has staff turns"
			}
		case "in_progress":
			if staff == 0 {
				bad = "nobody works on a request in progress"
			}
		case "waiting":
			if last < 0 || pub != last || !strings.Contains(r.Turns[last].Body, "?") {
				bad = "a waiting request does not end with a staff question"
			}
		case "forwarded":
			if pub < 0 || !strings.Contains(r.Turns[pub].Body, "передан") {
				bad = "a forwarded request does not say it was forwarded"
			}
		case "resolved":
			if last < 0 || pub != last {
				bad = "a resolved request does not end with a staff answer"
			}
		case "closed":
			if pub < 0 {
				bad = "a closed request has no staff answer"
			}
		}
		if bad != "" {
			t.Errorf("request %d (%s): %s: %+v", i, r.Status, bad, r.Turns)
		}
	}
}

// urgentPrefixes are the subject words that the product treats as urgent.
var urgentPrefixes = []string{"сбо", "недоступн", "отказ"}

func TestUrgentSubjects(t *testing.T) {
	urgentOutages := 0
	for i, r := range mustSample(t, 9, sampleSize) {
		hit := false
		for _, w := range strings.FieldsFunc(strings.ToLower(r.Subject), func(c rune) bool {
			return !('а' <= c && c <= 'я' || c == 'ё')
		}) {
			for _, p := range urgentPrefixes {
				hit = hit || strings.HasPrefix(w, p)
			}
		}
		if hit != urgentSubject(r.Subject) {
			t.Errorf("urgentSubject(%q) = %v, want %v", r.Subject, !hit, hit)
		}
		if !hit {
			continue
		}
		if r.Category != "availability" || r.Priority != "urgent" {
			t.Errorf("request %d: subject %q is %s/%s, want availability/urgent", i, r.Subject, r.Category, r.Priority)
		}
		urgentOutages++
	}
	if urgentOutages < sampleSize/100 {
		t.Errorf("only %d outage subjects say «сбой», «недоступность» or «отказ»", urgentOutages)
	}
}

func TestVariety(t *testing.T) {
	subjects, bodies := map[string]bool{}, map[string]bool{}
	for _, r := range mustSample(t, 10, sampleSize) {
		subjects[r.Subject] = true
		bodies[r.Body] = true
	}
	if len(bodies) < sampleSize*99/100 {
		t.Errorf("%d distinct bodies in %d requests", len(bodies), sampleSize)
	}
	if len(subjects) < 1000 {
		t.Errorf("only %d distinct subjects", len(subjects))
	}
	for _, c := range categories {
		if c.subjectCount < 8 || c.bodyCount < 8 {
			t.Errorf("category %s: %d subject and %d body patterns, want at least 8 each", c.code, c.subjectCount, c.bodyCount)
		}
	}
	codes := make([]string, len(categories))
	for i, c := range categories {
		codes[i] = c.code
	}
	if !slices.Equal(codes, categoryCodes) {
		t.Errorf("category texts %v do not match %v", codes, categoryCodes)
	}
}

func TestWordForms(t *testing.T) {
	forms := map[string]bool{"заявление": false, "заявления": false, "заявлении": false, "заявлением": false}
	for _, r := range mustSample(t, 11, 2000) {
		for _, w := range strings.Fields(strings.ToLower(r.Body + " " + r.Subject)) {
			w = strings.Trim(w, ".,:;!?«»()")
			if _, ok := forms[w]; ok {
				forms[w] = true
			}
		}
	}
	for w, ok := range forms {
		if !ok {
			t.Errorf("word form %q never occurs", w)
		}
	}
}

func TestCompile(t *testing.T) {
	tests := []struct {
		src string
		ok  bool
	}{
		{"Статус заявления № {num}", true},
		{"{a|b {svc}|<c|d>}", true},
		{"{!svc:Выписка из ЕГРН}{svc}", true},
		{"{num", false},
		{"{nosuchslot}", false},
		{"{single}", false},
		{"a|b", false},
		{"<one>", false},
		{"<a|b|c>", false},
		{"{!svc:Нет такой услуги}", false},
		{"{!pay:nope}", false},
		{"}", false},
	}
	for _, tt := range tests {
		_, err := compile(tt.src)
		if (err == nil) != tt.ok {
			t.Errorf("compile(%q): err = %v, want ok = %v", tt.src, err, tt.ok)
		}
	}
}

func TestRender(t *testing.T) {
	g := NewGenerator(1)
	g.reset()
	g.cat = &categories[0]
	g.top = &g.cat.topics[0]
	tests := []struct {
		src    string
		female bool
		want   string
	}{
		{"<подал|подала> заявление", false, "подал заявление"},
		{"<подал|подала> заявление", true, "подала заявление"},
		{"{!svc:Выписка из ЕГРН}«{svc}»: обращение передано {ag_to}", false, "«Выписка из ЕГРН»: обращение передано в Росреестр"},
		{"{!pay:fine}Оплата {payg}", false, "Оплата штрафа ГИБДД"},
		{"{а|а}{<б|б>|<б|б>}", true, "аб"},
	}
	for _, tt := range tests {
		g.p.female = tt.female
		if got := string(g.render(nil, mustCompile(tt.src))); got != tt.want {
			t.Errorf("render(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
	// A slot keeps its value for the whole request.
	num := mustCompile("{num}")
	if a, b := string(g.render(nil, num)), string(g.render(nil, num)); a != b || len(a) != 10 {
		t.Errorf("statement numbers %q and %q, want the same 10 digits", a, b)
	}
}

func TestStaff(t *testing.T) {
	staff := Staff("support.example")
	if len(staff) != 12 {
		t.Fatalf("got %d staff, want 12", len(staff))
	}
	roles := map[string]int{}
	emails := map[string]bool{}
	for _, s := range staff {
		roles[s.Role]++
		if !strings.HasSuffix(s.Email, "@support.example") || s.Email != strings.ToLower(s.Email) || emails[s.Email] {
			t.Errorf("bad or repeated e-mail %q", s.Email)
		}
		emails[s.Email] = true
		if len(strings.Fields(s.Name)) != 3 {
			t.Errorf("name %q is not a full ФИО", s.Name)
		}
	}
	want := map[string]int{"operator": 6, "senior": 3, "supervisor": 1, "admin": 1, "auditor": 1}
	if !reflect.DeepEqual(roles, want) {
		t.Errorf("roles = %v, want %v", roles, want)
	}
}

func TestGroups(t *testing.T) {
	var codes []string
	for _, g := range Groups() {
		codes = append(codes, g.Code)
		if g.Name == "" {
			t.Errorf("group %s has no name", g.Code)
		}
	}
	if want := []string{"line1", "line2", "line3", "security"}; !slices.Equal(codes, want) {
		t.Errorf("group codes = %v, want %v", codes, want)
	}
}

func TestReplies(t *testing.T) {
	replies := Replies()
	if len(replies) < 3 {
		t.Fatalf("only %d replies", len(replies))
	}
	data := struct{ Name, Number, Deadline string }{"Мария Ивановна", "2025-000123", "18 марта"}
	for _, r := range replies {
		tmpl, err := template.New(r.Name).Option("missingkey=error").Parse(r.Body)
		if err != nil {
			t.Errorf("reply %q: %v", r.Name, err)
			continue
		}
		var b strings.Builder
		if err := tmpl.Execute(&b, data); err != nil {
			t.Errorf("reply %q: %v", r.Name, err)
		}
		if !strings.Contains(b.String(), "Мария Ивановна") || !strings.Contains(b.String(), "2025-000123") {
			t.Errorf("reply %q does not address the citizen or name the number", r.Name)
		}
	}
}

func TestRuneCount(t *testing.T) {
	for _, s := range []string{"", "a", "абв", "Статус заявления № 3845721904 — «Принято»", "ёЁ😀x", strings.Repeat("жaя", 37)} {
		if got, want := runeCount([]byte(s)), utf8.RuneCountInString(s); got != want {
			t.Errorf("runeCount(%q) = %d, want %d", s, got, want)
		}
	}
}

func BenchmarkRequest(b *testing.B) {
	g := NewGenerator(1)
	b.ReportAllocs()
	for b.Loop() {
		g.Request()
	}
}

func BenchmarkPerson(b *testing.B) {
	g := NewGenerator(1)
	b.ReportAllocs()
	for b.Loop() {
		g.Person()
	}
}
