package service_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

type mailFixture struct {
	svc   *service.Service
	st    otklik.Store
	clock *testkit.Clock
	n     int
}

func newMailFixture(t *testing.T, engine string, relay bool) *mailFixture {
	t.Helper()
	clock := testkit.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	st := testkit.MustOpenStoreEngine(t, engine, clock.Now)
	svc := service.New(service.Options{Store: st, Now: clock.Now, Lifecycle: otklik.Lifecycle{ReopenClosedDays: 30},
		Mail: service.MailOptions{Address: "support@gosuslugi.example", Name: "Служба поддержки", Relay: relay,
			PublicURL: "https://support.gosuslugi.example"}})
	return &mailFixture{svc: svc, st: st, clock: clock}
}

// msg makes an inbound message; fields override the defaults.
func (f *mailFixture) msg(from, subject, text string, opts ...func(*service.InboundMail)) service.InboundMail {
	f.n++
	sum := sha256.Sum256([]byte(fmt.Sprint(f.n, from, subject, text)))
	in := service.InboundMail{MessageID: fmt.Sprintf("m%d@mail.example.ru", f.n), ContentSHA256: sum[:], FromEmail: from,
		FromName: "Иванова Мария", To: "support@gosuslugi.example", Subject: subject, Text: text, Auth: `{"dmarc":"none"}`}
	for _, o := range opts {
		o(&in)
	}
	return in
}

func (f *mailFixture) ingest(t *testing.T, in service.InboundMail) *service.MailOutcome {
	t.Helper()
	out, err := f.svc.IngestMail(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *mailFixture) outbox(t *testing.T) []*otklik.MailRecord {
	t.Helper()
	ms, err := f.st.Mails(context.Background(), otklik.MailFilter{Direction: otklik.MailOut, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// rawOf reads an outbound message's raw form back.
func (f *mailFixture) rawOf(t *testing.T, id int64) *mail.Reader {
	t.Helper()
	m, err := f.svc.OutboundMail(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	r, err := mail.CreateReader(bytes.NewReader(m.Raw))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMailIntake(t *testing.T) { testkit.ForEachEngine(t, testMailIntake) }

func testMailIntake(t *testing.T, engine string) {
	f := newMailFixture(t, engine, false)
	ctx := context.Background()

	// A new message makes a ticket and an acknowledgement waits in the outbox (no relay).
	first := f.msg("maria@mail.example.ru", "Не приходит код подтверждения", "Здравствуйте! Не приходит СМС с кодом.")
	out := f.ingest(t, first)
	if out.Kind != otklik.MailTicket || out.Ticket == "" {
		t.Fatalf("first message: %+v", out)
	}
	v, _ := f.svc.Ticket(ctx, out.Ticket)
	if v.Ticket.Channel != otklik.ChannelEmail || v.Ticket.Requester.Email != "maria@mail.example.ru" || v.Ticket.Requester.Name != "Иванова Мария" {
		t.Errorf("ticket %+v", v.Ticket)
	}
	box := f.outbox(t)
	if len(box) != 1 || box[0].Kind != otklik.MailAck || box[0].Status != otklik.MailHeld || box[0].To != "maria@mail.example.ru" {
		t.Fatalf("outbox %+v", box)
	}
	ack := f.rawOf(t, box[0].ID)
	subj, _ := ack.Header.Subject()
	irt, _ := ack.Header.MsgIDList("In-Reply-To")
	if !strings.Contains(subj, "[№ "+out.Ticket+"]") || len(irt) != 1 || irt[0] != first.MessageID || ack.Header.Get("Auto-Submitted") != "auto-replied" {
		t.Errorf("ack: subject %q, In-Reply-To %v, Auto-Submitted %q", subj, irt, ack.Header.Get("Auto-Submitted"))
	}
	status := "Состояние обращения можно проверить на сайте: https://support.gosuslugi.example/status?number=" + out.Ticket + "\r\n" // CRLF on the wire
	if text := f.textOf(t, box[0].ID); !strings.Contains(text, status) {
		t.Errorf("the acknowledgement does not link the status page:\n%s", text)
	}

	// The same message delivered again is taken in once.
	if again := f.ingest(t, first); !again.Duplicate || again.Ticket != out.Ticket {
		t.Errorf("redelivery: %+v", again)
	}

	// A reply to our acknowledgement joins the ticket and takes it out of waiting.
	if _, err := f.svc.ChangeStatus(ctx, otklik.SystemActor, out.Ticket, service.StatusChange{Status: otklik.StatusWaiting}); err != nil {
		t.Fatal(err)
	}
	reply := f.msg("Maria@Mail.Example.ru", "Re: [№ "+out.Ticket+"] Обращение зарегистрировано", "Код так и не пришёл.\n\n> старое", func(in *service.InboundMail) {
		in.InReplyTo = []string{box[0].MessageID}
		in.Visible = "Код так и не пришёл."
	})
	if r := f.ingest(t, reply); r.Kind != otklik.MailReply || r.Ticket != out.Ticket {
		t.Fatalf("reply: %+v", r)
	}
	v, _ = f.svc.Ticket(ctx, out.Ticket)
	last := v.Messages[len(v.Messages)-1]
	if v.Ticket.Status != otklik.StatusInProgress || len(v.Messages) != 2 || last.Visible != "Код так и не пришёл." || !strings.Contains(last.Body, "> старое") {
		t.Errorf("after reply: status %s, %d messages, last %+v", v.Ticket.Status, len(v.Messages), last)
	}

	// The number in the subject from the requester joins; from a stranger it makes a new ticket.
	if r := f.ingest(t, f.msg("maria@mail.example.ru", "Дополнение к № "+out.Ticket, "Ещё скриншот")); r.Kind != otklik.MailReply || r.Ticket != out.Ticket {
		t.Errorf("numbered from requester: %+v", r)
	}
	stranger := f.ingest(t, f.msg("evil@example.com", "Re: [№ "+out.Ticket+"]", "Пустите меня"))
	if stranger.Kind != otklik.MailTicket || stranger.Ticket == out.Ticket {
		t.Errorf("a stranger got into the ticket: %+v", stranger)
	}

	// «Статус обращения»: the requester gets the status; a stranger gets no details.
	before := len(f.outbox(t))
	if r := f.ingest(t, f.msg("maria@mail.example.ru", "Статус обращения № "+out.Ticket, "")); r.Kind != otklik.MailStatusRequest || r.Ticket != out.Ticket {
		t.Errorf("status request: %+v", r)
	}
	box = f.outbox(t)
	if len(box) != before+1 || box[0].Kind != otklik.MailStatusAnswer {
		t.Fatalf("status answer: %+v", box[0])
	}
	if text := f.textOf(t, box[0].ID); !strings.Contains(text, "«В работе»") || !strings.Contains(text, out.Ticket) || !strings.Contains(text, status) {
		t.Errorf("the status answer does not give the status: %q", text)
	}
	if r := f.ingest(t, f.msg("evil@example.com", "Статус обращения № "+out.Ticket, "")); r.Kind != otklik.MailStatusRequest || r.Ticket != "" {
		t.Errorf("stranger's status request: %+v", r)
	}
	if n := f.outbox(t)[0]; n.Kind != otklik.MailNotice || strings.Contains(f.textOf(t, n.ID), "В работе") || strings.Contains(f.textOf(t, n.ID), out.Ticket) {
		t.Errorf("stranger's answer: %+v %q", n, f.textOf(t, n.ID))
	}

	// «Повторное» makes a new ticket linked to the original, and both journals say so.
	rep := f.ingest(t, f.msg("maria@mail.example.ru", "Повторное обращение № "+out.Ticket, "Прошла неделя, ответа нет."))
	if rep.Kind != otklik.MailRepeat || rep.Ticket == out.Ticket {
		t.Fatalf("repeat: %+v", rep)
	}
	orig, _ := f.svc.Ticket(ctx, out.Ticket)
	links, err := f.st.Links(ctx, orig.Ticket.ID)
	if err != nil || len(links) != 1 || links[0].Kind != "repeated_by" || links[0].Number != rep.Ticket {
		t.Errorf("links of the original: %+v %v", links, err)
	}
	j, _ := f.svc.Journal(ctx, rep.Ticket)
	if j[len(j)-1].Kind != otklik.KindLink || j[len(j)-1].After != out.Ticket {
		t.Errorf("repeat's journal: %+v", j[len(j)-1])
	}

	// Noise never makes a ticket or an answer.
	before = len(f.outbox(t))
	for _, kind := range []otklik.MailKind{otklik.MailAutoReply, otklik.MailBulk, otklik.MailFeedback} {
		if r := f.ingest(t, f.msg("robot@example.com", "Автоответ: нет на месте", "Я в отпуске", func(in *service.InboundMail) { in.Noise = kind })); r.Kind != kind || r.Ticket != "" {
			t.Errorf("%s: %+v", kind, r)
		}
	}
	if r := f.ingest(t, f.msg("support@gosuslugi.example", "Петля", "Письмо от самих себя")); r.Kind != otklik.MailSelf {
		t.Errorf("self: %+v", r)
	}
	if len(f.outbox(t)) != before {
		t.Errorf("noise was answered")
	}

	// A bounce of our acknowledgement is recorded on the ticket.
	ackID := f.outboxOf(t, out.Ticket, otklik.MailAck).MessageID
	b := f.ingest(t, f.msg("mailer-daemon@mail.example.ru", "Undelivered Mail Returned to Sender", "550 5.1.1 user unknown", func(in *service.InboundMail) {
		in.Noise = otklik.MailBounce
		in.Bounce = &service.BounceInfo{OriginalMessageID: ackID, Hard: true, Status: "5.1.1", Reason: "userunknown"}
	}))
	if b.Kind != otklik.MailBounce || b.Ticket != out.Ticket {
		t.Errorf("bounce: %+v", b)
	}
	if got := f.outboxOf(t, out.Ticket, otklik.MailAck); got.Status != otklik.MailBounced || !strings.Contains(got.Error, "5.1.1") {
		t.Errorf("bounced ack: %+v", got)
	}
	j, _ = f.svc.Journal(ctx, out.Ticket)
	if j[len(j)-1].Kind != otklik.KindDelivery || !strings.Contains(j[len(j)-1].After, "userunknown") {
		t.Errorf("delivery failure not journalled: %+v", j[len(j)-1])
	}

	// Disallowed files: nothing registered, the sender is told what to remove.
	if r := f.ingest(t, f.msg("ivan@example.ru", "Документы", "Во вложении", func(in *service.InboundMail) {
		in.Rejected = "файл «virus.exe» не является документом PDF, DOCX, XLSX или изображением JPG, PNG — удалите его"
	})); r.Kind != otklik.MailRejected || r.Ticket != "" {
		t.Errorf("rejected: %+v", r)
	}
	if n := f.outbox(t)[0]; n.Kind != otklik.MailNotice || n.To != "ivan@example.ru" {
		t.Errorf("rejection notice: %+v", n)
	}

	// Possible phishing: registered, never answered automatically.
	before = len(f.outbox(t))
	if r := f.ingest(t, f.msg("security@gosuslugi.example.evil", "Срочно подтвердите данные", "…", func(in *service.InboundMail) { in.Phishing = true })); r.Kind != otklik.MailTicket {
		t.Errorf("phishing: %+v", r)
	}
	if len(f.outbox(t)) != before {
		t.Errorf("possible phishing was answered")
	}

	// A staff reply goes out by mail in the ticket's thread.
	staff := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Петрова Анна", Channel: otklik.ChannelAPI}
	if _, _, err := f.svc.AddMessage(ctx, staff, out.Ticket, service.Reply{Body: "Мы сбросили код, попробуйте снова."}); err != nil {
		t.Fatal(err)
	}
	sr := f.outboxOf(t, out.Ticket, otklik.MailStaffReply)
	r := f.rawOf(t, sr.ID)
	refs, _ := r.Header.MsgIDList("References")
	subj, _ = r.Header.Subject()
	if !strings.Contains(subj, "[№ "+out.Ticket+"]") || len(refs) < 2 || refs[0] != first.MessageID || r.Header.Get("Auto-Submitted") != "" {
		t.Errorf("staff reply: subject %q, References %v", subj, refs)
	}
	if text := f.textOf(t, sr.ID); !strings.Contains(text, "Состояние обращения: https://support.gosuslugi.example/status?number="+out.Ticket+"\r\nПетрова Анна, Служба поддержки") {
		t.Errorf("the staff reply's footer does not link the status page:\n%s", text)
	}

	// The ticket shows each message's e-mail: the citizen's with its verdicts, the staff reply with
	// its delivery status (automatic answers are not messages of the ticket).
	v, _ = f.svc.Ticket(ctx, out.Ticket)
	for i, m := range v.Messages {
		e := v.Mail[m.ID]
		switch {
		case e == nil:
			t.Errorf("message %d (%s) has no e-mail", i, m.Author.Type)
		case m.Author.Type == otklik.ActorStaff && (e.Direction != otklik.MailOut || e.Kind != otklik.MailStaffReply || e.Status != otklik.MailHeld):
			t.Errorf("staff message %d: e-mail %+v", i, e)
		case m.Author.Type == otklik.ActorRequester && (e.Direction != otklik.MailIn || e.From != "maria@mail.example.ru"):
			t.Errorf("citizen message %d: e-mail %+v", i, e)
		}
	}
	if e := v.Mail[v.Messages[0].ID]; e == nil || e.MessageID != first.MessageID || e.Kind != otklik.MailTicket {
		t.Errorf("first message's e-mail: %+v", e)
	}
	rep2, err := f.svc.Verify(ctx)
	if err != nil || rep2.Broken != nil {
		t.Fatalf("verify: %v %+v", err, rep2.Broken)
	}
}

// textOf returns the plain-text part of an outbound message.
func (f *mailFixture) textOf(t *testing.T, id int64) string {
	t.Helper()
	r := f.rawOf(t, id)
	for {
		p, err := r.NextPart()
		if err != nil {
			return ""
		}
		if ct, _, _ := p.Header.(*mail.InlineHeader).ContentType(); ct == "text/plain" {
			b, _ := io.ReadAll(p.Body)
			return string(b)
		}
	}
}

func (f *mailFixture) outboxOf(t *testing.T, number string, kind otklik.MailKind) *otklik.MailRecord {
	t.Helper()
	v, err := f.svc.Ticket(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := f.st.Mails(context.Background(), otklik.MailFilter{Direction: otklik.MailOut, TicketID: v.Ticket.ID, Limit: 100})
	for _, m := range ms {
		if m.Kind == kind {
			return m
		}
	}
	t.Fatalf("no %s mail for %s", kind, number)
	return nil
}

// TestAutoAnswerLoopIsCut: an auto-responder that keeps writing gets a bounded number of answers.
func TestAutoAnswerLoopIsCut(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMailFixture(t, engine, true)
		for i := 0; i < 20; i++ {
			f.ingest(t, f.msg("robot@example.com", fmt.Sprintf("Заявка %d", i), "Текст"))
			f.clock.Add(time.Second)
		}
		if n := len(f.outbox(t)); n != 5 {
			t.Errorf("%d automatic answers to one address within an hour, want 5", n)
		}
		counts, _ := f.st.JobCounts(context.Background())
		if counts[otklik.JobQueued] != 5 {
			t.Errorf("send jobs: %v", counts)
		}
		f.clock.Add(time.Hour)
		f.ingest(t, f.msg("robot@example.com", "Ещё заявка", "Текст"))
		if n := len(f.outbox(t)); n != 6 {
			t.Errorf("after an hour: %d answers, want 6", n)
		}
	})
}

// TestClosedLongAgoMakesNewTicket: a reply to a ticket closed beyond the reopen window makes a new
// ticket linked to it.
func TestClosedLongAgoMakesNewTicket(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMailFixture(t, engine, false)
		ctx := context.Background()
		out := f.ingest(t, f.msg("maria@mail.example.ru", "Вопрос", "Текст"))
		for _, s := range []otklik.Status{otklik.StatusInProgress, otklik.StatusResolved, otklik.StatusClosed} {
			if _, err := f.svc.ChangeStatus(ctx, otklik.SystemActor, out.Ticket, service.StatusChange{Status: s}); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Add(40 * 24 * time.Hour)
		r := f.ingest(t, f.msg("maria@mail.example.ru", "Re: [№ "+out.Ticket+"] Вопрос", "Снова не работает"))
		if r.Kind != otklik.MailRepeat || r.Ticket == out.Ticket {
			t.Errorf("reply to a long-closed ticket: %+v", r)
		}
		f.clock.Add(-39 * 24 * time.Hour) // within the window a reply reopens
		out2 := f.ingest(t, f.msg("lena@mail.example.ru", "Вопрос 2", "Текст"))
		for _, s := range []otklik.Status{otklik.StatusInProgress, otklik.StatusResolved, otklik.StatusClosed} {
			f.svc.ChangeStatus(ctx, otklik.SystemActor, out2.Ticket, service.StatusChange{Status: s})
		}
		if r := f.ingest(t, f.msg("lena@mail.example.ru", "Re: [№ "+out2.Ticket+"]", "Ещё вопрос")); r.Kind != otklik.MailReply || r.Ticket != out2.Ticket {
			t.Errorf("reply within the reopen window: %+v", r)
		}
		if v, _ := f.svc.Ticket(ctx, out2.Ticket); v.Ticket.Status != otklik.StatusInProgress {
			t.Errorf("status %s after the reply", v.Ticket.Status)
		}
	})
}
