package service_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/files"
	"github.com/otklik/otklik/internal/files/clamd"
	"github.com/otklik/otklik/internal/files/sealed"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

type fileFixture struct {
	*mailFixture
	vault   *files.Vault
	dir     string // the blob store's root
	keysDir string
	number  string
	staff   otklik.Actor
	other   otklik.Actor
}

func newFileFixture(t *testing.T, engine string, scanning bool) *fileFixture {
	t.Helper()
	vault, dir, keysDir := testkit.NewVault(t)
	clock := testkit.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	st := testkit.MustOpenStoreEngine(t, engine, clock.Now)
	svc := service.New(service.Options{Store: st, Now: clock.Now, Lifecycle: otklik.Lifecycle{ReopenClosedDays: 30},
		Mail:  service.MailOptions{Address: "support@gosuslugi.example", Name: "Служба поддержки"},
		Files: service.FileOptions{Vault: vault, Scanning: scanning}})
	f := &fileFixture{mailFixture: &mailFixture{svc: svc, st: st, clock: clock}, vault: vault, dir: dir, keysDir: keysDir,
		staff: otklik.Actor{Type: otklik.ActorStaff, ID: 7, Name: "Петрова Анна", Channel: otklik.ChannelAPI},
		other: otklik.Actor{Type: otklik.ActorStaff, ID: 8, Name: "Сидоров Олег", Channel: otklik.ChannelAPI}}
	out := f.ingest(t, f.msg("maria@mail.example.ru", "Не загружается скан паспорта", "Здравствуйте!"))
	f.number = out.Ticket
	return f
}

// objects counts the contents in the blob store.
func (f *fileFixture) objects(t *testing.T) int { return testkit.CountObjects(t, f.dir) }

func pdf(text string) []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text + "\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

func (f *fileFixture) viewer(a otklik.Actor, group string) service.Viewer {
	return service.Viewer{Actor: a, Role: otklik.RoleOperator, Group: group}
}

func readAll(t *testing.T, c *files.Content) []byte {
	t.Helper()
	defer c.Close()
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAttachments(t *testing.T) { testkit.ForEachEngine(t, testAttachments) }

func testAttachments(t *testing.T, engine string) {
	f := newFileFixture(t, engine, true)
	ctx := context.Background()
	content := pdf("скан паспорта")
	a, err := f.svc.Attach(ctx, f.staff, f.number, service.NewFile{Name: "../../паспорт.pdf", Content: bytes.NewReader(content)})
	if err != nil {
		t.Fatal(err)
	}
	if a.Blob.Scan != otklik.ScanPending || a.Blob.ContentType != "application/pdf" || a.Blob.Size != int64(len(content)) ||
		a.SafeName != "паспорт.pdf" || a.Name != "../../паспорт.pdf" {
		t.Errorf("attached: %+v %+v", a, a.Blob)
	}
	// The store holds it sealed: the plaintext is nowhere on disk.
	if n := f.objects(t); n != 1 {
		t.Fatalf("%d objects after one file", n)
	}
	_ = filepath.WalkDir(f.dir, func(p string, d os.DirEntry, err error) error {
		if b, _ := os.ReadFile(p); !d.IsDir() && bytes.Contains(b, []byte("PDF-1.4")) {
			t.Errorf("%s holds the plaintext", p)
		}
		return nil
	})

	// Before the scan only the uploader may open it.
	if _, _, err := f.svc.OpenAttachment(ctx, f.viewer(f.other, ""), a.ID, false); !otklik.IsCode(err, otklik.EFORBIDDEN) {
		t.Errorf("another operator opened an unscanned file: %v", err)
	}
	_, c, err := f.svc.OpenAttachment(ctx, f.viewer(f.staff, ""), a.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, c); !bytes.Equal(got, content) {
		t.Errorf("the uploader read %d bytes, want the %d attached", len(got), len(content))
	}

	// The scan job: clean → everyone who works tickets may open it; every opening is recorded.
	v, err := f.svc.ScanBlob(ctx, a.Blob.ID, func(ctx context.Context, r io.Reader) (bool, string, error) {
		b, _ := io.ReadAll(r)
		if !bytes.Equal(b, content) {
			t.Errorf("the scanner got %d bytes, not the content", len(b))
		}
		return false, "", nil
	})
	if err != nil || v.Scan != otklik.ScanClean {
		t.Fatalf("scan: %+v %v", v, err)
	}
	if err := f.st.Write(ctx, func(tx otklik.Tx) error { return f.svc.RecordScan(ctx, tx, a.Blob.ID, v) }); err != nil {
		t.Fatal(err)
	}
	_, c, err = f.svc.OpenAttachment(ctx, f.viewer(f.other, ""), a.ID, false)
	if err != nil {
		t.Fatalf("a clean file: %v", err)
	}
	c.Close()
	if _, _, err := f.svc.OpenAttachment(ctx, service.Viewer{Actor: f.other, Role: otklik.RoleAuditor}, a.ID, false); !otklik.IsCode(err, otklik.EFORBIDDEN) {
		t.Errorf("an auditor opened a citizen's file: %v", err)
	}
	ds, _ := f.svc.Downloads(ctx, a.ID)
	if len(ds) != 2 || ds[0].Actor.ID != f.staff.ID || ds[1].Actor.ID != f.other.ID {
		t.Errorf("downloads: %+v", ds)
	}

	// The same content again: a second attachment, one stored content.
	b2, err := f.svc.Attach(ctx, f.other, f.number, service.NewFile{Name: "копия.pdf", Content: bytes.NewReader(content)})
	if err != nil {
		t.Fatal(err)
	}
	if b2.Blob.ID != a.Blob.ID || b2.Blob.Scan != otklik.ScanClean {
		t.Errorf("identical content: blob %d (%s), want %d (clean)", b2.Blob.ID, b2.Blob.Scan, a.Blob.ID)
	}
	if n := f.objects(t); n != 1 {
		t.Errorf("%d objects for one content", n)
	}

	// Refused files leave nothing: not in the store, not on the ticket, not in the journal.
	before, _ := f.svc.Journal(ctx, f.number)
	for _, c := range []struct {
		name, content, key string
		max                bool
	}{
		{"договор.pdf", "MZ\x90\x00 this program cannot be run in DOS mode", "file.type_not_allowed", false},
		{"пусто.pdf", "", "file.empty", false},
		{"большой.pdf", string(pdf(strings.Repeat("x", 6<<20))), "file.too_large", true},
	} {
		_, err := f.svc.Attach(ctx, f.staff, f.number, service.NewFile{Name: c.name, Content: strings.NewReader(c.content)})
		var oe *otklik.Error
		if !errors.As(err, &oe) || oe.Code != otklik.EINVALID || len(oe.Fields) == 0 || oe.Fields[0].Key != c.key {
			t.Errorf("%s: %v, want %s", c.name, err, c.key)
		}
	}
	after, _ := f.svc.Journal(ctx, f.number)
	atts, _ := f.svc.Attachments(ctx, f.number)
	if n := f.objects(t); n != 1 || len(after) != len(before) || len(atts) != 2 {
		t.Errorf("refused files left %d objects, %d journal records, %d attachments", n, len(after)-len(before), len(atts))
	}
	// A ticket that does not exist is refused before the upload is read.
	if _, err := f.svc.Attach(ctx, f.staff, "26-999999-0", service.NewFile{Name: "x.pdf", Content: bytes.NewReader(content)}); !otklik.IsCode(err, otklik.ENOTFOUND) {
		t.Errorf("no such ticket: %v", err)
	}

	// Deleting one attachment keeps the content for the other; deleting both removes it and keeps
	// the records.
	if err := f.svc.DeleteAttachment(ctx, f.staff, a.ID, ""); !otklik.IsCode(err, otklik.EINVALID) {
		t.Errorf("deletion without a reason: %v", err)
	}
	if err := f.svc.DeleteAttachment(ctx, f.staff, a.ID, "Срок хранения истёк"); err != nil {
		t.Fatal(err)
	}
	if n := f.objects(t); n != 1 {
		t.Errorf("content shared by another attachment was removed")
	}
	if err := f.svc.DeleteAttachment(ctx, f.staff, b2.ID, "Отправлено по ошибке"); err != nil {
		t.Fatal(err)
	}
	if n := f.objects(t); n != 0 {
		t.Errorf("%d objects after both attachments were deleted", n)
	}
	if _, _, err := f.svc.OpenAttachment(ctx, f.viewer(f.staff, ""), a.ID, false); !otklik.IsCode(err, otklik.ENOTFOUND) {
		t.Errorf("a deleted file opened: %v", err)
	}
	gone, err := f.svc.Attachment(ctx, b2.ID)
	if err != nil || gone.DeleteReason != "Отправлено по ошибке" || gone.DeletedBy != f.staff.Name || gone.DeletedAt.IsZero() {
		t.Errorf("the record of a deletion: %+v %v", gone, err)
	}
	recs, _ := f.svc.Journal(ctx, f.number)
	var attached, deleted int
	for _, r := range recs {
		if r.Kind == otklik.KindFile && r.Field == "attached" {
			attached++
		}
		if r.Kind == otklik.KindFile && r.Field == "deleted" {
			deleted++
		}
	}
	if attached != 2 || deleted != 2 {
		t.Errorf("journal: %d attached, %d deleted records", attached, deleted)
	}
	// The same content sent again after its deletion is stored afresh.
	again, err := f.svc.Attach(ctx, f.staff, f.number, service.NewFile{Name: "паспорт.pdf", Content: bytes.NewReader(content)})
	if err != nil || again.Blob.ID == a.Blob.ID || again.Blob.Scan != otklik.ScanPending {
		t.Errorf("content sent again after deletion: %+v %v", again, err)
	}

	// The retention hook: every live file of the ticket goes, each with its record; run again, nothing.
	if _, err := f.svc.Attach(ctx, f.other, f.number, service.NewFile{Name: "справка.pdf", Content: bytes.NewReader(pdf("другой"))}); err != nil {
		t.Fatal(err)
	}
	if n, err := f.svc.DeleteTicketFiles(ctx, otklik.SystemActor, f.number, "Срок хранения обращения истёк"); err != nil || n != 2 {
		t.Errorf("retention: %d files deleted, %v; want 2", n, err)
	}
	if n := f.objects(t); n != 0 {
		t.Errorf("%d objects after the ticket's files were deleted", n)
	}
	if n, err := f.svc.DeleteTicketFiles(ctx, otklik.SystemActor, f.number, "Срок хранения обращения истёк"); err != nil || n != 0 {
		t.Errorf("retention again: %d, %v", n, err)
	}
	atts, _ = f.svc.Attachments(ctx, f.number)
	for _, a := range atts {
		if a.DeletedAt.IsZero() || a.DeleteReason == "" {
			t.Errorf("attachment %d %q: no record of its deletion", a.ID, a.Name)
		}
	}
	if rep, err := f.svc.Verify(ctx); err != nil || rep.Broken != nil {
		t.Fatalf("verify: %v %+v", err, rep.Broken)
	}
}

// TestInfectedFile: a file the antivirus flags is blocked for everyone but the security group, the
// ticket's journal says so, and a citizen who sent it by e-mail is told why.
func TestInfectedFile(t *testing.T) { testkit.ForEachEngine(t, testInfectedFile) }

func testInfectedFile(t *testing.T, engine string) {
	f := newFileFixture(t, engine, true)
	ctx := context.Background()
	stored, err := f.svc.StoreFile(ctx, "счёт.pdf", otklik.ChannelEmail, bytes.NewReader(pdf("virus")))
	if err != nil {
		t.Fatal(err)
	}
	out := f.ingest(t, f.msg("maria@mail.example.ru", "Re: [№ "+f.number+"]", "Прикладываю счёт", func(in *service.InboundMail) {
		in.Files = []*service.StoredFile{stored}
	}))
	if out.Kind != otklik.MailReply {
		t.Fatalf("reply with a file: %+v", out)
	}
	atts, _ := f.svc.Attachments(ctx, f.number)
	if len(atts) != 1 || atts[0].Uploader.Type != otklik.ActorRequester || atts[0].MessageID == 0 {
		t.Fatalf("attachments: %+v", atts)
	}
	a := atts[0]
	v, err := f.svc.ScanBlob(ctx, a.Blob.ID, func(context.Context, io.Reader) (bool, string, error) {
		return true, "Eicar-Test-Signature", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.Write(ctx, func(tx otklik.Tx) error { return f.svc.RecordScan(ctx, tx, a.Blob.ID, v) }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.OpenAttachment(ctx, f.viewer(f.staff, "line1"), a.ID, false); !otklik.IsCode(err, otklik.EFORBIDDEN) {
		t.Errorf("an operator opened an infected file: %v", err)
	}
	_, c, err := f.svc.OpenAttachment(ctx, f.viewer(f.staff, "security"), a.ID, false)
	if err != nil {
		t.Fatalf("the security group: %v", err)
	}
	c.Close()
	recs, _ := f.svc.Journal(ctx, f.number)
	last := recs[len(recs)-1]
	if last.Kind != otklik.KindFile || last.Field != "infected" || !strings.Contains(last.After, "Eicar-Test-Signature") {
		t.Errorf("journal: %+v", last)
	}
	notice := false
	for _, m := range f.outbox(t) {
		if m.Kind == otklik.MailNotice && m.Subject == "Файл не принят" && m.To == "maria@mail.example.ru" {
			notice = true
		}
	}
	if !notice {
		t.Errorf("the citizen was not told that the file was blocked")
	}
}

// TestRewrapKeys: after a new master key, every data key is wrapped by it and the files still open.
func TestRewrapKeys(t *testing.T) {
	f := newFileFixture(t, "sqlite", false)
	ctx := context.Background()
	var ids []int64
	for _, s := range []string{"один", "два", "три"} {
		a, err := f.svc.Attach(ctx, f.staff, f.number, service.NewFile{Name: s + ".pdf", Content: bytes.NewReader(pdf(s))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	old := f.vault.CurrentKey()
	id, err := sealed.CreateKey(f.keysDir)
	if err != nil {
		t.Fatal(err)
	}
	// This process's keyring does not know the new key yet: the vault reloads it when it meets it.
	keys, _ := sealed.LoadKeyring(f.keysDir)
	f.vault.Keys = keys
	n, err := f.svc.RewrapKeys(ctx)
	if err != nil || n != 3 {
		t.Fatalf("rewrapped %d: %v", n, err)
	}
	for _, aid := range ids {
		a, _ := f.svc.Attachment(ctx, aid)
		if a.Blob.KeyID != id || a.Blob.KeyID == old {
			t.Errorf("attachment %d wrapped by %s, want %s", aid, a.Blob.KeyID, id)
		}
		_, c, err := f.svc.OpenAttachment(ctx, f.viewer(f.staff, ""), aid, false)
		if err != nil {
			t.Fatalf("open after rewrap: %v", err)
		}
		if !bytes.HasPrefix(readAll(t, c), []byte("%PDF")) {
			t.Errorf("attachment %d reads wrong after rewrap", aid)
		}
	}
	if n, err := f.svc.RewrapKeys(ctx); err != nil || n != 0 {
		t.Errorf("second rewrap: %d %v", n, err)
	}
}

// TestScanWithRealClamd scans the EICAR test file and a clean file with a real clamd.
func TestScanWithRealClamd(t *testing.T) {
	addr := os.Getenv("OTKLIK_TEST_CLAMD")
	if addr == "" {
		t.Skip("OTKLIK_TEST_CLAMD is not set: run .ci/clamd/start.sh and export what it prints")
	}
	client, err := clamd.New(addr)
	if err != nil {
		t.Fatal(err)
	}
	scan := func(ctx context.Context, r io.Reader) (bool, string, error) {
		res, err := client.Scan(ctx, r)
		return res.Infected, res.Signature, err
	}
	f := newFileFixture(t, "sqlite", true)
	testkit.NeedPageCache(t, f.dir)
	ctx := context.Background()
	// EICAR inside a PDF-looking file, assembled here so that this source is not itself flagged.
	eicar := `X5O!P%@AP[4\PZX54(P^)7CC)7}$` + `EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`
	for _, c := range []struct {
		name, content string
		want          otklik.ScanStatus
	}{
		{"чистый.pdf", string(pdf("обычный документ")), otklik.ScanClean},
		{"eicar.pdf", string(pdf(eicar)), otklik.ScanInfected},
	} {
		a, err := f.svc.Attach(ctx, f.staff, f.number, service.NewFile{Name: c.name, Content: strings.NewReader(c.content)})
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.svc.ScanBlob(ctx, a.Blob.ID, scan)
		if err != nil || v.Scan != c.want {
			t.Errorf("%s: %+v %v, want %s", c.name, v, err, c.want)
		}
		// The scan read the file once; its pages leave the page cache after it.
		if n := testkit.ResidentPages(t, testkit.ObjectPath(f.dir, a.Blob.Object)); n != 0 {
			t.Errorf("%s: %d pages still cached after the scan, want none", c.name, n)
		}
	}
}
