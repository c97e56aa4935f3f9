package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/otklik/otklik/internal/jobs"
	"github.com/otklik/otklik/internal/mail/compose"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// Sender sends outbound mail through a relay: the handler of service.JobSendMail.
type Sender struct {
	Service *service.Service
	Relay   string // host:port
	// StartTLS upgrades the relay connection with STARTTLS (a relay elsewhere); a local MTA is
	// spoken to in plain text.
	StartTLS bool
	Signer   *compose.Signer
	// Hostname is what Otklik says in EHLO (default: the host name).
	Hostname string
}

// Handler returns the job handler. Run sends (DKIM-signed when a key is configured); Commit marks
// the mail sent. A crash between the two sends the mail again on the next attempt: the relay sees
// the same Message-ID, which mail systems use to drop duplicates.
func (s *Sender) Handler() jobs.Handler {
	return jobs.Handler{
		Timeout: 2 * time.Minute,
		Run: func(ctx context.Context, j *otklik.Job) error {
			id, err := mailID(j)
			if err != nil {
				return jobs.Permanent(err)
			}
			m, err := s.Service.OutboundMail(ctx, id)
			if err != nil {
				return err
			}
			if m.Status == otklik.MailSent {
				return nil
			}
			err = s.send(ctx, m)
			var se *smtp.SMTPError
			if errors.As(err, &se) && se.Code >= 500 {
				// The relay refused it for good: record why and stop.
				_ = s.Service.MarkMailFailed(ctx, m.ID, se.Error())
				return jobs.Permanent(err)
			}
			return err
		},
		Commit: func(ctx context.Context, tx otklik.Tx, j *otklik.Job) error {
			id, err := mailID(j)
			if err != nil {
				return err
			}
			return s.Service.MarkMailSent(ctx, tx, id, otklik.MailSent, "")
		},
	}
}

func mailID(j *otklik.Job) (int64, error) {
	var p struct {
		MailID int64 `json:"mail_id"`
	}
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil || p.MailID == 0 {
		return 0, fmt.Errorf("mail.send payload %q", j.Payload)
	}
	return p.MailID, nil
}

// send delivers one message to the relay, using STARTTLS when the relay offers it.
func (s *Sender) send(ctx context.Context, m *otklik.MailRecord) error {
	raw := m.Raw
	if s.Signer != nil {
		signed, err := s.Signer.Sign(raw)
		if err != nil {
			return err
		}
		raw = signed
	}
	d := net.Dialer{Timeout: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", s.Relay)
	if err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(s.Relay)
	hostname := s.Hostname
	if hostname == "" {
		hostname, _ = os.Hostname()
	}
	var c *smtp.Client
	if s.StartTLS {
		c, err = smtp.NewClientStartTLS(conn, &tls.Config{ServerName: host})
		if err != nil {
			conn.Close()
			return fmt.Errorf("starttls with %s: %w", s.Relay, err)
		}
	} else {
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	if err := c.Hello(hostname); err != nil && !s.StartTLS {
		return err
	}
	if err := c.SendMail(m.From, []string{m.To}, bytes.NewReader(raw)); err != nil {
		return err
	}
	return c.Quit()
}
