// Package classify guesses a new ticket's category and priority from its text (PRODUCT.md F13), for
// tickets that arrive without a category. It is a transparent keyword scorer, not a model: every rule
// is a word prefix an operator can read and change, and the result is only a first routing that staff
// correct.
package classify

import (
	"strings"

	"github.com/otklik/otklik/internal/russian"
)

// rule gives weight to a category when a word of the text starts with prefix.
type rule struct {
	prefix string
	weight int
}

// rules are matched against normalised words (lower case, ё→е). Subject words count double.
var rules = map[string][]rule{
	"access": {{"парол", 3}, {"логин", 2}, {"вход", 2}, {"войт", 3}, {"зайт", 2}, {"авторизац", 3},
		{"заблокир", 3}, {"блокировк", 3}, {"двухфактор", 3}, {"восстановлен", 1}, {"доступ", 1}, {"учетк", 1}},
	"registration": {{"регистрац", 3}, {"зарегистрир", 3}, {"учетн", 2}, {"подтвержденн", 2},
		{"стандартн", 1}, {"упрощенн", 1}, {"подтвердит", 1}, {"подтвержден", 1}},
	"forms":     {{"форм", 2}, {"заполн", 3}, {"черновик", 2}, {"поле", 1}, {"полей", 1}, {"отправ", 1}, {"кнопк", 1}, {"заявлен", 2}},
	"documents": {{"загруз", 3}, {"файл", 3}, {"скан", 2}, {"документ", 1}, {"прикреп", 2}, {"вложен", 2}, {"pdf", 2}, {"jpg", 2}},
	"signature": {{"подпис", 3}, {"эцп", 3}, {"сертификат", 3}, {"криптопро", 3}, {"госключ", 3}, {"токен", 1}, {"плагин", 2}},
	"status":    {{"статус", 3}, {"рассмотрен", 2}, {"срок", 1}, {"ответ", 1}, {"когда", 1}, {"движени", 1}},
	"availability": {{"сбо", 3}, {"недоступ", 3}, {"не работа", 3}, {"ошибк", 1}, {"500", 2}, {"502", 2}, {"503", 2},
		{"504", 2}, {"завис", 2}, {"отказ", 1}, {"тормоз", 2}, {"грузит", 1}, {"открывает", 1}},
	"mobile": {{"приложени", 3}, {"android", 3}, {"андроид", 3}, {"iphone", 3}, {"айфон", 3}, {"ios", 3},
		{"смартфон", 2}, {"телефон", 1}, {"rustore", 3}, {"appgallery", 3}},
	"personal_data": {{"персональн", 3}, {"фамили", 2}, {"паспорт", 2}, {"снилс", 2}, {"инн", 1}, {"адрес", 1},
		{"изменит", 1}, {"смен", 1}, {"дата рождения", 2}},
	"payments": {{"оплат", 3}, {"платеж", 3}, {"штраф", 3}, {"пошлин", 3}, {"начислен", 3}, {"возврат", 3},
		{"списал", 3}, {"деньг", 2}, {"карт", 1}, {"квитанц", 2}, {"налог", 2}},
	"fraud": {{"мошенн", 5}, {"взлом", 5}, {"украл", 4}, {"злоумышлен", 5}, {"подозрит", 3}, {"не я", 2},
		{"чуж", 2}, {"фишинг", 5}, {"звонил", 2}, {"просил", 1}, {"код из смс", 3}},
}

// urgent are the subject words that make a ticket «неотложно» (PRODUCT.md F13).
var urgent = []string{"сбо", "недоступн", "отказ"}

// Result is a guess.
type Result struct {
	Category string // a default category code; "other" when nothing matched
	Priority string // "urgent" when the subject reports an outage or refusal, "high" for fraud, else "normal"
}

// order fixes the order categories are scored in, so that ties always go the same way.
var order = []string{"fraud", "access", "registration", "signature", "documents", "forms", "mobile",
	"personal_data", "payments", "availability", "status"}

// compiled is a rule ready for matching: its words (all but the last must match whole words, the last
// is a prefix), the category's index in order, and its weight.
type compiled struct {
	words  []string
	cat    int
	weight int
}

// byStart indexes the compiled rules by the first two runes of their first word, so that each word of
// a text is compared only with the few rules that can match it.
var byStart, urgentByStart = compile()

func compile() (map[string][]compiled, map[string][]compiled) {
	idx := map[string][]compiled{}
	for ci, cat := range order {
		for _, r := range rules[cat] {
			w := strings.Fields(r.prefix)
			idx[start(w[0])] = append(idx[start(w[0])], compiled{words: w, cat: ci, weight: r.weight})
		}
	}
	urg := map[string][]compiled{}
	for _, u := range urgent {
		urg[start(u)] = append(urg[start(u)], compiled{words: []string{u}})
	}
	return idx, urg
}

// start returns the first two runes of w.
func start(w string) string {
	n := 0
	for i := range w {
		if n == 2 {
			return w[:i]
		}
		n++
	}
	return w
}

// match reports whether the rule matches at words[i].
func (c compiled) match(words []string, i int) bool {
	last := len(c.words) - 1
	if i+last >= len(words) {
		return false
	}
	for k := 0; k < last; k++ {
		if words[i+k] != c.words[k] {
			return false
		}
	}
	return strings.HasPrefix(words[i+last], c.words[last])
}

// Classify guesses the category and priority of a ticket from its subject and body. Subject words
// count double; each rule counts at most three times in the body.
func Classify(subject, body string) Result {
	var score [16]int
	var hits [16][64]uint8 // body hits per category and rule slot, capped at 3
	subj := russian.Words(russian.Normalize(subject))
	text := russian.Words(russian.Normalize(body))
	urgentSubject := false
	for i, w := range subj {
		for _, c := range byStart[start(w)] {
			if c.match(subj, i) {
				score[c.cat] += 2 * c.weight
			}
		}
		for _, c := range urgentByStart[start(w)] {
			if c.match(subj, i) {
				urgentSubject = true
			}
		}
	}
	for i, w := range text {
		for k, c := range byStart[start(w)] {
			if c.match(text, i) && k < len(hits[0]) {
				slot := &hits[c.cat][k]
				if *slot < 3 {
					*slot++
					score[c.cat] += c.weight
				}
			}
		}
	}
	best, bestScore := "other", 0
	for ci, cat := range order {
		if score[ci] > bestScore {
			best, bestScore = cat, score[ci]
		}
	}
	res := Result{Category: best, Priority: "normal"}
	if bestScore < 3 {
		res.Category = "other"
	}
	if urgentSubject {
		res.Priority = "urgent"
	}
	if res.Category == "fraud" && res.Priority == "normal" {
		res.Priority = "high"
	}
	return res
}
