package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/mail/compose"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/russian"
)

// MailOptions configure the e-mail channel's use cases.
type MailOptions struct {
	// Address is the support mailbox: mail goes out from it, and mail claiming to come from it is ours.
	Address string
	// Name is the display name of outbound mail.
	Name string
	// Relay says whether outbound mail can be sent; without one it is held in the outbox.
	Relay bool
	// PublicURL is the site's address as people reach it (https://support.example.ru, no trailing
	// slash needed): deadline notices link the ticket's page in the workspace (staff) or the status
	// page (the citizen's notice of an extension). Empty: no links.
	PublicURL string
	// AutoAnswersPerHour caps automatic answers (acknowledgements, status answers, notices) to one
	// address, so that two auto-responders cannot loop (default 5).
	AutoAnswersPerHour int
}

// JobSendMail is the kind of job that sends one outbound e-mail (payload: {"mail_id": N}).
const JobSendMail = "mail.send"

// InboundMail is an e-mail that reached support, parsed and classified by the mail channel.
type InboundMail struct {
	MessageID     string // without <>; the channel makes one from the content hash when it is missing
	ContentSHA256 []byte
	InReplyTo     []string
	References    []string
	FromEmail     string
	FromName      string
	To            string
	Subject       string
	Text          string // the whole body text
	Visible       string // the body with quoted history folded away
	// Noise is set for mail that must never make a ticket or get an answer: bounce, autoreply, bulk,
	// feedback or self.
	Noise  otklik.MailKind
	Bounce *BounceInfo
	// Auth holds the authentication verdicts as JSON; Phishing marks mail that claims the portal's
	// domain and fails DMARC: it is never answered automatically.
	Auth     string
	Phishing bool
	// NoAutoAnswer registers the message but sends no acknowledgement (the sender asked for none).
	NoAutoAnswer bool
	// Rejected, when not empty, says in Russian what the sender must reduce or remove (limits, files):
	// nothing is registered and the sender is told.
	Rejected string
	// Files are the message's attachments, already in the vault (StoreFile): a new ticket or a reply
	// gets them in its transaction; otherwise the channel discards them.
	Files []*StoredFile
}

// BounceInfo describes a bounce of our own outbound mail.
type BounceInfo struct {
	OriginalMessageID string
	Hard              bool
	Status            string
	Reason            string
}

// MailOutcome is what intake made of an e-mail.
type MailOutcome struct {
	Kind      otklik.MailKind
	Ticket    string // the ticket it made, joined or asked about; "" for noise
	Duplicate bool   // the same message was taken in before (a retried delivery)
}

// numberPattern finds a ticket number in a subject: «№ 26-100001-2», «[№ 26-100001-2]», «N 261000012».
var numberPattern = regexp.MustCompile(`(?i)(?:№|\bN|#)\s*(\d{2}[-‐‑–—]?\d{6,9}[-‐‑–—]?\d)\b`)

// IngestMail takes one inbound e-mail into the registry, in one transaction: a new ticket with an
// acknowledgement, a reply to an existing ticket, a status answer, a repeat request linked to its
// original, a bounce recorded on the ticket whose mail bounced, or noise recorded and ignored. The
// same message delivered twice (same Message-ID and content) is taken in once.
func (s *Service) IngestMail(ctx context.Context, in InboundMail) (*MailOutcome, error) {
	if in.MessageID == "" || len(in.ContentSHA256) == 0 {
		return nil, otklik.Internal(errors.New("inbound mail without Message-ID or content hash"))
	}
	in.FromEmail = strings.ToLower(strings.TrimSpace(in.FromEmail))
	var out *MailOutcome
	err := s.store.Write(ctx, func(tx otklik.Tx) error {
		var err error
		out, err = s.ingest(ctx, tx, in)
		return err
	})
	if err != nil && isDuplicate(err) {
		// The same message was being taken in on another connection and committed first.
		err = s.store.Write(ctx, func(tx otklik.Tx) error {
			var err error
			out, err = s.ingest(ctx, tx, in)
			return err
		})
	}
	return out, err
}

func (s *Service) ingest(ctx context.Context, tx otklik.Tx, in InboundMail) (*MailOutcome, error) {
	if seen, err := tx.MailSeen(ctx, in.MessageID, in.ContentSHA256); err == nil {
		out := &MailOutcome{Kind: seen.Kind, Duplicate: true}
		if seen.TicketID != 0 {
			out.Ticket = s.numberOf(ctx, tx, seen.TicketID)
		}
		return out, nil
	} else if !otklik.IsCode(err, otklik.ENOTFOUND) {
		return nil, err
	}
	rec := &otklik.MailRecord{Direction: otklik.MailIn, MessageID: in.MessageID, ContentSHA256: in.ContentSHA256,
		From: in.FromEmail, To: in.To, Subject: truncateRunes(in.Subject, 500), Status: otklik.MailAccepted,
		Auth: in.Auth, Phishing: in.Phishing}
	if s.mail.Address != "" && strings.EqualFold(in.FromEmail, s.mail.Address) {
		in.Noise = otklik.MailSelf
	}
	if in.Noise != "" {
		rec.Kind = in.Noise
		if in.Noise == otklik.MailBounce && in.Bounce != nil {
			if err := s.recordBounce(ctx, tx, rec, in.Bounce); err != nil {
				return nil, err
			}
		}
		return &MailOutcome{Kind: rec.Kind, Ticket: s.numberOf(ctx, tx, rec.TicketID)}, tx.InsertMail(ctx, rec)
	}
	if in.Rejected != "" {
		rec.Kind = otklik.MailRejected
		rec.Error = in.Rejected
		if err := tx.InsertMail(ctx, rec); err != nil {
			return nil, err
		}
		body := "Здравствуйте!\n\nВаше письмо «" + oneLineText(in.Subject) + "» не зарегистрировано как обращение: " + in.Rejected +
			"\n\nПожалуйста, исправьте это и отправьте письмо ещё раз.\n\nС уважением,\n" + s.mail.Name
		return &MailOutcome{Kind: otklik.MailRejected}, s.autoAnswer(ctx, tx, in, nil, otklik.MailNotice, "Письмо не принято: "+oneLineText(in.Subject), body)
	}

	// A reply by its headers: In-Reply-To and References to mail of a ticket, from its requester.
	var target *otklik.Ticket
	for _, id := range append(append([]string{}, in.InReplyTo...), in.References...) {
		m, err := tx.MailByMessageID(ctx, id)
		if err != nil {
			continue
		}
		if t, err := s.ticketByID(ctx, tx, m.TicketID); err == nil && sameAddress(t.Requester.Email, in.FromEmail) {
			target = t
			break
		}
	}
	// Or by the number in the subject, again only from the ticket's requester: a number alone does not
	// let a stranger into someone else's ticket.
	subjectNumber := ""
	if m := numberPattern.FindStringSubmatch(in.Subject); m != nil {
		if n, err := otklik.ParseNumber(m[1]); err == nil {
			subjectNumber = n
		}
	}
	subj := strings.ToLower(russian.Normalize(in.Subject))
	statusRequest := strings.Contains(subj, "статус обращения")
	repeat := strings.Contains(subj, "повторн")
	var numbered *otklik.Ticket
	if subjectNumber != "" {
		if t, err := tx.TicketForUpdate(ctx, subjectNumber); err == nil {
			if sameAddress(t.Requester.Email, in.FromEmail) {
				numbered = t
			} else if statusRequest {
				rec.Kind = otklik.MailStatusRequest
				if err := tx.InsertMail(ctx, rec); err != nil {
					return nil, err
				}
				body := "Здравствуйте!\n\nСтатус обращения сообщается только на адрес электронной почты, с которого обращение было подано. " +
					"Если это ваше обращение, напишите нам с того адреса или проверьте статус на портале в разделе «Мои обращения».\n\nС уважением,\n" + s.mail.Name
				return &MailOutcome{Kind: otklik.MailStatusRequest}, s.autoAnswer(ctx, tx, in, nil, otklik.MailNotice, "Статус обращения", body)
			}
		}
	}
	switch {
	case numbered != nil && statusRequest:
		rec.Kind, rec.TicketID = otklik.MailStatusRequest, numbered.ID
		if err := tx.InsertMail(ctx, rec); err != nil {
			return nil, err
		}
		if in.Phishing {
			return &MailOutcome{Kind: rec.Kind, Ticket: numbered.Number}, nil // never answer it with personal data
		}
		return &MailOutcome{Kind: rec.Kind, Ticket: numbered.Number},
			s.autoAnswer(ctx, tx, in, numbered, otklik.MailStatusAnswer, compose.SubjectWithNumber(numbered.Number, "Статус обращения"), s.statusText(numbered))
	case numbered != nil && repeat:
		return s.newTicketFromMail(ctx, tx, in, rec, numbered)
	case target == nil && numbered != nil:
		target = numbered
	}
	if target != nil {
		if target.Status == otklik.StatusClosed && len(s.lifecycle.Allowed(target, tx.Now())) == 0 {
			// Too late to reopen: a new ticket, linked to the old one.
			return s.newTicketFromMail(ctx, tx, in, rec, target)
		}
		return s.replyFromMail(ctx, tx, in, rec, target)
	}
	return s.newTicketFromMail(ctx, tx, in, rec, nil)
}

// newTicketFromMail registers a ticket from an e-mail (linked to original when it repeats one) and
// acknowledges it.
func (s *Service) newTicketFromMail(ctx context.Context, tx otklik.Tx, in InboundMail, rec *otklik.MailRecord, original *otklik.Ticket) (*MailOutcome, error) {
	subject := strings.TrimSpace(in.Subject)
	if subject == "" {
		subject = "(без темы)"
	}
	body := in.Text
	if strings.TrimSpace(body) == "" {
		body = "(письмо без текста)"
	}
	p, err := s.prepare(ctx, NewTicket{Channel: otklik.ChannelEmail, Subject: truncateRunes(oneLineText(subject), otklik.MaxSubjectLen),
		Body: truncateRunes(body, otklik.MaxBodyLen), Requester: RequesterInput{Name: truncateRunes(oneLineText(in.FromName), otklik.MaxNameLen), Email: in.FromEmail}})
	if err != nil {
		return nil, err
	}
	p.visible = visibleOf(in)
	actor := otklik.Actor{Type: otklik.ActorSystem, Name: "Отклик", Channel: otklik.ChannelEmail}
	t, first, err := s.insert(ctx, tx, p, actor, nil, nil)
	if err != nil {
		return nil, err
	}
	rec.Kind, rec.TicketID, rec.MessageRowID = otklik.MailTicket, t.ID, first.ID
	if err := s.attachMailFiles(ctx, tx, t.Number, first, in.Files); err != nil {
		return nil, err
	}
	if original != nil {
		rec.Kind = otklik.MailRepeat
		if err := tx.LinkTickets(ctx, t.ID, original.ID, "repeat_of"); err != nil {
			return nil, err
		}
		// Both journals say so.
		if _, _, err := s.applyChange(ctx, tx, original.Number, 0, func(tx otklik.Tx, o *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
			return []*otklik.JournalRecord{{Actor: actor, Kind: otklik.KindLink, Field: "repeated_by", After: t.Number}}, nil
		}); err != nil {
			return nil, err
		}
		if _, _, err := s.applyChange(ctx, tx, t.Number, 0, func(tx otklik.Tx, n *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
			return []*otklik.JournalRecord{{Actor: actor, Kind: otklik.KindLink, Field: "repeat_of", After: original.Number}}, nil
		}); err != nil {
			return nil, err
		}
	}
	if err := tx.InsertMail(ctx, rec); err != nil {
		return nil, err
	}
	s.publishAfter(tx, otklik.Event{Type: otklik.EventTicketCreated, Ticket: t.Number, Version: t.Version,
		Status: t.Status, Kinds: []otklik.Kind{otklik.KindCreated}, Actor: "requester", At: t.CreatedAt})
	if !in.Phishing && !in.NoAutoAnswer {
		if err := s.autoAnswer(ctx, tx, in, t, otklik.MailAck, compose.SubjectWithNumber(t.Number, "Обращение зарегистрировано: "+t.Subject), s.ackText(t, in.FromName)); err != nil {
			return nil, err
		}
	}
	return &MailOutcome{Kind: rec.Kind, Ticket: t.Number}, nil
}

// attachMailFiles attaches a new ticket's files to its first message.
func (s *Service) attachMailFiles(ctx context.Context, tx otklik.Tx, number string, first *otklik.Message, fs []*StoredFile) error {
	if len(fs) == 0 {
		return nil
	}
	_, _, err := s.applyChange(ctx, tx, number, 0, func(tx otklik.Tx, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
		recs, _, err := s.attachStored(ctx, tx, t, first.Author, otklik.ChannelEmail, first.ID, fs)
		return recs, err
	})
	return err
}

// replyFromMail adds the requester's e-mail to their ticket; a reply to a ticket waiting for them,
// resolved, or recently closed takes it back into work.
func (s *Service) replyFromMail(ctx context.Context, tx otklik.Tx, in InboundMail, rec *otklik.MailRecord, t *otklik.Ticket) (*MailOutcome, error) {
	var v otklik.Validation
	body := cleanText(&v, "body", truncateRunes(in.Text, otklik.MaxBodyLen), otklik.MaxBodyLen, false)
	if strings.TrimSpace(body) == "" {
		body = "(письмо без текста)"
	}
	citizen := otklik.Actor{Type: otklik.ActorRequester, ID: t.Requester.ID, Name: t.Requester.Name, Channel: otklik.ChannelEmail}
	var msg *otklik.Message
	updated, _, err := s.applyChange(ctx, tx, t.Number, 0, func(tx otklik.Tx, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
		msg = &otklik.Message{TicketID: t.ID, Author: citizen, Body: body, Visible: visibleOf(in), CreatedAt: now}
		if err := tx.InsertMessage(ctx, msg); err != nil {
			return nil, err
		}
		if err := tx.IndexTicket(ctx, t.ID, russian.IndexText(body), false); err != nil {
			return nil, err
		}
		after, _ := json.Marshal(messageRecord{MessageID: msg.ID, BodySHA256: sha256hex(body)})
		recs := []*otklik.JournalRecord{{Actor: citizen, Kind: otklik.KindMessage, Field: "reply", After: string(after)}}
		if len(in.Files) > 0 {
			fileRecs, _, err := s.attachStored(ctx, tx, t, citizen, otklik.ChannelEmail, msg.ID, in.Files)
			if err != nil {
				return nil, err
			}
			recs = append(recs, fileRecs...)
		}
		switch t.Status {
		case otklik.StatusWaiting, otklik.StatusResolved, otklik.StatusClosed:
			recs = append(recs, statusRecord(citizen, t, otklik.StatusInProgress, "Ответ заявителя по электронной почте", now))
		}
		return recs, nil
	})
	if err != nil {
		return nil, err
	}
	rec.Kind, rec.TicketID, rec.MessageRowID = otklik.MailReply, updated.ID, msg.ID
	return &MailOutcome{Kind: otklik.MailReply, Ticket: updated.Number}, tx.InsertMail(ctx, rec)
}

// recordBounce marks our outbound mail as bounced and notes the failure in its ticket's journal.
func (s *Service) recordBounce(ctx context.Context, tx otklik.Tx, rec *otklik.MailRecord, b *BounceInfo) error {
	if b.OriginalMessageID == "" {
		return nil
	}
	orig, err := tx.MailByMessageID(ctx, b.OriginalMessageID)
	if err != nil || orig.Direction != otklik.MailOut {
		return nil // not ours, or about mail we no longer know
	}
	rec.TicketID = orig.TicketID
	reason := strings.TrimSpace(b.Status + " " + b.Reason)
	status := otklik.MailBounced
	if !b.Hard {
		reason = "временная ошибка доставки: " + reason
	}
	if err := tx.SetMailStatus(ctx, orig.ID, status, reason); err != nil {
		return err
	}
	number := s.numberOf(ctx, tx, orig.TicketID)
	if number == "" {
		return nil
	}
	_, _, err = s.applyChange(ctx, tx, number, 0, func(tx otklik.Tx, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
		return []*otklik.JournalRecord{{Actor: otklik.SystemActor, Kind: otklik.KindDelivery, Field: orig.To,
			Before: orig.MessageID, After: reason}}, nil
	})
	return err
}

// autoAnswer queues an automatic answer to the sender, unless the address has had too many of them
// lately (two auto-responders must not talk to each other forever).
func (s *Service) autoAnswer(ctx context.Context, tx otklik.Tx, in InboundMail, t *otklik.Ticket, kind otklik.MailKind, subject, body string) error {
	if in.FromEmail == "" {
		return nil
	}
	limit := s.mail.AutoAnswersPerHour
	if limit <= 0 {
		limit = 5
	}
	n, err := tx.CountMailTo(ctx, in.FromEmail, []otklik.MailKind{otklik.MailAck, otklik.MailStatusAnswer, otklik.MailNotice}, tx.Now().Add(-time.Hour))
	if err != nil {
		return err
	}
	if n >= int64(limit) {
		s.log.Warn("automatic answer suppressed: too many to this address", "to", in.FromEmail, "kind", kind)
		return nil
	}
	refs := append(append([]string{}, in.References...), in.MessageID)
	return s.queueMail(ctx, tx, t, 0, compose.Message{
		To: compose.Address{Name: in.FromName, Email: in.FromEmail}, Subject: subject, Text: body,
		InReplyTo: in.MessageID, References: refs, AutoSubmitted: "auto-replied",
	}, kind)
}

// queueMail composes an outbound e-mail, stores it in the outbox and, when a relay is configured,
// enqueues its sending — all in tx.
// messageID is the ticket message the mail carries (a staff reply), 0 for automatic answers.
func (s *Service) queueMail(ctx context.Context, tx otklik.Tx, t *otklik.Ticket, messageID int64, m compose.Message, kind otklik.MailKind) error {
	domain := s.mail.Address[strings.LastIndexByte(s.mail.Address, '@')+1:]
	m.From = compose.Address{Name: s.mail.Name, Email: s.mail.Address}
	m.Date = tx.Now()
	rec := &otklik.MailRecord{Direction: otklik.MailOut, From: s.mail.Address, To: m.To.Email, Subject: m.Subject, Kind: kind,
		Status: otklik.MailHeld, MessageRowID: messageID}
	if t != nil {
		m.Ticket = t.Number
		rec.TicketID = t.ID
	}
	m.MessageID = compose.NewMessageID(m.Ticket, domain, tx.Now())
	raw, err := compose.Compose(m)
	if err != nil {
		return fmt.Errorf("compose mail to %s: %w", m.To.Email, err)
	}
	sum := sha256sum(raw)
	rec.MessageID, rec.Raw, rec.ContentSHA256 = m.MessageID, raw, sum[:]
	if s.mail.Relay {
		rec.Status = otklik.MailQueued
	}
	if err := tx.InsertMail(ctx, rec); err != nil {
		return err
	}
	if !s.mail.Relay {
		return nil
	}
	payload, _ := json.Marshal(map[string]int64{"mail_id": rec.ID})
	return s.enqueue(ctx, tx, &otklik.Job{Kind: JobSendMail, Payload: string(payload), MaxAttempts: 12})
}

// ackText is the acknowledgement of a new ticket.
func (s *Service) ackText(t *otklik.Ticket, name string) string {
	greeting := "Здравствуйте!"
	if n := strings.TrimSpace(name); n != "" {
		greeting = "Здравствуйте, " + oneLineText(n) + "!"
	}
	due := "Мы ответим в течение одного рабочего дня."
	if t.DueAt != nil {
		due = "Ожидаемый срок ответа — до " + t.DueAt.In(Moscow).Format("02.01.2006 15:04") + " (МСК)."
	}
	return greeting + "\n\n" +
		"Ваше обращение «" + t.Subject + "» зарегистрировано " + t.CreatedAt.In(Moscow).Format("02.01.2006 в 15:04") +
		" (МСК) под номером " + t.Number + ".\n" + due + "\n\n" +
		"Чтобы дополнить обращение, ответьте на это письмо, не меняя тему. Чтобы узнать статус, " +
		"напишите нам письмо с темой «Статус обращения № " + t.Number + "».\n\n" +
		s.statusLink(t) + "С уважением,\n" + s.mail.Name
}

// statusText answers a status request.
func (s *Service) statusText(t *otklik.Ticket) string {
	due := "Срок ответа будет сообщён дополнительно."
	if t.DueAt != nil {
		due = "Ожидаемый срок ответа — до " + t.DueAt.In(Moscow).Format("02.01.2006 15:04") + " (МСК)."
	}
	return "Здравствуйте!\n\nОбращение № " + t.Number + " от " + t.CreatedAt.In(Moscow).Format("02.01.2006") +
		" находится в статусе «" + statusNameRU[t.Status] + "».\n" + due + "\n\n" + s.statusLink(t) + "С уважением,\n" + s.mail.Name
}

var statusNameRU = map[otklik.Status]string{
	otklik.StatusNew: "Принято", otklik.StatusInProgress: "В работе", otklik.StatusWaiting: "Ожидает уточнений",
	otklik.StatusForwarded: "Передано в ведомство", otklik.StatusResolved: "Решено", otklik.StatusClosed: "Закрыто",
}

// ReplyByMail sends a staff member's public reply to the requester by e-mail, in the ticket's
// thread. It runs in the reply's transaction.
func (s *Service) replyByMail(ctx context.Context, tx otklik.Tx, t *otklik.Ticket, m *otklik.Message, actor otklik.Actor) error {
	if s.mail.Address == "" || t.Requester == nil || t.Requester.Email == "" {
		return nil
	}
	threads, _ := s.store.Mails(ctx, otklik.MailFilter{TicketID: t.ID, Limit: 20})
	var inReplyTo string
	var refs []string
	for i := len(threads) - 1; i >= 0; i-- { // oldest first
		refs = append(refs, threads[i].MessageID)
	}
	if len(refs) > 0 {
		inReplyTo = refs[len(refs)-1]
	}
	greeting := "Здравствуйте!"
	if n := strings.TrimSpace(t.Requester.Name); n != "" {
		greeting = "Здравствуйте, " + n + "!"
	}
	body := m.Body
	if !strings.HasPrefix(strings.TrimSpace(body), "Здравствуйте") {
		body = greeting + "\n\n" + body
	}
	body += "\n\n—\nОбращение № " + t.Number + ". Чтобы ответить, ответьте на это письмо, не меняя тему.\n"
	if s.mail.PublicURL != "" {
		body += "Состояние обращения: " + s.siteLink("/status?number="+t.Number) + "\n"
	}
	body += actor.Name + ", " + s.mail.Name
	return s.queueMail(ctx, tx, t, m.ID, compose.Message{
		To: compose.Address{Name: t.Requester.Name, Email: t.Requester.Email}, Subject: compose.SubjectWithNumber(t.Number, "Ответ на обращение: "+t.Subject),
		Text: body, InReplyTo: inReplyTo, References: refs,
	}, otklik.MailStaffReply)
}

// MarkMailSent records the outcome of sending outbound mail (the send job's Commit).
func (s *Service) MarkMailSent(ctx context.Context, tx otklik.Tx, mailID int64, status, errText string) error {
	return tx.SetMailStatus(ctx, mailID, status, errText)
}

// MarkMailFailed records that outbound mail could not be sent and will not be retried.
func (s *Service) MarkMailFailed(ctx context.Context, mailID int64, errText string) error {
	return s.store.Write(ctx, func(tx otklik.Tx) error { return tx.SetMailStatus(ctx, mailID, otklik.MailFailed, errText) })
}

// OutboundMail returns one outbound e-mail with its raw content (for the send job).
func (s *Service) OutboundMail(ctx context.Context, id int64) (*otklik.MailRecord, error) {
	var m *otklik.MailRecord
	err := s.store.Write(ctx, func(tx otklik.Tx) error {
		var err error
		m, err = tx.MailByID(ctx, id)
		return err
	})
	return m, err
}

// ReleaseHeldMail queues the sending of mail held while no relay was configured; serve calls it at
// start when a relay is set.
func (s *Service) ReleaseHeldMail(ctx context.Context) (int, error) {
	total := 0
	for {
		n := 0
		err := s.store.Write(ctx, func(tx otklik.Tx) error {
			held, err := tx.HeldMail(ctx, 500)
			if err != nil {
				return err
			}
			n = len(held)
			for _, m := range held {
				if err := tx.SetMailStatus(ctx, m.ID, otklik.MailQueued, ""); err != nil {
					return err
				}
				payload, _ := json.Marshal(map[string]int64{"mail_id": m.ID})
				if err := s.enqueue(ctx, tx, &otklik.Job{Kind: JobSendMail, Payload: string(payload), MaxAttempts: 12}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || n == 0 {
			return total, err
		}
		total += n
	}
}

// TicketNumbers returns the numbers of the tickets of the mail records, by ticket ID.
func (s *Service) TicketNumbers(ctx context.Context, ms []*otklik.MailRecord) (map[int64]string, error) {
	out := map[int64]string{}
	for _, m := range ms {
		if m.TicketID == 0 || out[m.TicketID] != "" {
			continue
		}
		n, err := s.store.TicketNumberByID(ctx, m.TicketID)
		if err != nil && !otklik.IsCode(err, otklik.ENOTFOUND) {
			return nil, err
		}
		out[m.TicketID] = n
	}
	return out, nil
}

// Mails lists e-mail for administrators (the outbox and intake history).
func (s *Service) Mails(ctx context.Context, f otklik.MailFilter) ([]*otklik.MailRecord, error) {
	return s.store.Mails(ctx, f)
}

func (s *Service) ticketByID(ctx context.Context, tx otklik.Tx, id int64) (*otklik.Ticket, error) {
	n := s.numberOf(ctx, tx, id)
	if n == "" {
		return nil, otklik.NotFound("ticket.not_found")
	}
	return tx.TicketForUpdate(ctx, n)
}

// numberOf returns a ticket's number by ID ("" for 0 or none).
func (s *Service) numberOf(ctx context.Context, tx otklik.Tx, id int64) string {
	if id == 0 {
		return ""
	}
	n, err := tx.TicketNumber(ctx, id)
	if err != nil {
		return ""
	}
	return n
}

func sameAddress(a, b string) bool {
	return a != "" && strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

func visibleOf(in InboundMail) string {
	if in.Visible == "" || in.Visible == in.Text {
		return ""
	}
	return truncateRunes(in.Visible, otklik.MaxBodyLen)
}

func oneLineText(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)), " ")
}

func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}
