package store

import (
	"bufio"
	"embed"
	"fmt"
	"reflect"
	"strings"
)

//go:embed queries
var queryFiles embed.FS

// queries holds an engine's named SQL, bound by the `query` tag from queries/common.sql and
// queries/<engine>.sql. A tag ending in ",optional" may be missing for an engine that does without.
type queries struct {
	TicketColumns     string `query:"ticket-columns"`
	TicketJoins       string `query:"ticket-joins"`
	SequenceGet       string `query:"sequence-get,optional"`
	SequenceSet       string `query:"sequence-set,optional"`
	SequenceInit      string `query:"sequence-init,optional"`
	InsertTicket      string `query:"insert-ticket"`
	UpdateTicket      string `query:"update-ticket"`
	InsertMessage     string `query:"insert-message"`
	Messages          string `query:"messages"`
	MessageBodies     string `query:"message-bodies"`
	InsertJournal     string `query:"insert-journal"`
	JournalPasses     string `query:"journal-passes"`
	Journal           string `query:"journal"`
	WalkJournal       string `query:"walk-journal"`
	JournalHeads      string `query:"journal-heads"`
	IndexInsert       string `query:"index-insert"`
	IndexAppend       string `query:"index-append"`
	IdempotencyGet    string `query:"idempotency-get"`
	IdempotencySave   string `query:"idempotency-save"`
	RequesterByEmail  string `query:"requester-by-email"`
	RequesterByPhone  string `query:"requester-by-phone"`
	RequesterBySNILS  string `query:"requester-by-snils"`
	InsertRequester   string `query:"insert-requester"`
	RequesterOrAdd    string `query:"requester-by-email-or-add,optional"`
	UpdateRequester   string `query:"update-requester"`
	InsertUser        string `query:"insert-user"`
	UpdateUser        string `query:"update-user"`
	UserSelect        string `query:"user-select"`
	UserByToken       string `query:"user-by-token"`
	InsertToken       string `query:"insert-token"`
	InsertGroup       string `query:"insert-group"`
	Groups            string `query:"groups"`
	GroupByCode       string `query:"group-by-code"`
	InsertCategory    string `query:"insert-category"`
	Categories        string `query:"categories"`
	CountTickets      string `query:"count-tickets"`
	InsertJob         string `query:"insert-job"`
	RegisterTicket    string `query:"register-ticket,optional"`
	StoreRecomputed   string `query:"store-recomputed,optional"`
	MailColumns       string `query:"mail-columns"`
	InsertMail        string `query:"insert-mail"`
	SetMailStatus     string `query:"set-mail-status"`
	InsertLink        string `query:"insert-link"`
	Links             string `query:"links"`
	ClaimJobs         string `query:"claim-jobs"`
	FinishJob         string `query:"finish-job"`
	RetryJob          string `query:"retry-job"`
	PurgeJobs         string `query:"purge-jobs"`
	ReleaseClaims     string `query:"release-claims"`
	JobColumns        string `query:"job-columns"`
	JobCounts         string `query:"job-counts"`
	BlobColumns       string `query:"blob-columns"`
	InsertBlob        string `query:"insert-blob"`
	AttachmentColumns string `query:"attachment-columns"`
	InsertAttachment  string `query:"insert-attachment"`
	InsertDownload    string `query:"insert-download"`
	StaffAuth         string `query:"staff-auth"`
	SetStaffAuth      string `query:"set-staff-auth"`
	InsertSession     string `query:"insert-session"`
	SessionByHash     string `query:"session-by-hash"`
	TouchSession      string `query:"touch-session"`
	RevokeSession     string `query:"revoke-session"`
	RevokeUserSession string `query:"revoke-user-sessions"`
	DeleteRecovery    string `query:"delete-recovery-codes"`
	InsertRecovery    string `query:"insert-recovery-code"`
	UseRecovery       string `query:"use-recovery-code"`
	InsertReveal      string `query:"insert-reveal"`
	RevealColumns     string `query:"reveal-columns"`
	Templates         string `query:"response-templates"`
	InsertTemplate    string `query:"insert-response-template"`
	UpdateTemplate    string `query:"update-response-template"`
	DeleteTemplate    string `query:"delete-response-template"`
	StaffAuths        string `query:"staff-auths"`
	CitizenCode       string `query:"citizen-code"`
	SetCitizenCode    string `query:"set-citizen-code"`
	InsertCitizenSess string `query:"insert-citizen-session"`
	CitizenSessByHash string `query:"citizen-session-by-hash"`
	TouchCitizenSess  string `query:"touch-citizen-session"`
	RevokeCitizenSess string `query:"revoke-citizen-session"`
	AdminJournalHead  string `query:"admin-journal-head"`
}

// journal is the query of a ticket's journal, and walkJournal of a range of tickets' journals: each
// reads the records from every pass's part of the journal's index (journal-passes).
func (q *queries) journal() string     { return q.JournalPasses + "\n" + q.Journal }
func (q *queries) walkJournal() string { return q.JournalPasses + "\n" + q.WalkJournal }

// loadQueries reads queries/common.sql and queries/<engine>.sql and binds every named query to its
// field. A field without a query or a query without a field is an error, so the files and the code
// cannot drift apart.
func loadQueries(engine string) (queries, error) {
	var q queries
	named := map[string]string{}
	for _, file := range []string{"common", engine} {
		if err := readQueries("queries/"+file+".sql", named); err != nil {
			return q, err
		}
	}
	v := reflect.ValueOf(&q).Elem()
	for i := 0; i < v.NumField(); i++ {
		tag, opt := strings.CutSuffix(v.Type().Field(i).Tag.Get("query"), ",optional")
		s, ok := named[tag]
		if !ok && !opt {
			return q, fmt.Errorf("store: no query %q for %s", tag, engine)
		}
		v.Field(i).SetString(s)
		delete(named, tag)
	}
	for n := range named {
		return q, fmt.Errorf("store: query %q (%s) is not used", n, engine)
	}
	return q, nil
}

// readQueries adds the named queries of one file to named.
func readQueries(path string, named map[string]string) error {
	f, err := queryFiles.Open(path)
	if err != nil {
		return fmt.Errorf("store: queries: %w", err)
	}
	defer f.Close()
	var name string
	var body strings.Builder
	flush := func() error {
		if name == "" {
			return nil
		}
		if _, dup := named[name]; dup {
			return fmt.Errorf("store: %s: query %s defined twice", path, name)
		}
		named[name] = strings.TrimSpace(body.String())
		body.Reset()
		return nil
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if n, ok := strings.CutPrefix(strings.TrimSpace(line), "-- name:"); ok {
			if err := flush(); err != nil {
				return err
			}
			name = strings.TrimSpace(n)
			continue
		}
		if name != "" && !strings.HasPrefix(strings.TrimSpace(line), "--") {
			body.WriteString(line)
			body.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("store: %s: %w", path, err)
	}
	return flush()
}
