package bounce_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/otklik/otklik/internal/mail/bounce"
)

// corpusDir is the shared bounce corpus (sisimai's set-of-emails subset with expected.tsv), seen
// from this package's directory. The files stay there; they are not copied into the repository.
var corpusDir = filepath.Join("..", "..", "..", "..", "shared", "corpus", "bounces")

// corpusRow is one line of expected.tsv: the expected outcome for one recipient of one file.
type corpusRow struct {
	path, status, replyCode, reason, hard, feedbackType, engine string
	index                                                       int
}

// readExpected reads expected.tsv, skipping the test when the corpus is not there.
func readExpected(tb testing.TB) []corpusRow {
	tb.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "expected.tsv"))
	if os.IsNotExist(err) {
		tb.Skipf("bounce corpus not found at %s", filepath.Join(corpusDir, "expected.tsv"))
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var rows []corpusRow
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		if first {
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		if len(c) < 8 {
			continue
		}
		idx, _ := strconv.Atoi(c[1])
		rows = append(rows, corpusRow{path: c[0], index: idx, status: c[2], replyCode: c[3], reason: c[4],
			hard: c[5], feedbackType: c[6], engine: c[7]})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return rows
}

// notBounceWant says what the files of the corpus's "not" folder must be. expected.tsv marks all
// three "(not-a-bounce)": sisimai must return no bounce for them. Two are people's mail (one with
// a message attached) and must stay Normal. rb-issue-368-bug.eml is upstream's example of a notice
// its parser cannot decode, but it is an automatic non-delivery notice (postmaster@, Auto-Submitted:
// auto-replied, "Your message was rejected … Mailbox full"): for a helpdesk it must never become a
// ticket, so it must be noise (Bounce or AutoReply), not Normal.
var notBounceWant = map[string][]bounce.Kind{
	"not/is-not-bounce-01.eml": {bounce.Normal},
	"not/is-not-bounce-02.eml": {bounce.Normal},
	"not/rb-issue-368-bug.eml": {bounce.Bounce, bounce.AutoReply},
}

var (
	messageIDField = regexp.MustCompile(`(?im)^message-id:[ \t]*(?:\n[ \t]+)?<?([^>\s]+)>?`)
	returnedPart   = regexp.MustCompile(`(?im)^content-type:[ \t]*(message/rfc822|text/rfc822-headers|message/partial)`)
	pseudoStatus   = regexp.MustCompile(`^[45]\.0\.9\d\d$`)
)

// returnedMessageID finds, without the package's parser, the Message-ID of the message a report
// returns: the first Message-ID field after a message/rfc822 or text/rfc822-headers part starts,
// or without such a part the first one after the report's own header (for notices that paste the
// message into their text). It returns "" when there is none (or the part is in base64).
func returnedMessageID(raw []byte) string {
	raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	raw = bytes.ReplaceAll(raw, []byte("\r"), []byte("\n"))
	_, body, ok := bytes.Cut(raw, []byte("\n\n"))
	if !ok {
		return ""
	}
	if loc := returnedPart.FindIndex(body); loc != nil {
		body = body[loc[1]:]
	}
	m := messageIDField.FindSubmatchIndex(body)
	if m == nil {
		return ""
	}
	id := string(body[m[2]:m[3]])
	if strings.HasSuffix(id, "=") {
		// A quoted-printable soft line break: the rest is on the next line.
		rest := body[m[1]:]
		if _, next, ok := bytes.Cut(rest, []byte("\n")); ok {
			next, _, _ = bytes.Cut(next, []byte(">"))
			id = strings.TrimSuffix(id, "=") + strings.TrimSpace(string(next))
		}
	}
	return id
}

// tally counts agreements for one measure.
type tally struct{ ok, n int }

// add counts one comparison.
func (t *tally) add(ok bool) {
	t.n++
	if ok {
		t.ok++
	}
}

// String formats the tally as "ok/n pct%".
func (t tally) String() string {
	if t.n == 0 {
		return "    -"
	}
	return fmt.Sprintf("%3d/%-3d %5.1f%%", t.ok, t.n, t.pct())
}

// pct returns the share that agreed, 100 when nothing was compared.
func (t tally) pct() float64 {
	if t.n == 0 {
		return 100
	}
	return 100 * float64(t.ok) / float64(t.n)
}

// TestBounceCorpus classifies every file of the shared corpus and compares with expected.tsv:
// no bounce, auto-reply or feedback report may be Normal, hard/soft verdicts must agree for at
// least 90 % of the rows, the returned message's Message-ID must be found, and status and reason
// agreement are reported.
func TestBounceCorpus(t *testing.T) {
	rows := readExpected(t)
	byPath := map[string][]corpusRow{}
	var paths []string
	for _, r := range rows {
		if _, ok := byPath[r.path]; !ok {
			paths = append(paths, r.path)
		}
		byPath[r.path] = append(byPath[r.path], r)
	}
	debug := os.Getenv("BOUNCE_DEBUG") != ""

	type engineStats struct {
		files, recognised     tally
		hard, status, reason  tally
		reply, pseudo, msgids tally
	}
	stats := map[string]*engineStats{}
	total := &engineStats{}
	for _, path := range paths {
		raw, err := os.ReadFile(filepath.Join(corpusDir, path))
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		res, err := bounce.Classify(bytes.NewReader(raw), bounce.DefaultMaxBytes)
		if err != nil {
			t.Errorf("%s: Classify: %v", path, err)
			continue
		}
		exp := byPath[path]
		engine := exp[0].engine
		if engine == "" {
			engine = "(not a bounce)"
		}
		es := stats[engine]
		if es == nil {
			es = &engineStats{}
			stats[engine] = es
		}
		for _, s := range []*engineStats{es, total} {
			s.files.add(true)
		}

		if want, ok := notBounceWant[path]; ok {
			if !kindIn(res.Kind, want) {
				t.Errorf("%s: got kind %s, want one of %v (evidence %q)", path, res.Kind, want, res.Evidence)
			}
			for _, s := range []*engineStats{es, total} {
				s.recognised.add(kindIn(res.Kind, want))
			}
			continue
		}
		if strings.HasPrefix(path, "not/") {
			t.Errorf("%s: no expectation in notBounceWant", path)
			continue
		}
		recognised := res.Kind != bounce.Normal
		if !recognised {
			t.Errorf("%s: got kind normal, want a bounce, auto-reply or feedback report (evidence %q)", path, res.Evidence)
		}
		for _, s := range []*engineStats{es, total} {
			s.recognised.add(recognised)
		}

		if want := returnedMessageID(raw); want != "" {
			got := res.OriginalMessageID
			if got != want {
				t.Errorf("%s: OriginalMessageID got %q, want %q", path, got, want)
			}
			for _, s := range []*engineStats{es, total} {
				s.msgids.add(got == want)
			}
		}

		for _, row := range exp {
			got := outcomeFor(res, row.index)
			if row.hard != "" {
				ok := strconv.FormatBool(got.Hard) == row.hard
				for _, s := range []*engineStats{es, total} {
					s.hard.add(ok)
				}
				if !ok {
					t.Logf("hard/soft %s #%d: got hard=%v (%s %s %s), want %s (%s %s)", path, row.index,
						got.Hard, got.Reason, got.Status, res.Kind, row.hard, row.reason, row.status)
				}
			}
			if row.status != "" {
				if pseudoStatus.MatchString(row.status) {
					// sisimai's pseudo codes stand for "no code in the message"; only the class
					// can agree.
					ok := got.Status == "" || got.Status[0] == row.status[0]
					for _, s := range []*engineStats{es, total} {
						s.pseudo.add(ok)
					}
				} else {
					ok := got.Status == row.status
					for _, s := range []*engineStats{es, total} {
						s.status.add(ok)
					}
					if !ok && debug {
						t.Logf("status %s #%d: got %q, want %q", path, row.index, got.Status, row.status)
					}
				}
			}
			if row.replyCode != "" {
				for _, s := range []*engineStats{es, total} {
					s.reply.add(got.ReplyCode == row.replyCode)
				}
				if got.ReplyCode != row.replyCode && debug {
					t.Logf("reply %s #%d: got %q, want %q", path, row.index, got.ReplyCode, row.replyCode)
				}
			}
			ok := got.Reason == row.reason
			for _, s := range []*engineStats{es, total} {
				s.reason.add(ok)
			}
			if (!ok || os.Getenv("BOUNCE_DEBUG") == "all") && debug {
				t.Logf("reason %s #%d: got %s, want %s [%s] %q", path, row.index, got.Reason, row.reason, got.Status, got.Diagnostic)
			}
		}
	}

	engines := make([]string, 0, len(stats))
	for e := range stats {
		engines = append(engines, e)
	}
	sort.Strings(engines)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-16s %5s %-16s %-16s %-16s %-16s %-16s %-16s\n", "engine", "files", "recognised", "hard/soft",
		"status", "reply code", "reason", "message-id")
	line := func(name string, s *engineStats) {
		fmt.Fprintf(&b, "%-16s %5d %-16s %-16s %-16s %-16s %-16s %-16s\n", name, s.files.n, s.recognised, s.hard,
			s.status, s.reply, s.reason, s.msgids)
	}
	for _, e := range engines {
		line(e, stats[e])
	}
	line("TOTAL", total)
	fmt.Fprintf(&b, "status with sisimai pseudo codes (x.0.9xx, class only): %s", total.pseudo)
	t.Log(b.String())
	t.Logf("recognised %.1f%%, hard/soft %.1f%%, status %.1f%%, reply code %.1f%%, reason %.1f%%, message-id %.1f%%",
		total.recognised.pct(), total.hard.pct(), total.status.pct(), total.reply.pct(), total.reason.pct(), total.msgids.pct())
	if got := total.hard.pct(); got < 90 {
		t.Errorf("hard/soft verdicts agree for %.1f%% of the rows, want at least 90%%", got)
	}
}

// outcome is what the test compares for one expected row.
type outcome struct {
	Hard                                  bool
	Status, ReplyCode, Reason, Diagnostic string
}

// outcomeFor returns the result for the recipient with the 1-based index of expected.tsv, falling
// back to the result's own fields for reports that name one recipient.
func outcomeFor(res bounce.Result, index int) outcome {
	if index >= 1 && index <= len(res.Recipients) {
		r := res.Recipients[index-1]
		return outcome{r.Hard, r.Status, r.ReplyCode, r.Reason, r.Diagnostic}
	}
	return outcome{Hard: res.Hard, Status: res.Status, ReplyCode: res.ReplyCode, Reason: res.Reason}
}

// kindIn reports whether k is one of list.
func kindIn(k bounce.Kind, list []bounce.Kind) bool {
	for _, v := range list {
		if k == v {
			return true
		}
	}
	return false
}
