package russian

import (
	"database/sql"
	"slices"
	"testing"

	_ "modernc.org/sqlite"
)

// MustOpenFTS opens an in-memory SQLite database with an FTS5 table f over
// a column of stems, tokenised the way the store creates it, and fills it
// with IndexText of docs; document i has rowid i+1.
func MustOpenFTS(tb testing.TB, docs []string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // one connection, one in-memory database
	if _, err := db.Exec(`CREATE VIRTUAL TABLE f USING fts5(stems, tokenize='unicode61 remove_diacritics 0')`); err != nil {
		tb.Fatal(err)
	}
	for i, doc := range docs {
		if _, err := db.Exec(`INSERT INTO f(rowid, stems) VALUES (?, ?)`, i+1, IndexText(doc)); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

// search returns the rowids that MATCH expr finds, in order.
func search(tb testing.TB, db *sql.DB, expr string) []int64 {
	tb.Helper()
	rows, err := db.Query(`SELECT rowid FROM f WHERE f MATCH ? ORDER BY rowid`, expr)
	if err != nil {
		tb.Fatalf("MATCH %q: %v", expr, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		tb.Fatalf("MATCH %q: %v", expr, err)
	}
	return ids
}

func TestSQLiteFTS5(t *testing.T) {
	db := MustOpenFTS(t, []string{
		1: "Не могу подать заявление на Госуслугах: ошибка 500 при входе в личный кабинет",
		2: "Прошу проверить счёт за электроэнергию, сумма неверная",
		3: "Обращения жителей по поводу ёлки на площади",
		4: "Password reset e-mail never arrives",
		5: "Статус заявлений не обновляется, номер 26-123456-7",
		6: "Спасибо, всё работает!",
		7: "Не пришел чек на почту",
	}[1:])

	tests := []struct {
		q    string
		want []int64
	}{
		{"заявления", []int64{1, 5}},
		{"ЗАЯВЛЕНИЕ", []int64{1, 5}},
		{"ошибки", []int64{1}},
		{"ошибку 500", []int64{1}},
		{"госуслуги", []int64{1}},
		{"кабинете", []int64{1}},
		{"счет", []int64{2}},
		{"СЧЁТ", []int64{2}},
		{"счета электроэнергии", []int64{2}},
		{"елка", []int64{3}},
		{"обращений", []int64{3}},
		{"passwords", []int64{4}},
		{"email", nil}, // e-mail is indexed as "e mail"
		{"e-mail", []int64{4}},
		{"26-123456-7", []int64{5}},
		{"123456", []int64{5}},
		{"заявление ошибка", []int64{1}}, // every term is required
		{"ошибка счет", nil},
		{"работает", []int64{6}},
		{"пришёл чек", []int64{7}},
		{"ЧЕКИ ПОЧТА", []int64{7}},
		{"всё", nil}, // a stop word: never indexed
		{`заявление" OR "счет`, nil},
		{`ошибка OR счет`, nil}, // OR is a stop word, the rest is AND
		{`заявление NOT ошибка`, nil},
		{`stems:ошибка`, nil},
		{`счет*`, []int64{2}},
		{`NEAR(заявление ошибка)`, nil}, // "near" is just a word
		{`-ошибка (счет) ^заявление {stems}:x`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			expr := FTSQuery(QueryTerms(tt.q))
			if expr == "" {
				t.Fatalf("FTSQuery(QueryTerms(%q)) is empty", tt.q)
			}
			if got := search(t, db, expr); !slices.Equal(got, tt.want) {
				t.Errorf("MATCH %q (from %q) = %v, want %v", expr, tt.q, got, tt.want)
			}
		})
	}

	// Raw user input, not even split into words, is still a valid query that
	// matches only literally.
	for _, raw := range []string{`"`, `a" OR "b`, `*`, `NEAR(a b)`, `AND`, `stems:x`, `-x`, `(`, `)`, `^`, `{stems}`, `'; DROP TABLE f; --`} {
		t.Run("raw "+raw, func(t *testing.T) {
			if got := search(t, db, FTSQuery([]string{raw})); len(got) != 0 {
				t.Errorf("raw term %q found %v, want nothing", raw, got)
			}
		})
	}
}
