package store

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/otklik"
)

// An export is JSON lines: a header, then one line per row, table by table in dependency order, with
// IDs, times (RFC 3339, microseconds, UTC), hashes (base64) and the journal exactly as stored, so
// that `otklik verify` passes on the imported copy. The search index travels as its stems and the
// ticket sequences as the last number issued per year, whatever the engine.

// ExportFormat is the version of the export format.
const ExportFormat = 1

type colKind int

const (
	cInt colKind = iota
	cText
	cTime
	cBlob
)

type column struct {
	name string
	kind colKind
}

type exportTable struct {
	name    string
	columns []column
	order   string
	virtual bool // not a table of the same shape on every engine (search, sequences)
}

func cols(spec string) []column {
	var out []column
	for _, f := range strings.Fields(spec) {
		name, kind, _ := strings.Cut(f, ":")
		k := map[string]colKind{"i": cInt, "s": cText, "t": cTime, "b": cBlob}[kind]
		out = append(out, column{name, k})
	}
	return out
}

// exportTables lists every table and column; TestExportCoversTheSchema fails when a migration adds a
// column this list lacks.
var exportTables = []exportTable{
	{name: "groups", columns: cols("id:i code:s name:s"), order: "id"},
	{name: "calendars", columns: cols("name:s title:s week:s created_at:t updated_at:t updated_by:s"), order: "name"},
	{name: "calendar_overrides", columns: cols("calendar:s day:s kind:s note:s author:s created_at:t"), order: "calendar, day"},
	{name: "sla_policies", columns: cols("code:s name:s position:i category:s channel:s priority:s manual:i first_response:s " +
		"resolution:s calendar:s updated_at:t updated_by:s"), order: "code"},
	{name: "categories", columns: cols("id:i code:s name:s parent_id:i group_id:i position:i"), order: "id"},
	{name: "users", columns: cols("id:i email:s name:s role:s group_id:i password_hash:s disabled:i created_at:t " +
		"totp_secret:s totp_enabled_at:t totp_last_step:i failed_logins:i locked_until:t"), order: "id"},
	{name: "api_tokens", columns: cols("id:i user_id:i name:s hash:b created_at:t last_used_at:t"), order: "id"},
	{name: "requesters", columns: cols("id:i name:s email:s phone:s snils:s inn:s created_at:t"), order: "id"},
	{name: "tickets", columns: cols("id:i number:s channel:s category_id:i priority:s status:s subject:s requester_id:i " +
		"assignee_id:i group_id:i created_at:t updated_at:t first_response_due_at:t due_at:t first_response_at:t " +
		"resolved_at:t closed_at:t version:i journal_seq:i journal_head:b appeal:i sla_policy:s sla_paused_at:t " +
		"sla_flags:i legal_due_at:t sla_extensions:i sla_paused_secs:i"), order: "id"},
	{name: "sla_timers", columns: cols("ticket_id:i next_at:t"), order: "ticket_id"},
	{name: "messages", columns: cols("id:i ticket_id:i author_type:s author_id:i author_name:s channel:s internal:i body:s visible:s created_at:t"), order: "id"},
	{name: "journal", columns: cols("id:i ticket_id:i seq:i at:t actor_type:s actor_id:i actor_name:s channel:s kind:s field:s " +
		"before:s after:s reason:s prev_hash:b hash:b pass:i"), order: "id"},
	{name: "journal_passes", columns: cols("pass:i actor_name:s reason:s"), order: "pass"},
	{name: "ticket_search", columns: cols("ticket_id:i stems:s"), order: "ticket_id", virtual: true},
	{name: "idempotency_keys", columns: cols("scope:s key:s request_hash:b ticket_id:i created_at:t"), order: "scope, key"},
	{name: "jobs", columns: cols("id:i kind:s payload:s status:s attempts:i max_attempts:i run_at:t locked_by:s last_error:s " +
		"created_at:t updated_at:t"), order: "id"},
	{name: "ticket_sequences", columns: cols("year:i next:i"), order: "year", virtual: true},
	{name: "mail", columns: cols("id:i direction:s message_id:s content_sha256:b ticket_id:i message_row_id:i mail_from:s rcpt:s " +
		"subject:s kind:s status:s auth:s phishing:i raw:b error:s created_at:t updated_at:t"), order: "id"},
	{name: "ticket_links", columns: cols("ticket_id:i linked_id:i kind:s created_at:t"), order: "ticket_id, linked_id, kind"},
	{name: "blobs", columns: cols("id:i sha256:b size:i object:s key_id:s wrapped_key:b content_type:s scan:s signature:s " +
		"scanned_at:t deleted_at:t created_at:t"), order: "id"},
	{name: "attachments", columns: cols("id:i ticket_id:i message_id:i blob_id:i name:s safe_name:s channel:s uploader_type:s " +
		"uploader_id:i uploader_name:s created_at:t deleted_at:t deleted_by:s delete_reason:s"), order: "id"},
	{name: "attachment_downloads", columns: cols("id:i attachment_id:i actor_type:s actor_id:i actor_name:s preview:i at:t"), order: "id"},
	{name: "uploads", columns: cols("id:s name:s size:i received:i channel:s owner_type:s owner_id:i owner_name:s key_id:s " +
		"wrapped_key:b created_at:t expires_at:t"), order: "id"},
	{name: "upload_parts", columns: cols("upload_id:s start:i size:i object:s"), order: "upload_id, start"},
	{name: "staff_sessions", columns: cols("hash:b user_id:i pending:i created_at:t last_seen_at:t expires_at:t ip:s user_agent:s " +
		"revoked_at:t"), order: "hash"},
	{name: "recovery_codes", columns: cols("id:i user_id:i hash:b used_at:t"), order: "id"},
	{name: "pd_reveals", columns: cols("id:i user_id:i ticket_id:i field:s at:t"), order: "id"},
	{name: "response_templates", columns: cols("id:i code:s title:s body:s position:i"), order: "id"},
	{name: "saved_filters", columns: cols("id:i user_id:i name:s queue:s query:s"), order: "id"},
	{name: "citizen_codes", columns: cols("address:s code_hash:b expires_at:t failures:i locked_until:t sent_at:t"), order: "address"},
	{name: "citizen_sessions", columns: cols("hash:b email:s via:s created_at:t last_seen_at:t expires_at:t ip:s user_agent:s " +
		"revoked_at:t"), order: "hash"},
	{name: "admin_journal", columns: cols("seq:i at:t actor_type:s actor_id:i actor_name:s channel:s object:s key:s action:s " +
		"before:s after:s reason:s prev_hash:b hash:b"), order: "seq"},
	{name: "admin_journal_head", columns: cols("id:i seq:i hash:b"), order: "id"},
}

// ExportHeader is the first line of an export.
type ExportHeader struct {
	Format     int       `json:"otklik_export"`
	Schema     int       `json:"schema"`
	Engine     string    `json:"engine"`
	ExportedAt time.Time `json:"exported_at"`
}

type exportLine struct {
	Table string                     `json:"table"`
	Row   map[string]json.RawMessage `json:"row"`
}

// selectSQL is how the engine reads a table for export.
func (s *Store) selectSQL(t exportTable) string {
	switch {
	case t.name == "ticket_search" && s.engine == "sqlite":
		return "SELECT rowid, stems FROM ticket_search ORDER BY rowid"
	case t.name == "ticket_search":
		return "SELECT ticket_id, array_to_string(tsvector_to_array(doc), ' ') FROM ticket_search ORDER BY ticket_id"
	case t.name == "ticket_sequences" && s.engine == "postgres":
		return `SELECT substr(sequencename, 12)::int, last_value FROM pg_sequences
		         WHERE schemaname = current_schema() AND sequencename LIKE 'ticket\_seq\_%' AND last_value IS NOT NULL ORDER BY 1`
	}
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = c.name
	}
	return "SELECT " + strings.Join(names, ", ") + " FROM " + t.name + " ORDER BY " + t.order
}

// Export writes every row of the database to w.
func (s *Store) Export(ctx context.Context, w io.Writer) error {
	applied, _, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ExportHeader{Format: ExportFormat, Schema: applied, Engine: s.engine, ExportedAt: s.now().UTC()}); err != nil {
		return err
	}
	// One read transaction: a consistent snapshot even while the server runs.
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil && s.engine == "sqlite" {
		tx, err = s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer tx.Rollback()
	for _, t := range exportTables {
		if err := s.exportTable(ctx, tx, t, enc); err != nil {
			return fmt.Errorf("export %s: %w", t.name, err)
		}
	}
	return bw.Flush()
}

func (s *Store) exportTable(ctx context.Context, tx *sql.Tx, t exportTable, enc *json.Encoder) error {
	rows, err := tx.QueryContext(ctx, s.selectSQL(t))
	if err != nil {
		return err
	}
	defer rows.Close()
	dest := make([]any, len(t.columns))
	for i, c := range t.columns {
		switch c.kind {
		case cInt:
			dest[i] = new(sql.NullInt64)
		case cText:
			dest[i] = new(sql.NullString)
		case cTime:
			dest[i] = new(dbTime)
		case cBlob:
			dest[i] = new([]byte)
		}
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		line := exportLine{Table: t.name, Row: make(map[string]json.RawMessage, len(t.columns))}
		for i, c := range t.columns {
			var v any
			switch d := dest[i].(type) {
			case *sql.NullInt64:
				if d.Valid {
					v = d.Int64
				}
			case *sql.NullString:
				if d.Valid {
					v = d.String
				}
			case *dbTime:
				if d.Valid {
					v = d.T.UTC().Format("2006-01-02T15:04:05.000000Z")
				}
			case *[]byte:
				if *d != nil {
					v = base64.StdEncoding.EncodeToString(*d)
				}
			}
			b, _ := json.Marshal(v)
			line.Row[c.name] = b
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ImportCounts reports how many rows of each table an import loaded.
type ImportCounts map[string]int64

// importBatch is how many rows go into one transaction.
const importBatch = 2000

// Import loads an export into this database, which must hold no data yet beyond the default
// catalogue (which the export replaces). It refuses an export of another schema version.
func (s *Store) Import(ctx context.Context, r io.Reader) (ImportCounts, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<16))
	dec.UseNumber()
	var h ExportHeader
	if err := dec.Decode(&h); err != nil || h.Format == 0 {
		return nil, fmt.Errorf("import: not an Otklik export (the first line must be its header): %v", err)
	}
	if h.Format != ExportFormat {
		return nil, fmt.Errorf("import: export format %d, this Otklik reads %d", h.Format, ExportFormat)
	}
	applied, _, err := s.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if h.Schema != applied {
		return nil, fmt.Errorf("import: the export is of schema version %d, this database is at %d: import with the Otklik version that exported it", h.Schema, applied)
	}
	if err := s.importPrepare(ctx); err != nil {
		return nil, err
	}
	tables := map[string]exportTable{}
	for _, t := range exportTables {
		tables[t.name] = t
	}
	counts := ImportCounts{}
	var batch []exportLine
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.Write(ctx, func(tx otklik.Tx) error {
			for _, l := range batch {
				if err := s.importRow(ctx, tx.(*txn), tables[l.Table], l.Row); err != nil {
					return fmt.Errorf("%s row %s: %w", l.Table, rowID(l.Row), err)
				}
			}
			return nil
		})
		for _, l := range batch {
			counts[l.Table]++
		}
		batch = batch[:0]
		return err
	}
	for {
		var l exportLine
		err := dec.Decode(&l)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return counts, fmt.Errorf("import: line %d: %w", sumCounts(counts)+len(batch)+2, err)
		}
		if _, ok := tables[l.Table]; !ok {
			return counts, fmt.Errorf("import: unknown table %q", l.Table)
		}
		if len(batch) > 0 && batch[len(batch)-1].Table != l.Table {
			if err := flush(); err != nil {
				return counts, fmt.Errorf("import: %w", err)
			}
		}
		batch = append(batch, l)
		if len(batch) >= importBatch {
			if err := flush(); err != nil {
				return counts, fmt.Errorf("import: %w", err)
			}
		}
	}
	if err := flush(); err != nil {
		return counts, fmt.Errorf("import: %w", err)
	}
	return counts, s.importFinish(ctx)
}

func rowID(row map[string]json.RawMessage) string {
	if id, ok := row["id"]; ok {
		return string(id)
	}
	return ""
}

func sumCounts(c ImportCounts) int {
	n := 0
	for _, v := range c {
		n += int(v)
	}
	return n
}

// importPrepare checks the database is empty and removes the default catalogue, calendars and policies,
// and the administration journal's empty head (the export brings its own).
func (s *Store) importPrepare(ctx context.Context) error {
	var n int64
	err := s.read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM tickets) + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM requesters) + (SELECT COUNT(*) FROM jobs) + (SELECT COUNT(*) FROM admin_journal)`).Scan(&n)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if n > 0 {
		return errors.New("import: the database already holds data; import into a new, empty database")
	}
	return s.Write(ctx, func(tx otklik.Tx) error {
		for _, q := range []string{"DELETE FROM response_templates", "DELETE FROM sla_policies", "DELETE FROM calendar_overrides", "DELETE FROM calendars",
			"DELETE FROM categories WHERE parent_id IS NOT NULL", "DELETE FROM categories", "DELETE FROM groups", "DELETE FROM admin_journal_head"} {
			if _, err := tx.(*txn).ex.exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}

// importRow inserts one exported row.
func (s *Store) importRow(ctx context.Context, tx *txn, t exportTable, row map[string]json.RawMessage) error {
	args := make([]any, len(t.columns))
	for i, c := range t.columns {
		raw, ok := row[c.name]
		if !ok {
			return fmt.Errorf("column %s missing", c.name)
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("column %s: %w", c.name, err)
		}
		if v == nil {
			continue
		}
		str, _ := v.(string)
		switch c.kind {
		case cInt:
			n, err := strconv.ParseInt(strings.Trim(string(raw), `"`), 10, 64)
			if err != nil {
				return fmt.Errorf("column %s: %w", c.name, err)
			}
			args[i] = n
		case cText:
			args[i] = str
		case cTime:
			tm, err := time.Parse(time.RFC3339Nano, str)
			if err != nil {
				return fmt.Errorf("column %s: %w", c.name, err)
			}
			args[i] = s.tv(tm)
		case cBlob:
			b, err := base64.StdEncoding.DecodeString(str)
			if err != nil {
				return fmt.Errorf("column %s: %w", c.name, err)
			}
			args[i] = b
		}
	}
	switch {
	case t.name == "ticket_search":
		return tx.IndexTicket(ctx, args[0].(int64), args[1].(string), true)
	case t.name == "ticket_sequences" && s.engine == "postgres":
		name := "ticket_seq_" + strconv.FormatInt(args[0].(int64), 10)
		if err := s.ensureSequence(ctx, name); err != nil {
			return err
		}
		_, err := tx.ex.exec(ctx, "SELECT setval('"+name+"', ?)", args[1])
		return err
	}
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = c.name
	}
	q := "INSERT INTO " + t.name + " (" + strings.Join(names, ", ") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ") + ")"
	_, err := tx.ex.exec(ctx, q, args...)
	return err
}

// importFinish moves PostgreSQL's identity sequences past the imported IDs.
func (s *Store) importFinish(ctx context.Context) error {
	if s.engine != "postgres" {
		return nil
	}
	for _, t := range exportTables {
		if t.virtual || t.columns[0].name != "id" || t.columns[0].kind != cInt {
			continue
		}
		q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)", t.name, t.name)
		if _, err := s.read.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("import: resetting %s ids: %w", t.name, err)
		}
	}
	return nil
}

// ExportedColumns lists "table.column" for every column an export carries.
func ExportedColumns() []string {
	var out []string
	for _, t := range exportTables {
		for _, c := range t.columns {
			out = append(out, t.name+"."+c.name)
		}
	}
	return out
}
