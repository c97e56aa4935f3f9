package service

// The citizen portal's use cases (PRODUCT.md F19, F26, F28): sign-in without a password by a one-time
// code sent by e-mail (or with an address an external OpenID Connect provider verified), the
// citizen's own tickets («Мои обращения»: the conversation without internal notes, files, replies,
// «Повторное уведомление»), and the status of a ticket by its number without an account.
//
//	err := svc.SendSignInCode(ctx, email)                  // the code goes out through the outbox
//	secret, err := svc.SignInByCode(ctx, email, code, ip, ua) // → the citizen's session cookie
//	sess, err := svc.CitizenSession(ctx, secret)            // every request
//	page, err := svc.MyTickets(ctx, sess.Email, MyQuery{…})
//
// Codes are six digits, valid CitizenCodeTTL, stored only as a hash bound to their purpose and
// address. CitizenMaxWrongCodes wrong codes in a row lock the address for CitizenLockout, right code
// or not. Every route that names a ticket checks that its requester has the citizen's verified
// address; a ticket that is someone else's is «not found», exactly as a missing one.

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/files"
	"github.com/otklik/otklik/internal/identity"
	"github.com/otklik/otklik/internal/mail/compose"
	"github.com/otklik/otklik/internal/otklik"
)

// Citizen sign-in limits.
const (
	// CitizenCodeTTL is how long a one-time code is valid.
	CitizenCodeTTL = 10 * time.Minute
	// CitizenMaxWrongCodes wrong codes in a row lock the address.
	CitizenMaxWrongCodes = 3
	// CitizenLockout is how long a locked address refuses every code, right or wrong, and gets none.
	CitizenLockout = 15 * time.Minute
	// CitizenCodesPerHour caps the codes sent to one address in an hour.
	CitizenCodesPerHour = 5
	// CitizenSessionIdle ends a citizen session nobody used for this long.
	CitizenSessionIdle = 30 * time.Minute
	// CitizenSessionLifetime ends a citizen session this long after sign-in, however active.
	CitizenSessionLifetime = 12 * time.Hour
	// RemindAfter is how long nothing must have moved on a ticket before its citizen may press
	// «Повторное уведомление».
	RemindAfter = 48 * time.Hour
	// MyPageSize is how many tickets a page of «Мои обращения» lists.
	MyPageSize = 50
)

// Ways a citizen's address was verified.
const (
	ViaCode = "code"
	ViaOIDC = "oidc"
)

const purposeSignIn = "signin"

func purposeStatus(number string) string { return "status:" + number }

// citizenAddress parses and lower-cases a citizen's e-mail address, or returns EINVALID on field.
func citizenAddress(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", otklik.Invalid(otklik.FieldError{Field: field, Key: "field.required"})
	}
	addr, err := identity.ParseEmail(s)
	if err != nil {
		return "", otklik.Invalid(otklik.FieldError{Field: field, Key: identityKey(err, "email.format")})
	}
	return strings.ToLower(addr), nil
}

// codeHash binds a code to its address and purpose: a sign-in code opens no status and the reverse.
func codeHash(address, purpose, code string) []byte {
	return TokenHash("citizen-code\x00" + purpose + "\x00" + address + "\x00" + code)
}

func newCitizenCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// citizenLocked returns the "citizen.locked" refusal while c's lock lasts, else nil.
func citizenLocked(c *otklik.CitizenCode, now time.Time) *otklik.Error {
	if c.LockedUntil == nil || !now.Before(*c.LockedUntil) {
		return nil
	}
	left := c.LockedUntil.Sub(now)
	return &otklik.Error{Code: otklik.ERATELIMITED, Key: "citizen.locked",
		Args: map[string]string{"minutes": strconv.Itoa(int(math.Ceil(left.Minutes())))},
		Data: map[string]any{"locked_until": c.LockedUntil.UTC().Format(time.RFC3339)}}
}

// codeState returns an address's code state in tx, a fresh one when it has none.
func codeState(ctx context.Context, tx otklik.Tx, address string) (*otklik.CitizenCode, error) {
	c, err := tx.CitizenCodeTx(ctx, address)
	if otklik.IsCode(err, otklik.ENOTFOUND) {
		now := tx.Now()
		return &otklik.CitizenCode{Address: address, ExpiresAt: now, SentAt: now}, nil
	}
	return c, err
}

// issueCode makes a new code for the address in tx and queues the e-mail carrying it; a locked
// address or one that had CitizenCodesPerHour codes this hour gets a refusal and nothing.
func (s *Service) issueCode(ctx context.Context, tx otklik.Tx, address, purpose string, text func(code string) (subject, body string)) (*otklik.Error, error) {
	c, err := codeState(ctx, tx, address)
	if err != nil {
		return nil, err
	}
	now := tx.Now()
	if r := citizenLocked(c, now); r != nil {
		return r, nil
	}
	n, err := tx.CountMailTo(ctx, address, []otklik.MailKind{otklik.MailCitizenCode}, now.Add(-time.Hour))
	if err != nil {
		return nil, err
	}
	if n >= CitizenCodesPerHour {
		return otklik.Errorf(otklik.ERATELIMITED, "citizen.too_many_codes", nil), nil
	}
	code := newCitizenCode()
	c.Hash, c.ExpiresAt, c.SentAt = codeHash(address, purpose, code), now.Add(CitizenCodeTTL), now
	if err := tx.SetCitizenCode(ctx, c); err != nil {
		return nil, err
	}
	subject, body := text(code)
	return nil, s.queueMail(ctx, tx, nil, 0, compose.Message{To: compose.Address{Email: address}, Subject: subject, Text: body,
		AutoSubmitted: "auto-generated"}, otklik.MailCitizenCode)
}

// checkCode checks a typed code against the address's waiting one in tx. A right code is used up
// and clears the count; a wrong one counts, and the CitizenMaxWrongCodes-th locks the address.
// expiredApart tells a right but expired code apart ("citizen.code_expired", not counted); the status
// lookup does not, so that waiting reveals nothing about whether a code was ever sent.
func (s *Service) checkCode(ctx context.Context, tx otklik.Tx, address, purpose, code string, expiredApart bool) (*otklik.Error, error) {
	c, err := codeState(ctx, tx, address)
	if err != nil {
		return nil, err
	}
	now := tx.Now()
	if r := citizenLocked(c, now); r != nil {
		return r, nil
	}
	code = strings.Join(strings.Fields(code), "")
	match := c.Hash != nil && subtle.ConstantTimeCompare(c.Hash, codeHash(address, purpose, code)) == 1
	switch {
	case match && now.Before(c.ExpiresAt):
		c.Hash, c.Failures, c.LockedUntil = nil, 0, nil
		return nil, tx.SetCitizenCode(ctx, c)
	case match && expiredApart:
		c.Hash = nil
		return otklik.Errorf(otklik.EUNAUTHORIZED, "citizen.code_expired", nil), tx.SetCitizenCode(ctx, c)
	}
	c.Failures++
	refusal := otklik.Errorf(otklik.EUNAUTHORIZED, "citizen.bad_code",
		map[string]string{"left": strconv.Itoa(CitizenMaxWrongCodes - c.Failures)})
	if c.Failures >= CitizenMaxWrongCodes {
		until := now.Add(CitizenLockout)
		c.Hash, c.Failures, c.LockedUntil = nil, 0, &until
		s.log.Warn("citizen address locked", "until", until)
		refusal = citizenLocked(c, now)
	}
	return refusal, tx.SetCitizenCode(ctx, c)
}

func (s *Service) mailReady() error {
	if s.mail.Address == "" {
		return otklik.Errorf(otklik.EUNAVAILABLE, "citizen.mail_unavailable", nil)
	}
	return nil
}

// SendSignInCode e-mails a one-time sign-in code to the address, whoever it is: an address with no
// tickets gets one too, so the answer says nothing about who has tickets. A malformed address is
// EINVALID on "email"; a locked address ERATELIMITED "citizen.locked"; more than CitizenCodesPerHour
// codes an hour ERATELIMITED "citizen.too_many_codes".
func (s *Service) SendSignInCode(ctx context.Context, email string) error {
	address, err := citizenAddress("email", email)
	if err != nil {
		return err
	}
	if err := s.mailReady(); err != nil {
		return err
	}
	var refusal *otklik.Error
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		var err error
		refusal, err = s.issueCode(ctx, tx, address, purposeSignIn, func(code string) (string, string) {
			return "Код для входа в «Мои обращения»", "Здравствуйте!\n\n" +
				"Ваш код для входа в «Мои обращения»: " + code + "\n\n" +
				"Код действует " + strconv.Itoa(int(CitizenCodeTTL.Minutes())) + " минут. Никому его не сообщайте: " +
				"сотрудники поддержки никогда не спрашивают код.\n" +
				"Если вы не запрашивали код, ничего делать не нужно.\n\nС уважением,\n" + s.mail.Name
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("send sign-in code: %w", err)
	}
	if refusal != nil {
		return refusal
	}
	return nil
}

// SignInByCode checks the code sent to the address and starts a citizen session, returning its secret
// (for the cookie; only its SHA-256 is stored). A wrong code is EUNAUTHORIZED "citizen.bad_code"
// (Args "left": tries left), the third in a row ERATELIMITED "citizen.locked", a right code past
// CitizenCodeTTL EUNAUTHORIZED "citizen.code_expired".
func (s *Service) SignInByCode(ctx context.Context, email, code, ip, userAgent string) (string, error) {
	address, err := citizenAddress("email", email)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(code) == "" {
		return "", otklik.Invalid(otklik.FieldError{Field: "code", Key: "field.required"})
	}
	var refusal *otklik.Error
	var secret string
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		var err error
		refusal, secret = nil, ""
		if refusal, err = s.checkCode(ctx, tx, address, purposeSignIn, code, true); err != nil || refusal != nil {
			return err
		}
		secret, err = s.insertCitizenSession(ctx, tx, address, ViaCode, ip, userAgent)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("citizen sign-in: %w", err)
	}
	if refusal != nil {
		s.log.Info("citizen sign-in refused", "reason", refusal.Key, "ip", ip)
		return "", refusal
	}
	return secret, nil
}

// SignInVerified starts a citizen session for an address someone else verified (via names how:
// ViaOIDC for an OpenID Connect provider's verified e-mail claim) and returns its secret.
func (s *Service) SignInVerified(ctx context.Context, email, via, ip, userAgent string) (string, error) {
	address, err := citizenAddress("email", email)
	if err != nil {
		return "", err
	}
	var secret string
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		var err error
		secret, err = s.insertCitizenSession(ctx, tx, address, via, ip, userAgent)
		return err
	})
	return secret, err
}

func (s *Service) insertCitizenSession(ctx context.Context, tx otklik.Tx, address, via, ip, userAgent string) (string, error) {
	now := tx.Now()
	secret := newSessionSecret()
	return secret, tx.InsertCitizenSession(ctx, &otklik.CitizenSession{Hash: TokenHash(secret), Email: address, Via: via,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(CitizenSessionLifetime), IP: clip(ip, 64), UserAgent: clip(userAgent, 512)})
}

// CitizenSession returns the live citizen session of a secret, or EUNAUTHORIZED
// "auth.session_expired" when it is unknown, revoked, idle for CitizenSessionIdle or older than
// CitizenSessionLifetime. The last activity is written at most once per SessionTouchEvery.
func (s *Service) CitizenSession(ctx context.Context, secret string) (*otklik.CitizenSession, error) {
	expired := otklik.Errorf(otklik.EUNAUTHORIZED, "auth.session_expired", nil)
	if secret == "" {
		return nil, expired
	}
	ss, err := s.store.CitizenSessionByHash(ctx, TokenHash(secret))
	if otklik.IsCode(err, otklik.EUNAUTHORIZED) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("citizen session: %w", err)
	}
	now := s.now()
	if ss.RevokedAt != nil || !now.Before(ss.ExpiresAt) || now.Sub(ss.LastSeenAt) >= CitizenSessionIdle {
		return nil, expired
	}
	if now.Sub(ss.LastSeenAt) >= SessionTouchEvery {
		err := s.store.Write(ctx, func(tx otklik.Tx) error { return tx.TouchCitizenSession(ctx, ss.Hash, now) })
		if err != nil {
			return nil, fmt.Errorf("citizen session: %w", err)
		}
		ss.LastSeenAt = now
	}
	return ss, nil
}

// EndCitizenSession ends a citizen session (sign out). An unknown or ended one is no error.
func (s *Service) EndCitizenSession(ctx context.Context, secret string) error {
	return s.store.Write(ctx, func(tx otklik.Tx) error { return tx.RevokeCitizenSession(ctx, TokenHash(secret), tx.Now()) })
}

// Status by number.

// TicketStatus is what the status lookup shows: the status and the deadline, no content.
type TicketStatus struct {
	Number    string
	Status    otklik.Status
	CreatedAt time.Time
	DueAt     *time.Time
}

// SendStatusCode starts a status lookup without an account: when the ticket of the number was filed
// from the e-mail address, a one-time code goes there. The answer is the same whether or not it was
// (nil), so that nobody learns which numbers and addresses belong together. A phone number is
// EINVALID "citizen.sms_unavailable" on "contact" (no SMS yet), anything else that is not an address
// EINVALID on "contact"; a locked address is ERATELIMITED "citizen.locked".
func (s *Service) SendStatusCode(ctx context.Context, number, contact string) error {
	var v otklik.Validation
	n, nerr := otklik.ParseNumber(strings.TrimSpace(number))
	if strings.TrimSpace(number) == "" {
		v.Add("number", "field.required", nil)
	} else if nerr != nil {
		v.Add("number", "citizen.number_format", nil)
	}
	contact = strings.TrimSpace(contact)
	var address string
	switch {
	case contact == "":
		v.Add("contact", "field.required", nil)
	case !strings.Contains(contact, "@"):
		if _, err := identity.ParsePhone(contact); err == nil {
			v.Add("contact", "citizen.sms_unavailable", nil)
		} else {
			v.Add("contact", "citizen.contact_format", nil)
		}
	default:
		a, err := citizenAddress("contact", contact)
		if err != nil {
			return err
		}
		address = a
	}
	if err := v.Err(); err != nil {
		return err
	}
	if err := s.mailReady(); err != nil {
		return err
	}
	t, err := s.store.TicketByNumber(ctx, n)
	if err != nil && !otklik.IsCode(err, otklik.ENOTFOUND) {
		return fmt.Errorf("status code: %w", err)
	}
	owner := t != nil && t.Requester != nil && strings.EqualFold(t.Requester.Email, address)
	var refusal *otklik.Error
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		refusal = nil
		c, err := codeState(ctx, tx, address)
		if err != nil {
			return err
		}
		if refusal = citizenLocked(c, tx.Now()); refusal != nil || !owner {
			return nil
		}
		refusal, err = s.issueCode(ctx, tx, address, purposeStatus(n), func(code string) (string, string) {
			return compose.SubjectWithNumber(n, "Код для просмотра статуса обращения"), "Здравствуйте!\n\n" +
				"Код для просмотра статуса обращения № " + n + ": " + code + "\n\n" +
				"Код действует " + strconv.Itoa(int(CitizenCodeTTL.Minutes())) + " минут. Никому его не сообщайте.\n" +
				"Если вы не запрашивали код, ничего делать не нужно.\n\nС уважением,\n" + s.mail.Name
		})
		if refusal != nil && refusal.Key == "citizen.too_many_codes" {
			// Said aloud only to someone who already knows the pair; everyone else hears the same.
			s.log.Info("status code suppressed: too many to this address")
			refusal = nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("status code: %w", err)
	}
	if refusal != nil {
		return refusal
	}
	return nil
}

// StatusByCode checks a status lookup's code and returns the ticket's status and deadline. Every
// wrong case — wrong or expired code, a number that is not the address's, no such ticket — is the
// same EUNAUTHORIZED "citizen.bad_code" and counts towards the lock.
func (s *Service) StatusByCode(ctx context.Context, number, email, code string) (*TicketStatus, error) {
	address, err := citizenAddress("contact", email)
	if err != nil {
		return nil, err
	}
	n, err := otklik.ParseNumber(strings.TrimSpace(number))
	if err != nil {
		return nil, otklik.Invalid(otklik.FieldError{Field: "number", Key: "citizen.number_format"})
	}
	if strings.TrimSpace(code) == "" {
		return nil, otklik.Invalid(otklik.FieldError{Field: "code", Key: "field.required"})
	}
	var refusal *otklik.Error
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		var err error
		refusal, err = s.checkCode(ctx, tx, address, purposeStatus(n), code, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("status lookup: %w", err)
	}
	if refusal != nil {
		return nil, refusal
	}
	t, err := s.store.TicketByNumber(ctx, n)
	if err != nil {
		return nil, err
	}
	return &TicketStatus{Number: t.Number, Status: t.Status, CreatedAt: t.CreatedAt, DueAt: t.DueAt}, nil
}

// «Мои обращения».

// MyQuery filters a citizen's tickets: a status and a category code (comma-separated lists), a
// registration period (dates YYYY-MM-DD, Moscow, both days included) and the next page's cursor.
type MyQuery struct {
	Status   string
	Category string
	From     string
	To       string
	Cursor   string
}

// MyTickets returns one page of the tickets whose requester has the citizen's verified address —
// whichever channel they came by — newest first.
func (s *Service) MyTickets(ctx context.Context, email string, q MyQuery) (*Page, error) {
	if strings.TrimSpace(email) == "" {
		return nil, otklik.Errorf(otklik.EUNAUTHORIZED, "auth.session_expired", nil)
	}
	f, err := s.ticketFilter(ctx, nil, ListQuery{RequesterEmail: email, Status: q.Status, Category: q.Category,
		CreatedFrom: q.From, CreatedTo: q.To, Cursor: q.Cursor, Limit: strconv.Itoa(MyPageSize)})
	if err != nil || f == nil {
		return &Page{Items: []*otklik.Ticket{}}, err
	}
	if f.RequesterIDs == nil { // never every ticket, whatever ticketFilter becomes
		f.RequesterIDs = []int64{}
	}
	return s.listPage(ctx, f)
}

// ownTicket returns the ticket of the number if its requester has the address; a ticket that is not
// theirs is ENOTFOUND "ticket.not_found", exactly as a missing one.
func (s *Service) ownTicket(ctx context.Context, email, number string) (*otklik.Ticket, error) {
	notFound := otklik.Errorf(otklik.ENOTFOUND, "ticket.not_found", map[string]string{"number": number})
	n, err := otklik.ParseNumber(strings.TrimSpace(number))
	if err != nil || email == "" {
		return nil, notFound
	}
	t, err := s.store.TicketByNumber(ctx, n)
	if otklik.IsCode(err, otklik.ENOTFOUND) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	if t.Requester == nil || t.Requester.Email == "" || !strings.EqualFold(t.Requester.Email, email) {
		return nil, notFound
	}
	return t, nil
}

// requesterActor is the ticket's requester acting on the portal.
func requesterActor(t *otklik.Ticket) otklik.Actor {
	return otklik.Actor{Type: otklik.ActorRequester, ID: t.Requester.ID, Name: t.Requester.Name, Channel: otklik.ChannelWeb}
}

// MyTicketView is a citizen's ticket as the portal shows it.
type MyTicketView struct {
	Ticket *otklik.Ticket
	// Messages are the public ones only, oldest first: internal notes never leave the workspace.
	Messages []*otklik.Message
	// Files are those on the ticket or on its public messages, not deleted.
	Files []*otklik.Attachment
	// RemindFrom is when «Повторное уведомление» may be pressed; Reminded says it was already.
	RemindFrom time.Time
	Reminded   bool
}

// CanRemind reports whether «Повторное уведомление» may be pressed at now.
func (v *MyTicketView) CanRemind(now time.Time) bool {
	return !v.Reminded && v.Ticket.Status.Open() && !now.Before(v.RemindFrom)
}

// MyTicket returns a citizen's ticket with its public conversation and files, or ENOTFOUND.
func (s *Service) MyTicket(ctx context.Context, email, number string) (*MyTicketView, error) {
	t, err := s.ownTicket(ctx, email, number)
	if err != nil {
		return nil, err
	}
	msgs, err := s.store.Messages(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	v := &MyTicketView{Ticket: t, Messages: []*otklik.Message{}, RemindFrom: t.UpdatedAt.Add(RemindAfter)}
	internal := map[int64]bool{}
	for _, m := range msgs {
		if m.Internal {
			internal[m.ID] = true
			continue
		}
		v.Messages = append(v.Messages, m)
	}
	atts, err := s.store.Attachments(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range atts {
		if !internal[a.MessageID] && a.DeletedAt.IsZero() {
			v.Files = append(v.Files, a)
		}
	}
	recs, err := s.store.Journal(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if r.Kind == otklik.KindReminder {
			v.Reminded = true
		}
	}
	return v, nil
}

// CitizenReply adds the citizen's reply to their ticket, as its requester: a ticket waiting for them
// or resolved goes back into work (AddMessage).
func (s *Service) CitizenReply(ctx context.Context, email, number, body string) (*otklik.Ticket, *otklik.Message, error) {
	t, err := s.ownTicket(ctx, email, number)
	if err != nil {
		return nil, nil, err
	}
	return s.AddMessage(ctx, requesterActor(t), t.Number, Reply{Body: body})
}

// CitizenAttach attaches a file the citizen sent to their ticket, under the web channel's rules.
func (s *Service) CitizenAttach(ctx context.Context, email, number, name string, content io.Reader) (*otklik.Attachment, error) {
	t, err := s.ownTicket(ctx, email, number)
	if err != nil {
		return nil, err
	}
	return s.Attach(ctx, requesterActor(t), t.Number, NewFile{Name: name, Channel: otklik.ChannelWeb, Content: content})
}

// CitizenFile opens a file of the citizen's ticket — only a clean one, on the ticket or a public
// message — recording the download. The caller closes the content. A file of someone else's ticket is
// ENOTFOUND, as a missing one.
func (s *Service) CitizenFile(ctx context.Context, email string, id int64) (*otklik.Attachment, *files.Content, error) {
	notFound := otklik.NotFound("file.not_found")
	a, err := s.store.Attachment(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	number, err := s.store.TicketNumberByID(ctx, a.TicketID)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.ownTicket(ctx, email, number)
	if otklik.IsCode(err, otklik.ENOTFOUND) {
		return nil, nil, notFound
	}
	if err != nil {
		return nil, nil, err
	}
	if a.MessageID != 0 {
		msgs, err := s.store.Messages(ctx, t.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, m := range msgs {
			if m.ID == a.MessageID && m.Internal {
				return nil, nil, notFound
			}
		}
	}
	return s.OpenAttachment(ctx, Viewer{Actor: requesterActor(t), Citizen: true}, id, false)
}

// Remind sends «Повторное уведомление» for the citizen's ticket: once, and only when nothing moved on
// it for RemindAfter. The assignee is reminded by e-mail (else the members of the ticket's group, else
// the support mailbox), through the outbox, and the journal records it. Too early is ECONFLICT
// "citizen.remind_early" (Args "when"), a second time ECONFLICT "citizen.remind_done", a finished
// ticket ECONFLICT "citizen.remind_closed".
func (s *Service) Remind(ctx context.Context, email, number string) error {
	v, err := s.MyTicket(ctx, email, number)
	if err != nil {
		return err
	}
	if v.Reminded {
		return otklik.Errorf(otklik.ECONFLICT, "citizen.remind_done", nil)
	}
	if err := s.mailReady(); err != nil {
		return err
	}
	staff, err := s.store.Users(ctx)
	if err != nil {
		return err
	}
	_, err = s.change(ctx, v.Ticket.Number, 0, func(tx otklik.Tx, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
		if !t.Status.Open() {
			return nil, otklik.Errorf(otklik.ECONFLICT, "citizen.remind_closed", nil)
		}
		if from := t.UpdatedAt.Add(RemindAfter); now.Before(from) {
			return nil, otklik.Errorf(otklik.ECONFLICT, "citizen.remind_early",
				map[string]string{"when": from.In(Moscow).Format("02.01.2006 15:04")})
		}
		to, who := s.reminderRecipients(ctx, tx, t, staff)
		due := "не установлен"
		if t.DueAt != nil {
			due = t.DueAt.In(Moscow).Format("02.01.2006 15:04") + " (МСК)"
		}
		body := "Здравствуйте!\n\nЗаявитель нажал «Повторное уведомление» по обращению № " + t.Number + " «" + t.Subject + "»: " +
			"по нему ничего не происходило более 48 часов.\n\n" +
			"Статус: «" + statusNameRU[t.Status] + "».\n" +
			"Последнее изменение: " + t.UpdatedAt.In(Moscow).Format("02.01.2006 15:04") + " (МСК).\n" +
			"Ожидаемый срок ответа: " + due + ".\n\n" +
			"Откройте обращение в рабочем месте: /agent/tickets/" + t.Number + "\n\n—\n" + s.mail.Name
		for _, a := range to {
			if err := s.queueMail(ctx, tx, t, 0, compose.Message{To: a,
				Subject: compose.SubjectWithNumber(t.Number, "Повторное уведомление: "+t.Subject), Text: body,
				AutoSubmitted: "auto-generated"}, otklik.MailReminder); err != nil {
				return nil, err
			}
		}
		return []*otklik.JournalRecord{{Actor: requesterActor(t), Kind: otklik.KindReminder, After: who}}, nil
	})
	return err
}

// reminderRecipients returns whom a reminder goes to and how the journal names them: the assignee,
// else the enabled members of the ticket's group, else the support mailbox.
func (s *Service) reminderRecipients(ctx context.Context, tx otklik.Tx, t *otklik.Ticket, staff []otklik.User) ([]compose.Address, string) {
	if t.Assignee != nil {
		if u, err := tx.UserByIDTx(ctx, t.Assignee.ID); err == nil && !u.Disabled && u.Email != "" {
			return []compose.Address{{Name: u.Name, Email: u.Email}}, userLabel(u.ID, u.Name)
		}
	}
	if t.Group != nil {
		var to []compose.Address
		for _, u := range staff {
			if u.GroupID == t.Group.ID && !u.Disabled && u.Role.CanWriteTickets() && u.Email != "" && len(to) < 20 {
				to = append(to, compose.Address{Name: u.Name, Email: u.Email})
			}
		}
		if len(to) > 0 {
			return to, t.Group.Name
		}
	}
	return []compose.Address{{Name: s.mail.Name, Email: s.mail.Address}}, s.mail.Name
}

// How long ended sessions and spent sign-in codes are kept: the sessions a month (who signed in from
// where, for an inquiry), the codes a day (their counts of wrong tries and of codes sent must outlive
// the limits they enforce). Personal data — addresses, IPs, browsers — is not kept longer than that.
const (
	KeepEndedSessions = 30 * 24 * time.Hour
	KeepSpentCodes    = 24 * time.Hour
)

// PurgeSignIns deletes staff and citizen sessions ended more than KeepEndedSessions ago and sign-in
// codes expired more than KeepSpentCodes ago (on addresses not locked now); it returns how many went.
func (s *Service) PurgeSignIns(ctx context.Context) (int64, error) {
	var n int64
	err := s.store.Write(ctx, func(tx otklik.Tx) error {
		now := tx.Now()
		var err error
		n, err = tx.PurgeSignIns(ctx, now.Add(-KeepEndedSessions), now.Add(-KeepSpentCodes), now)
		return err
	})
	return n, err
}
