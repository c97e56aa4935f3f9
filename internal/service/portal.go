package service

import (
	"context"
	"crypto/sha256"
	"errors"
	"time"

	"github.com/otklik/otklik/internal/mail/compose"
	"github.com/otklik/otklik/internal/otklik"
)

// WebForm is a citizen's request filed through the portal's feedback form.
type WebForm struct {
	Subject   string
	Body      string
	Category  string // a category code; guessed from the text when empty
	Requester RequesterInput
	// Token is the form's one-time token: the same token again (a double click, back and resubmit)
	// returns the ticket the first submission made, whatever the form then held.
	Token string
	// Files are the form's attachments, already in the vault (StoreFile with otklik.ChannelWeb).
	Files []*StoredFile
}

// portalScope is the idempotency scope of the portal form's tokens.
const portalScope = "portal:form"

// portalRequestHash is the request fingerprint every form submission shares: a form token stands for
// one ticket, so a resubmission with edited fields replays it instead of being refused.
var portalRequestHash = func() []byte { h := sha256.Sum256([]byte(portalScope)); return h[:] }()

// portalActor records what the portal registers.
var portalActor = otklik.Actor{Type: otklik.ActorSystem, Name: "Портал обращений", Channel: otklik.ChannelWeb}

// Submitted is what a form submission registered: the ticket and the files attached to it; Replay
// when the form's token had been used before, the ticket and files being the first submission's.
type Submitted struct {
	Ticket *otklik.Ticket
	Files  []*otklik.Attachment
	Replay bool
}

// SubmitWebForm registers a ticket from the portal's feedback form in one transaction: the ticket
// with the form's files on its first message, and the acknowledgement to the citizen's e-mail in the
// outbox (the same letter an e-mail request gets, within the automatic-answer limit of the address).
// A token used before returns its ticket. Unless a new ticket took them, the files are removed from
// the vault.
func (s *Service) SubmitWebForm(ctx context.Context, f WebForm) (*Submitted, error) {
	sub, err := s.submitWebForm(ctx, f)
	if (err != nil || sub.Replay) && len(f.Files) > 0 {
		s.DiscardStored(ctx, f.Files)
	}
	if err != nil {
		return nil, err
	}
	if sub.Replay {
		// The page shows the first submission's files; failing to list them must not hide the
		// citizen's number.
		if sub.Files, err = s.store.Attachments(ctx, sub.Ticket.ID); err != nil {
			s.log.Warn("portal: files of a resubmitted form's ticket", "ticket", sub.Ticket.Number, "error", err)
		}
	}
	return sub, nil
}

func (s *Service) submitWebForm(ctx context.Context, f WebForm) (*Submitted, error) {
	if !validIdempotencyKey(f.Token) {
		return nil, otklik.Internal(errors.New("portal form without a valid token"))
	}
	p, err := s.prepare(ctx, NewTicket{Channel: otklik.ChannelWeb, Subject: f.Subject, Body: f.Body, Category: f.Category,
		Requester: f.Requester, IdempotencyKey: f.Token})
	if err != nil {
		return nil, err
	}
	p.reqHash = portalRequestHash
	var atts []*otklik.Attachment // the new ticket's, as attached in the transaction that committed
	t, replay, err := s.create(ctx, portalActor, portalScope, p, func(tx otklik.Tx, t *otklik.Ticket, first *otklik.Message) error {
		atts = nil
		if len(f.Files) > 0 {
			if _, _, err := s.applyChange(ctx, tx, t.Number, 0, func(tx otklik.Tx, cur *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
				recs, out, err := s.attachStored(ctx, tx, cur, first.Author, otklik.ChannelWeb, first.ID, f.Files)
				atts = out
				return recs, err
			}); err != nil {
				return err
			}
		}
		return s.acknowledgeWeb(ctx, tx, t)
	})
	if err != nil {
		return nil, err
	}
	return &Submitted{Ticket: t, Files: atts, Replay: replay}, nil
}

// acknowledgeWeb queues the acknowledgement of a ticket filed through the portal, in its transaction.
func (s *Service) acknowledgeWeb(ctx context.Context, tx otklik.Tx, t *otklik.Ticket) error {
	if s.mail.Address == "" || t.Requester == nil || t.Requester.Email == "" {
		return nil
	}
	limit := s.mail.AutoAnswersPerHour
	if limit <= 0 {
		limit = 5
	}
	to := t.Requester.Email
	n, err := tx.CountMailTo(ctx, to, []otklik.MailKind{otklik.MailAck, otklik.MailStatusAnswer, otklik.MailNotice}, tx.Now().Add(-time.Hour))
	if err != nil {
		return err
	}
	if n >= int64(limit) {
		s.log.Warn("acknowledgement suppressed: too many automatic answers to this address", "to", to, "ticket", t.Number)
		return nil
	}
	return s.queueMail(ctx, tx, t, 0, compose.Message{To: compose.Address{Name: t.Requester.Name, Email: to},
		Subject: compose.SubjectWithNumber(t.Number, "Обращение зарегистрировано: "+t.Subject), Text: s.ackText(t, t.Requester.Name),
		AutoSubmitted: "auto-generated"}, otklik.MailAck)
}

// DeriveSecret returns a 32-byte secret for one purpose, derived from the files' current master key:
// every node that shares the key directory derives the same one. Without a vault it is an
// EUNAVAILABLE error.
func (s *Service) DeriveSecret(purpose string) ([]byte, error) {
	if s.files.Vault == nil {
		return nil, otklik.Errorf(otklik.EUNAVAILABLE, "file.unavailable", nil)
	}
	return s.files.Vault.Derive(purpose)
}

// ValidateTicket checks a create request as CreateTicket would, storing nothing: a form shows every
// mistake at once, its own and the service's.
func (s *Service) ValidateTicket(ctx context.Context, in NewTicket) error {
	_, err := s.prepare(ctx, in)
	return err
}
