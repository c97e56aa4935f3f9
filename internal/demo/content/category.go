package content

import "strings"

// topicSrc is one kind of problem within a category: subjects and bodies
// that describe it and staff answers that resolve it, so that a request's
// subject, first message and answer always match. The optional lists
// replace the category's when a topic needs its own.
type topicSrc struct {
	subjects []string
	bodies   []string
	answers  []string
	errs     []string // values of {err}; the category's when empty
	ag       *agency  // the competent body; otherwise derived
	local    bool     // never forwarded to an agency
	// agencyAnswer: when forwarded, the answer may come back from the agency.
	agencyAnswer bool

	questions, replies, extras, notes []string
}

// categorySrc is the text of one CONTRACT category.
type categorySrc struct {
	code        string
	weight      int
	forwardable bool // requests may be forwarded to an agency
	tech        bool // answers fix something («всё заработало» makes sense)
	ag          *agency
	subjects    []string // fit every topic of the category
	check       string   // what staff check, for acknowledgements
	errs        []string
	questions   []string // staff questions that put a request on hold
	notes       []string // internal notes
	extras      []string // optional sentences a citizen adds
	replies     []string // a citizen's answers to a staff question
	forwards    []string // notices of forwarding; the common ones when empty
	acks        []string // acknowledgements; the common ones when empty
	topics      []topicSrc
}

// topic is a compiled topicSrc.
type topic struct {
	subjects, bodies, answers         []tmpl
	angry                             []bool // parallel to bodies: the body is irritated
	questions, replies, extras, notes []tmpl
	errs                              []string
	ag                                *agency
	forwardable, agencyAnswer         bool
}

// category is a compiled categorySrc.
type category struct {
	code                                        string
	forwardable, tech                           bool
	ag                                          *agency
	subjects                                    []tmpl
	check                                       tmpl
	errs                                        []string
	questions, notes, extras, replies, forwards []tmpl
	acks                                        []tmpl
	topics                                      []topic
	subjectCount, bodyCount                     int
}

// categories are the compiled categories, in the order of categorySources.
var categories []category

// categoryPick chooses a category with realistic frequencies.
var categoryPick weighted[int]

func init() {
	var idx, weights []int
	for i := range categorySources {
		src := &categorySources[i]
		c := category{
			code:        src.code,
			forwardable: src.forwardable,
			tech:        src.tech,
			ag:          src.ag,
			subjects:    mustCompileAll(src.subjects),
			check:       mustCompile(src.check),
			errs:        src.errs,
			questions:   mustCompileAll(src.questions),
			notes:       mustCompileAll(src.notes),
			extras:      mustCompileAll(src.extras),
			replies:     mustCompileAll(src.replies),
			forwards:    mustCompileAll(src.forwards),
			acks:        mustCompileAll(src.acks),
		}
		if len(c.forwards) == 0 {
			c.forwards = forwards
		}
		c.subjectCount = len(c.subjects)
		for _, t := range src.topics {
			if len(t.subjects) == 0 || len(t.bodies) == 0 || len(t.answers) == 0 {
				panic("content: incomplete topic in " + src.code)
			}
			angry := make([]bool, len(t.bodies))
			for i, b := range t.bodies {
				angry[i] = isAngry(b)
			}
			c.topics = append(c.topics, topic{
				angry:        angry,
				subjects:     mustCompileAll(t.subjects),
				bodies:       mustCompileAll(t.bodies),
				answers:      mustCompileAll(t.answers),
				questions:    mustCompileAll(t.questions),
				replies:      mustCompileAll(t.replies),
				extras:       mustCompileAll(t.extras),
				notes:        mustCompileAll(t.notes),
				errs:         t.errs,
				ag:           t.ag,
				forwardable:  src.forwardable && !t.local,
				agencyAnswer: src.forwardable && !t.local && t.agencyAnswer,
			})
			c.subjectCount += len(t.subjects)
			c.bodyCount += len(t.bodies)
		}
		categories = append(categories, c)
		idx = append(idx, i)
		weights = append(weights, src.weight)
	}
	categoryPick = newWeighted(idx, weights)
}

// angryMarks betray an irritated citizen.
var angryMarks = []string{"?!", "!!", "ПОЧЕМУ", "НЕ РАБОТАЕТ", "отписк", "кто будет отвечать", "Так не работают",
	"Верните", "невозможно!", "Неужели нельзя", "Кто мне в итоге", "Сколько можно"}

// isAngry reports whether a body template is written in irritation, so
// that the citizen's added sentences keep the same mood.
func isAngry(src string) bool {
	for _, m := range angryMarks {
		if strings.Contains(src, m) {
			return true
		}
	}
	return false
}
