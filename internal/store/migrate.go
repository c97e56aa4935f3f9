package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFiles embed.FS

// Migration is one numbered, forward-only schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the engine's embedded migrations in order: those of migrations/<engine> and the
// engine-neutral ones of migrations/common (data both engines load alike).
func Migrations(engine string) ([]Migration, error) {
	var ms []Migration
	for _, dir := range []string{path.Join("migrations", engine), "migrations/common"} {
		more, err := readMigrations(dir)
		if err != nil {
			return nil, err
		}
		ms = append(ms, more...)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrate: migrations must be numbered 1, 2, 3… without gaps or twins; %d is number %d", m.Version, i+1)
		}
	}
	return ms, nil
}

func readMigrations(dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migrate: bad migration file name %q (want NNNN_name.sql)", name)
		}
		b, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
		ms = append(ms, Migration{Version: v, Name: rest, SQL: string(b)})
	}
	return ms, nil
}

// migrator is what migrate needs of a database handle: *sql.DB, or the *sql.Conn that holds
// PostgreSQL's migration lock.
type migrator interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// migrate applies every pending migration, each in its own transaction, and records it.
func migrate(ctx context.Context, db migrator, engine string, now func() time.Time, log *slog.Logger) error {
	ms, err := Migrations(engine)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	current, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	if current > len(ms) {
		return fmt.Errorf("migrate: the database is at schema version %d but this Otklik knows only %d; run a newer Otklik", current, len(ms))
	}
	for _, m := range ms[current:] {
		start := time.Now()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate: %04d_%s: %w", m.Version, m.Name, err)
		}
		insert := `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`
		if engine == "postgres" {
			insert = `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`
		}
		if _, err := tx.ExecContext(ctx, insert,
			m.Version, m.Name, now().UnixMicro()); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate: %04d_%s: %w", m.Version, m.Name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate: %04d_%s: %w", m.Version, m.Name, err)
		}
		log.Info("applied migration", "version", m.Version, "name", m.Name, "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

func schemaVersion(ctx context.Context, db migrator) (int, error) {
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	return int(v.Int64), nil
}

// ErrNoDatabase is Open's error, with NoMigrate, when there is no Otklik database at the URL: no SQLite
// file, or a database without Otklik's schema.
var ErrNoDatabase = errors.New("no Otklik database")

// ErrSchema is Open's error, with NoMigrate, when the database's schema is older or newer than this
// build's.
var ErrSchema = errors.New("the database's schema is not this build's")

// checkSchema is Open's check, with NoMigrate, that the database has this build's schema: its
// migrations are not applied, and a tool reading an older or newer schema would fail on a missing
// table or column, or misread one.
func checkSchema(ctx context.Context, db migrator, engine, where string) error {
	ms, err := Migrations(engine)
	if err != nil {
		return err
	}
	var exists bool
	q := "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')"
	if engine == "postgres" {
		q = "SELECT to_regclass('schema_migrations') IS NOT NULL"
	}
	if err := db.QueryRowContext(ctx, q).Scan(&exists); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if !exists {
		return fmt.Errorf("store: %w: %s has no Otklik tables; `otklik migrate` or `otklik serve` creates them", ErrNoDatabase, where)
	}
	v, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	switch {
	case v < len(ms):
		return fmt.Errorf("store: %w: %s is at schema version %d, this build's is %d; `otklik migrate` brings it up to date", ErrSchema, where, v, len(ms))
	case v > len(ms):
		return fmt.Errorf("store: %w: %s is at schema version %d, newer than this build's %d; use the Otklik that wrote it", ErrSchema, where, v, len(ms))
	}
	return nil
}

// SchemaVersion returns the applied and the known schema versions.
func (s *Store) SchemaVersion(ctx context.Context) (applied, known int, err error) {
	ms, err := Migrations(s.engine)
	if err != nil {
		return 0, 0, err
	}
	applied, err = schemaVersion(ctx, s.read)
	return applied, len(ms), err
}
