// Package mail is Otklik's e-mail channel: SMTP and LMTP listeners an MTA delivers to, IMAP polling of
// existing mailboxes (internal/mail/imap), intake — parsing (internal/mail/parse), noise and bounce
// detection (internal/mail/bounce), SPF/DKIM/DMARC, limits — handing each message to the service,
// and the job that sends outbound mail through the relay.
package mail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/otklik/otklik/internal/mail/bounce"
	"github.com/otklik/otklik/internal/mail/parse"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// Limits of inbound mail (PRODUCT.md F1).
type Limits struct {
	MaxMessageBytes int64 // 25 MiB
	MaxFileBytes    int64 // 10 MiB
	MaxFiles        int   // files in one message: 20
}

// Options configure intake.
type Options struct {
	Service *service.Service
	// Address is the support mailbox; its domain is the portal's own, so mail claiming it that fails
	// DMARC is possible phishing.
	Address  string
	Limits   Limits
	Resolver Resolver
	// TrustedAuthServID is the authserv-id of the MTA in front of Otklik (Postfix with an SPF
	// policy service): over LMTP and IMAP, where Otklik does not see the sending IP, the SPF verdict
	// comes from that MTA's Authentication-Results header. Empty: SPF is "none" there.
	TrustedAuthServID string
	Logger            *slog.Logger
}

// Intake takes inbound messages from every transport into the registry.
type Intake struct {
	svc    *service.Service
	domain string
	limits Limits
	auth   *authenticator
	log    *slog.Logger
}

// NewIntake returns an Intake.
func NewIntake(o Options) *Intake {
	if o.Limits.MaxMessageBytes <= 0 {
		o.Limits.MaxMessageBytes = 25 << 20
	}
	if o.Limits.MaxFiles <= 0 {
		o.Limits.MaxFiles = 20
	}
	if o.Limits.MaxFileBytes <= 0 {
		o.Limits.MaxFileBytes = 10 << 20
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Intake{svc: o.Service, domain: domainOf(o.Address), limits: o.Limits, auth: newAuthenticator(o.Resolver, o.TrustedAuthServID), log: o.Logger}
}

// Envelope is what the transport knows beyond the message: the SMTP envelope and the client.
type Envelope struct {
	MailFrom string
	Rcpt     string
	Helo     string
	ClientIP net.IP // nil when unknown (LMTP from the local MTA, IMAP)
}

// ErrTooLarge is returned for a message over the size limit; transports answer it as a permanent
// failure (SMTP 552).
var ErrTooLarge = errors.New("message too large")

// Deliver takes one raw message in. It returns nil once the message is committed (or was already
// taken in before: the same Message-ID and content); any other error means the transport must not
// acknowledge the message, so that it is delivered again.
func (in *Intake) Deliver(ctx context.Context, raw []byte, env Envelope) (*service.MailOutcome, error) {
	if int64(len(raw)) > in.limits.MaxMessageBytes {
		return nil, ErrTooLarge
	}
	sum := sha256.Sum256(raw)
	msg, err := parse.ParseBytes(raw, parse.Options{MaxMessageBytes: in.limits.MaxMessageBytes, MaxAttachmentBytes: in.limits.MaxFileBytes})
	if err != nil {
		var pe *parse.Error
		if errors.As(err, &pe) && pe.Code == "message.too_large" {
			return nil, ErrTooLarge
		}
		// Unreadable even as headers: record nothing, accept nothing — but do not make the MTA retry
		// forever either. Take it in as a ticket with what can be read? There is no sender to answer.
		return nil, fmt.Errorf("mail: unreadable message: %w", err)
	}
	class := bounce.ClassifyBytes(raw, classifyHead)
	im := service.InboundMail{
		MessageID: msg.MessageID, ContentSHA256: sum[:], InReplyTo: msg.InReplyTo, References: msg.References,
		FromEmail: msg.From.Email, FromName: msg.From.Name, To: env.Rcpt, Subject: msg.Subject,
		Text: msg.Text, Visible: msg.Visible,
	}
	if im.MessageID == "" {
		im.MessageID = "sha256." + hex.EncodeToString(sum[:16]) + "@otklik.local"
	}
	if im.FromEmail == "" {
		im.FromEmail = strings.ToLower(env.MailFrom)
	}
	switch class.Kind {
	case bounce.Bounce, bounce.Delay:
		im.Noise = otklik.MailBounce
		if class.Kind == bounce.Bounce {
			im.Bounce = &service.BounceInfo{OriginalMessageID: class.OriginalMessageID, Hard: class.Hard, Status: class.Status, Reason: class.Reason}
		}
	case bounce.AutoReply:
		im.Noise = otklik.MailAutoReply
	case bounce.Bulk:
		im.Noise = otklik.MailBulk
	case bounce.Feedback:
		im.Noise = otklik.MailFeedback
	default:
		if class.Kind.Noise() { // delivery receipts and other machine reports
			im.Noise = otklik.MailFeedback
		}
	}
	// A person's mail that asks not to be auto-answered (X-Auto-Response-Suppress) makes a ticket
	// but gets no acknowledgement.
	im.NoAutoAnswer = class.SuppressAutoReply
	if env.MailFrom == "" && im.Noise == "" {
		// The null sender is reserved for notifications (RFC 5321 4.5.5): never answer it.
		im.Noise = otklik.MailAutoReply
	}
	res := in.auth.check(raw, domainOf(msg.From.Email), env.MailFrom, env.Helo, env.ClientIP)
	im.Auth = res.JSON()
	if in.domain != "" && (res.FromDomain == in.domain || strings.HasSuffix(res.FromDomain, "."+in.domain)) && res.DMARC != "pass" {
		im.Phishing = true // claims the portal's own domain and does not prove it
		in.log.Warn("possible phishing: mail claims our domain and fails DMARC", "from", msg.From.Email, "dmarc", res.DMARC)
	}
	if im.Noise == "" {
		files, rejected, err := in.storeFiles(ctx, msg)
		if err != nil {
			return nil, err
		}
		im.Files, im.Rejected = files, rejected
	}
	out, err := in.svc.IngestMail(ctx, im)
	if err != nil || out.Duplicate || (out.Kind != otklik.MailTicket && out.Kind != otklik.MailReply && out.Kind != otklik.MailRepeat) {
		// The files were not taken: a failed or repeated delivery, a status request, noise.
		in.svc.DiscardStored(ctx, im.Files)
	}
	if err != nil {
		return nil, err
	}
	in.log.Info("mail taken in", "kind", out.Kind, "ticket", out.Ticket, "duplicate", out.Duplicate, "from", im.FromEmail)
	return out, nil
}

// storeFiles puts the message's files into the vault, each checked by its content. It returns them;
// or, when any file is refused, what the sender must reduce or remove, in Russian, having kept
// nothing. An error is a failure of the vault itself: the transport must not acknowledge the message.
func (in *Intake) storeFiles(ctx context.Context, m *parse.Message) ([]*service.StoredFile, string, error) {
	var stored []*service.StoredFile
	var problems []string
	files := m.Attachments[:0:0]
	for _, a := range m.Attachments {
		if a.Inline && strings.HasPrefix(a.ContentType, "image/") && a.Filename == "" {
			continue // an inline picture of a signature or a logo in HTML mail
		}
		files = append(files, a)
	}
	if len(files) > in.limits.MaxFiles {
		// Refused before any is stored: thousands of tiny files cost nothing but this count.
		return nil, fmt.Sprintf("в письме слишком много файлов (%d): в одном письме мы принимаем не более %d — отправьте остальные отдельными письмами, указав номер обращения в теме.",
			len(files), in.limits.MaxFiles), nil
	}
	for _, a := range files {
		name := a.Filename
		if name == "" {
			name = "файл без имени"
		}
		if a.TooLarge || a.Size > in.limits.MaxFileBytes {
			problems = append(problems, fmt.Sprintf("файл «%s» (%s) больше %s — уменьшите его или разделите на части", name, service.HumanBytes(a.Size), service.HumanBytes(in.limits.MaxFileBytes)))
			continue
		}
		f, err := in.svc.StoreFile(ctx, a.Filename, otklik.ChannelEmail, bytes.NewReader(a.Data))
		var oe *otklik.Error
		switch {
		case err == nil:
			stored = append(stored, f)
		case errors.As(err, &oe) && oe.Code == otklik.EINVALID && len(oe.Fields) > 0:
			problems = append(problems, fileProblem(oe.Fields[0].Key, name))
		default:
			in.svc.DiscardStored(ctx, stored)
			return nil, "", err
		}
	}
	if len(problems) == 0 {
		return stored, "", nil
	}
	in.svc.DiscardStored(ctx, stored)
	return nil, strings.Join(problems, "; ") + ".", nil
}

// fileProblem says in Russian what is wrong with a refused file and what to do.
func fileProblem(key, name string) string {
	switch key {
	case "file.zip_bomb":
		return fmt.Sprintf("файл «%s» после распаковки занимает слишком много места — сохраните документ заново или пришлите его в формате PDF", name)
	case "file.image_bomb":
		return fmt.Sprintf("изображение «%s» слишком большое по числу точек — уменьшите его разрешение", name)
	case "file.image_invalid":
		return fmt.Sprintf("изображение «%s» повреждено и не открывается — сохраните его заново в формате JPG или PNG", name)
	case "file.ooxml_invalid":
		return fmt.Sprintf("файл «%s» повреждён или не является настоящим документом Word или Excel — сохраните его заново в формате DOCX или XLSX", name)
	case "file.empty":
		return fmt.Sprintf("файл «%s» пустой — приложите его заново", name)
	case "file.too_large":
		return fmt.Sprintf("файл «%s» слишком большой — уменьшите его или разделите на части", name)
	}
	return fmt.Sprintf("файл «%s» не является документом PDF, DOCX, XLSX или изображением JPG, PNG — удалите его или сохраните в одном из этих форматов", name)
}

// DeliverTooLarge answers a message over the size limit of which only the header is at hand: nothing
// is registered, and the sender (unless the message is noise) is told in Russian what to reduce.
func (in *Intake) DeliverTooLarge(ctx context.Context, header []byte, size int64, env Envelope) (*service.MailOutcome, error) {
	header = append(bytes.TrimRight(header, "\r\n"), "\r\n\r\n(too large)\r\n"...)
	msg, err := parse.Parse(bytes.NewReader(header), parse.Options{MaxMessageBytes: int64(len(header)) + 1})
	if err != nil {
		return nil, fmt.Errorf("mail: unreadable header of a too large message: %w", err)
	}
	class, _ := bounce.Classify(bytes.NewReader(header), int64(len(header))+1)
	sum := sha256.Sum256(header)
	im := service.InboundMail{MessageID: msg.MessageID, ContentSHA256: sum[:], FromEmail: msg.From.Email, FromName: msg.From.Name,
		To: env.Rcpt, Subject: msg.Subject, Auth: AuthResults{SPF: "none", DKIM: "none", DMARC: "none"}.JSON(),
		Rejected: fmt.Sprintf("письмо размером %s больше допустимых %s — уменьшите вложения (не более %s каждое) или отправьте их несколькими письмами",
			service.HumanBytes(size), service.HumanBytes(in.limits.MaxMessageBytes), service.HumanBytes(in.limits.MaxFileBytes))}
	if im.MessageID == "" {
		im.MessageID = "sha256." + hex.EncodeToString(sum[:16]) + "@otklik.local"
	}
	if class.Kind.Noise() || env.MailFrom == "" && im.FromEmail == "" {
		im.Noise, im.Rejected = otklik.MailAutoReply, ""
	}
	return in.svc.IngestMail(ctx, im)
}

// classifyHead is how much of a message the bounce classifier reads: the parts of a report that
// say what happened come before the returned message, and the headers of mail from a person are
// at its beginning, so a large message costs no copy of itself to classify.
const classifyHead = 2 << 20

// ReadLimited reads r up to max bytes; more is ErrTooLarge. With an error it returns what it read
// before it (the beginning of a too large message holds its header).
//
// sizeHint is the size the sender declared, when it did (SMTP SIZE, an IMAP literal's length): the
// buffer then grows to it in one step once an eighth of it has arrived, so a message costs about its
// own size in memory, and a sender declaring more than it sends cannot make Otklik hold more than
// eight times what it sent. Without a hint the message is read in chunks and joined once: twice its
// size allocated, never a buffer twice too large.
func ReadLimited(r io.Reader, max, sizeHint int64) ([]byte, error) {
	r = io.LimitReader(r, max+1)
	if sizeHint > 0 {
		return readHinted(r, max, min(sizeHint, max)+1)
	}
	var chunks [][]byte
	var total int64
	size := int64(64 << 10)
	var err error
	for {
		chunk := make([]byte, size)
		var n int
		n, err = io.ReadFull(r, chunk)
		chunks = append(chunks, chunk[:n])
		total += int64(n)
		if err != nil {
			break
		}
		size = min(size*2, 4<<20)
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = nil
	}
	buf := make([]byte, 0, total)
	for _, c := range chunks {
		buf = append(buf, c...)
	}
	if err == nil && total > max {
		err = ErrTooLarge // the beginning, for the header
	}
	return buf, err
}

// readHinted reads into a buffer that reaches target bytes once target/8 have arrived.
func readHinted(r io.Reader, max, target int64) ([]byte, error) {
	buf := make([]byte, 0, min(target, 64<<10))
	for {
		if len(buf) == cap(buf) {
			next := int64(cap(buf)) * 2
			if int64(len(buf)) >= target/8 && int64(cap(buf)) < target {
				next = target
			}
			grown := make([]byte, len(buf), min(next, max+1))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return buf, err
		}
	}
	if int64(len(buf)) > max {
		return buf, ErrTooLarge
	}
	return buf, nil
}
