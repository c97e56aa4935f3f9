package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/otklik/otklik/internal/config"
	"github.com/otklik/otklik/internal/files"
	"github.com/otklik/otklik/internal/jobs"
	"github.com/otklik/otklik/internal/mail"
	"github.com/otklik/otklik/internal/mail/compose"
	"github.com/otklik/otklik/internal/mail/imap"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// mailChannel is the running e-mail channel of a node: listeners, IMAP pollers and the sender.
type mailChannel struct {
	servers []*mail.Server
	wg      sync.WaitGroup
	cancel  context.CancelFunc
}

// startMail starts what the configuration asks for: SMTP and LMTP listeners, IMAP polling, and the
// send job when a relay is configured (mail held without one is released then).
func startMail(ctx context.Context, c *config.Config, svc *service.Service, runner *jobs.Runner, log *slog.Logger) (*mailChannel, error) {
	intake := mail.NewIntake(mail.Options{Service: svc, Address: c.SupportAddress, Logger: log, TrustedAuthServID: c.MailAuthServID,
		Limits: mail.Limits{MaxMessageBytes: c.MailMaxBytes, MaxFileBytes: c.MailMaxFile, MaxFiles: files.DefaultRules(otklik.ChannelEmail).MaxFiles}})
	ch := &mailChannel{}
	ctx, ch.cancel = context.WithCancel(ctx)
	domain := c.SupportAddress[strings.LastIndexByte(c.SupportAddress, '@')+1:]

	listen := func(addr string, lmtp bool) error {
		network, where := "tcp", addr
		if p, ok := strings.CutPrefix(addr, "unix:"); ok {
			network, where = "unix", p
			_ = os.Remove(p) // a socket left behind by a previous run
		}
		ln, err := net.Listen(network, where)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", addr, err)
		}
		var rcpts []string
		if !lmtp {
			// SMTP may face the Internet: only the support address. Over LMTP the MTA has already
			// decided which addresses are ours (aliases included).
			rcpts = []string{c.SupportAddress}
		}
		srv := mail.NewServer(mail.ServerOptions{Intake: intake, LMTP: lmtp, Domain: domain, Recipients: rcpts,
			MaxMessageBytes: c.MailMaxBytes, Logger: log})
		ch.servers = append(ch.servers, srv)
		ch.wg.Add(1)
		go func() {
			defer ch.wg.Done()
			if err := srv.Serve(ln); err != nil {
				log.Error("mail listener stopped", "addr", addr, "error", err)
			}
		}()
		proto := "SMTP"
		if lmtp {
			proto = "LMTP"
		}
		log.Info("receiving mail", "protocol", proto, "addr", ln.Addr().String())
		return nil
	}
	if c.SMTPAddr != "" {
		if err := listen(c.SMTPAddr, false); err != nil {
			ch.stop()
			return nil, err
		}
	}
	if c.LMTPAddr != "" {
		if err := listen(c.LMTPAddr, true); err != nil {
			ch.stop()
			return nil, err
		}
	}
	if c.IMAPAddr != "" {
		p := imap.New(imap.Options{Addr: c.IMAPAddr, TLS: c.IMAPTLS, Username: c.IMAPUser, Password: c.IMAPPassword,
			Mailbox: c.IMAPMailbox, MoveTo: c.IMAPMoveTo, Logger: log, MaxMessageBytes: c.MailMaxBytes})
		ch.wg.Add(1)
		go func() {
			defer ch.wg.Done()
			err := p.Run(ctx, func(ctx context.Context, uid uint32, r io.Reader) error {
				env := mail.Envelope{Rcpt: c.SupportAddress}
				var size int64 // announced by the server
				if l, ok := r.(interface{ Len() int }); ok {
					size = int64(l.Len())
				}
				raw, err := mail.ReadLimited(r, c.MailMaxBytes, size)
				var tooLarge *imap.TooLargeError
				if errors.As(err, &tooLarge) {
					// Only the header was fetched: tell the sender, take nothing in.
					_, err = intake.DeliverTooLarge(ctx, raw, int64(tooLarge.Size), env)
					return err
				}
				if err != nil {
					return err
				}
				_, err = intake.Deliver(ctx, raw, env)
				return err
			})
			if err != nil && ctx.Err() == nil {
				log.Error("IMAP polling stopped", "error", err)
			}
		}()
		log.Info("polling IMAP mailbox", "addr", c.IMAPAddr, "mailbox", c.IMAPMailbox)
	}
	if c.SMTPRelay != "" {
		sender := &mail.Sender{Service: svc, Relay: c.SMTPRelay, StartTLS: c.SMTPRelayStartTLS}
		if c.DKIMKey != "" {
			dkimDomain := c.DKIMDomain
			if dkimDomain == "" {
				dkimDomain = domain
			}
			signer, err := compose.LoadSigner(dkimDomain, c.DKIMSelector, c.DKIMKey)
			if err != nil {
				ch.stop()
				return nil, err
			}
			sender.Signer = signer
		}
		runner.Register(service.JobSendMail, sender.Handler())
		n, err := svc.ReleaseHeldMail(ctx)
		if err != nil {
			ch.stop()
			return nil, err
		}
		if n > 0 {
			log.Info("mail held without a relay is being sent", "count", n)
		}
	}
	return ch, nil
}

// stop ends the listeners (letting sessions finish for a few seconds) and the pollers.
func (ch *mailChannel) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range ch.servers {
		_ = s.Shutdown(ctx)
	}
	ch.cancel()
	ch.wg.Wait()
}
