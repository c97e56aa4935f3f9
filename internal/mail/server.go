package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/otklik/otklik/internal/otklik"
)

// Server receives mail over SMTP or LMTP (RFC 2033) and hands each message to Intake. A message is
// acknowledged (250) only after its ticket is committed; a failure before that is a temporary error
// (451), so the sending MTA keeps the message and tries again, and intake's de-duplication makes a
// redelivery harmless.
type Server struct {
	srv    *smtp.Server
	intake *Intake
	log    *slog.Logger
}

// ServerOptions configure a Server.
type ServerOptions struct {
	Intake *Intake
	// LMTP serves LMTP instead of SMTP.
	LMTP bool
	// Domain is the name the server greets with.
	Domain string
	// Recipients, when not empty, are the only addresses accepted (the support mailboxes); others are
	// refused with 550 at RCPT.
	Recipients      []string
	MaxMessageBytes int64
	Logger          *slog.Logger
}

// NewServer returns a Server; Serve starts it.
func NewServer(o ServerOptions) *Server {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{intake: o.Intake, log: o.Logger}
	rcpts := map[string]bool{}
	for _, r := range o.Recipients {
		rcpts[strings.ToLower(r)] = true
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		var ip net.IP
		if !o.LMTP {
			if a, ok := c.Conn().RemoteAddr().(*net.TCPAddr); ok {
				ip = a.IP
			}
		}
		return &session{s: s, helo: c.Hostname(), ip: ip, rcpts: rcpts}, nil
	}))
	srv.LMTP = o.LMTP
	srv.Domain = o.Domain
	if srv.Domain == "" {
		srv.Domain = "localhost"
	}
	// The protocol limit is twice intake's, so that a message somewhat over the limit is read far
	// enough to answer its sender with a notice; far larger ones are refused by the protocol (552).
	srv.MaxMessageBytes = 2 * o.Intake.limits.MaxMessageBytes
	srv.MaxRecipients = 50
	srv.ReadTimeout = 5 * time.Minute
	srv.WriteTimeout = time.Minute
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = slogLogger{o.Logger}
	s.srv = srv
	return s
}

// Serve accepts connections on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	err := s.srv.Serve(ln)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting and waits for sessions to end, up to ctx.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }

type session struct {
	s     *Server
	helo  string
	ip    net.IP
	rcpts map[string]bool
	from  string
	to    []string
	size  int64
}

func (ss *session) Reset()        { ss.from, ss.to, ss.size = "", nil, 0 }
func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, opts *smtp.MailOptions) error {
	ss.from, ss.size = from, 0
	if opts != nil {
		ss.size = opts.Size // declared by the client (RFC 1870); a hint for the buffer only
	}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if len(ss.rcpts) > 0 && !ss.rcpts[strings.ToLower(to)] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}
	}
	ss.to = append(ss.to, to)
	return nil
}

// Data takes the message in; over SMTP one outcome answers every recipient.
func (ss *session) Data(r io.Reader) error { return ss.deliver(r) }

// LMTPData answers each recipient; Otklik makes one ticket of a message whatever the number of
// support mailboxes it was sent to, so every recipient gets the same answer.
func (ss *session) LMTPData(r io.Reader, status smtp.StatusCollector) error {
	err := ss.deliver(r)
	for _, to := range ss.to {
		status.SetStatus(to, err)
	}
	return err
}

func (ss *session) deliver(r io.Reader) error {
	rcpt := ""
	if len(ss.to) > 0 {
		rcpt = ss.to[0]
	}
	env := Envelope{MailFrom: ss.from, Rcpt: rcpt, Helo: ss.helo, ClientIP: ss.ip}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	raw, err := ReadLimited(r, ss.s.intake.limits.MaxMessageBytes, ss.size)
	if errors.Is(err, ErrTooLarge) {
		// Over the limit: the sender gets our notice in Russian of what to reduce (rather than their
		// MTA's bounce in English), and nothing is stored. The rest of the data is drained by the server.
		header := raw
		if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
			header = raw[:i]
		}
		if _, err := ss.s.intake.DeliverTooLarge(ctx, header, int64(len(raw)), env); err != nil {
			ss.s.log.Warn("answering a too large message failed", "from", ss.from, "error", err)
			return smtp.ErrDataTooLarge
		}
		return nil
	}
	if errors.Is(err, smtp.ErrDataTooLarge) {
		return smtp.ErrDataTooLarge
	}
	if err != nil {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Reading the message failed, try again"}
	}
	_, err = ss.s.intake.Deliver(ctx, raw, env)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrTooLarge):
		return smtp.ErrDataTooLarge
	case otklik.IsCode(err, otklik.EINVALID):
		ss.s.log.Warn("mail refused", "from", ss.from, "error", err)
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "The message cannot be registered"}
	default:
		ss.s.log.Error("mail intake failed; the sender will retry", "from", ss.from, "error", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
	}
}

// slogLogger adapts slog to go-smtp's logger.
type slogLogger struct{ l *slog.Logger }

func (l slogLogger) Printf(format string, v ...any) {
	l.l.Warn("smtp", "message", sprintf(format, v...))
}
func (l slogLogger) Println(v ...any) { l.l.Warn("smtp", "message", sprintf("%v", v...)) }

func sprintf(format string, v ...any) string { return fmt.Sprintf(format, v...) }
