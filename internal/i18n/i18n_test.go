package i18n_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/otklik/otklik/internal/i18n"
	"github.com/otklik/otklik/internal/identity"
	"github.com/otklik/otklik/internal/otklik"
)

func TestCataloguesHaveTheSameKeys(t *testing.T) {
	ru, en := i18n.Keys(i18n.RU), i18n.Keys(i18n.EN)
	in := func(keys []string) map[string]bool {
		m := map[string]bool{}
		for _, k := range keys {
			m[k] = true
		}
		return m
	}
	mru, men := in(ru), in(en)
	for _, k := range ru {
		if !men[k] {
			t.Errorf("%q is in ru.json but not in en.json", k)
		}
	}
	for _, k := range en {
		if !mru[k] {
			t.Errorf("%q is in en.json but not in ru.json", k)
		}
	}
}

func TestT(t *testing.T) {
	tests := []struct {
		lang, key string
		args      map[string]string
		want      string
	}{
		{"ru", "ticket.not_found", map[string]string{"number": "26-100001-2"}, "Обращение № 26-100001-2 не найдено."},
		{"en", "ticket.not_found", map[string]string{"number": "26-100001-2"}, "Ticket 26-100001-2 was not found."},
		{"ru", "no.such.key", nil, "no.such.key"},
		{"de", "field.required", nil, "Заполните это поле."},
		{"ru", "field.too_long", map[string]string{"max": "255"}, "Слишком длинное значение: не более 255 символов (сейчас {len})."},
	}
	for _, tt := range tests {
		if got := i18n.T(tt.lang, tt.key, tt.args); got != tt.want {
			t.Errorf("T(%s, %s) = %q, want %q", tt.lang, tt.key, got, tt.want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	for h, want := range map[string]string{
		"": "ru", "en": "en", "en-US,en;q=0.9": "en", "ru-RU,ru;q=0.9,en;q=0.8": "ru",
		"de,en;q=0.5": "en", "de": "ru", "en;q=0.3,ru;q=0.7": "ru", "EN-gb": "en", "en;q=bad": "ru",
	} {
		if got := i18n.Negotiate(h); got != want {
			t.Errorf("Negotiate(%q) = %q, want %q", h, got, want)
		}
	}
}

// TestEveryKeyInTheCodeIsInTheCatalogue finds the message keys the code passes — Key: "…" fields,
// and string arguments of Errorf, NotFound and Validation.Add — and checks both catalogues have them.
func TestEveryKeyInTheCodeIsInTheCatalogue(t *testing.T) {
	keys := map[string]string{} // key → where
	fset := token.NewFileSet()
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		lit := func(e ast.Expr) {
			if bl, ok := e.(*ast.BasicLit); ok && bl.Kind == token.STRING {
				if s, err := strconv.Unquote(bl.Value); err == nil {
					keys[s] = fset.Position(bl.Pos()).String()
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.KeyValueExpr:
				if id, ok := x.Key.(*ast.Ident); ok && id.Name == "Key" {
					lit(x.Value)
				}
			case *ast.CallExpr:
				var name string
				switch fn := x.Fun.(type) {
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				case *ast.Ident:
					name = fn.Name
				}
				switch name {
				case "Errorf":
					if len(x.Args) >= 2 {
						lit(x.Args[1])
					}
				case "NotFound":
					if len(x.Args) == 1 {
						lit(x.Args[0])
					}
				case "Add":
					if len(x.Args) == 3 {
						lit(x.Args[1])
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) < 40 {
		t.Fatalf("found only %d keys; the scan is broken", len(keys))
	}
	for _, c := range []string{identity.CodeSNILSFormat, identity.CodeSNILSChecksum, identity.CodeSNILSZero,
		identity.CodeINNFormat, identity.CodeINNChecksum, identity.CodeINNZero, identity.CodeOGRNFormat,
		identity.CodeOGRNChecksum, identity.CodePhoneFormat, identity.CodePhoneInvalid, identity.CodeEmailFormat} {
		keys[c] = "internal/identity"
	}
	for _, s := range otklik.Statuses {
		keys["status_name."+string(s)] = "status names"
	}
	for _, c := range []otklik.Code{otklik.EINVALID, otklik.EMALFORMED, otklik.ENOTFOUND, otklik.ECONFLICT,
		otklik.EUNAUTHORIZED, otklik.EFORBIDDEN, otklik.ETOOLARGE, otklik.EUNAVAILABLE, otklik.EINTERNAL,
		otklik.ERATELIMITED, otklik.EUNSUPPORTED, otklik.EPRECONDITION} {
		keys["status."+string(c)] = "problem titles"
	}
	for k, where := range keys {
		if !strings.Contains(k, ".") || strings.Contains(k, " ") || strings.Contains(k, "%") {
			continue // not a message key (format strings and the like passed to Errorf)
		}
		for _, lang := range []string{i18n.RU, i18n.EN} {
			if !i18n.Has(lang, k) {
				t.Errorf("%s: key %q is missing from catalog/%s.json", where, k, lang)
			}
		}
	}
}
