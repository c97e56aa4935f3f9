// Package clamd is a client for ClamAV's scanning daemon, clamd. It speaks the daemon's
// NUL-terminated ("z") commands over a Unix socket or TCP, one connection per call, and streams
// files with INSTREAM so that clamd never needs access to our storage.
package clamd

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout bounds a whole call (dial, stream and verdict) when the context has no deadline.
const DefaultTimeout = 2 * time.Minute

// ChunkSize is the largest INSTREAM chunk the client sends.
const ChunkSize = 64 << 10

// maxReply bounds what the client reads back: clamd's answers are one short line.
const maxReply = 4 << 10

var (
	// ErrUnavailable means clamd could not be reached or the exchange failed part-way (I/O error,
	// timeout, reply that does not follow the protocol). It is worth retrying later.
	ErrUnavailable = errors.New("clamd: unavailable")
	// ErrTooLarge means clamd refused the stream: it is longer than its StreamMaxLength.
	ErrTooLarge = errors.New("clamd: stream too large")
	// ErrScanFailed means clamd answered the scan with an error of its own (other than the size
	// limit), such as a temporary file it could not write. The message follows in the error text.
	ErrScanFailed = errors.New("clamd: scan failed")
)

// Result is clamd's verdict on one stream.
type Result struct {
	Infected  bool
	Signature string // the name clamd reported, e.g. "Eicar-Test-Signature"; empty when clean
}

// Client talks to one clamd. It holds no connection, so it is safe for concurrent use.
type Client struct {
	network string // "unix" or "tcp"
	address string
	timeout time.Duration
	dialer  net.Dialer
}

// New returns a client for addr, given as unix:/path/to/clamd.sock or tcp:host:port (the format of
// the --clamd flag). It checks the format only; it does not connect.
func New(addr string) (*Client, error) {
	bad := func(why string) error {
		return fmt.Errorf("clamd: address %q: %s (want unix:/path or tcp:host:port)", addr, why)
	}
	c := &Client{timeout: DefaultTimeout}
	switch {
	case strings.HasPrefix(addr, "unix:"):
		c.network, c.address = "unix", strings.TrimPrefix(addr, "unix:")
		if c.address == "" {
			return nil, bad("no socket path")
		}
	case strings.HasPrefix(addr, "tcp:"):
		c.network, c.address = "tcp", strings.TrimPrefix(addr, "tcp:")
		host, port, err := net.SplitHostPort(c.address)
		if err != nil {
			return nil, bad("no host:port")
		}
		if host == "" || strings.Contains(host, "/") {
			return nil, bad("no host")
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, bad("port is not a number from 1 to 65535")
		}
	default:
		return nil, bad("unknown scheme")
	}
	return c, nil
}

// Ping checks that clamd answers: zPING must get PONG.
func (c *Client) Ping(ctx context.Context) error {
	reply, err := c.call(ctx, "ping", "zPING\x00", nil)
	if err != nil {
		return err
	}
	if reply != "PONG" {
		return fmt.Errorf("%w: ping: unexpected reply %q", ErrUnavailable, reply)
	}
	return nil
}

// Version returns clamd's version line, e.g. "ClamAV 1.4.6/27000/Mon Nov 23 09:00:00 2026" (the
// part after the slash names the signature database and is missing when it is unofficial).
func (c *Client) Version(ctx context.Context) (string, error) {
	reply, err := c.call(ctx, "version", "zVERSION\x00", nil)
	if err != nil {
		return "", err
	}
	if reply == "" || strings.HasSuffix(reply, " ERROR") {
		return "", fmt.Errorf("%w: version: unexpected reply %q", ErrUnavailable, reply)
	}
	return reply, nil
}

// Scan streams r to clamd with zINSTREAM and returns its verdict. The error wraps ErrUnavailable
// when clamd cannot be reached or the exchange breaks (retry later), ErrTooLarge when the stream is
// over clamd's StreamMaxLength, ErrScanFailed for other errors clamd reports, the context's error when
// ctx ends (a deadline is also ErrUnavailable; a cancellation is not), and r's error when r fails.
func (c *Client) Scan(ctx context.Context, r io.Reader) (Result, error) {
	reply, err := c.call(ctx, "scan", "zINSTREAM\x00", func(w io.Writer) error { return stream(w, r) })
	if err != nil {
		return Result{}, err
	}
	return parseScanReply(reply)
}

// parseScanReply turns an INSTREAM answer into a Result or an error.
func parseScanReply(reply string) (Result, error) {
	switch {
	case reply == "stream: OK":
		return Result{}, nil
	case strings.HasSuffix(reply, " FOUND"):
		sig := strings.TrimSuffix(strings.TrimPrefix(reply, "stream: "), " FOUND")
		return Result{Infected: true, Signature: sig}, nil
	case strings.HasPrefix(reply, "INSTREAM size limit exceeded"):
		return Result{}, fmt.Errorf("%w: %s", ErrTooLarge, reply)
	case strings.HasSuffix(reply, " ERROR"):
		return Result{}, fmt.Errorf("%w: %s", ErrScanFailed, strings.TrimPrefix(reply, "stream: "))
	default:
		return Result{}, fmt.Errorf("%w: scan: unexpected reply %q", ErrUnavailable, reply)
	}
}

// inputError marks a failure of the caller's reader, so that it is not reported as ErrUnavailable.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }

// stream writes r as INSTREAM chunks (a 4-byte big-endian length, then the bytes) and the zero-length
// chunk that ends the stream.
func stream(w io.Writer, r io.Reader) error {
	buf := make([]byte, 4+ChunkSize)
	for {
		n, err := io.ReadFull(r, buf[4:])
		if n > 0 {
			binary.BigEndian.PutUint32(buf, uint32(n))
			if _, werr := w.Write(buf[:4+n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return inputError{err}
		}
	}
	_, err := w.Write([]byte{0, 0, 0, 0})
	return err
}

// call dials clamd, sends cmd and then whatever send writes, and returns the reply without its NUL.
// Every error it returns wraps ErrUnavailable or the context's error, except the reader's own.
func (c *Client) call(ctx context.Context, op, cmd string, send func(io.Writer) error) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("clamd: %s: %w", op, err)
	}
	deadline, ctxDeadline := ctx.Deadline()
	if !ctxDeadline {
		deadline = time.Now().Add(c.timeout)
	}
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	conn, err := c.dialer.DialContext(dctx, c.network, c.address)
	if err != nil {
		return "", c.failure(ctx, ctxDeadline, op, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return "", c.failure(ctx, ctxDeadline, op, err)
	}
	// A cancelled context wakes whatever read or write is blocked.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	_, werr := io.WriteString(conn, cmd)
	if werr == nil && send != nil {
		werr = send(conn)
	}
	var ie inputError
	if errors.As(werr, &ie) {
		return "", fmt.Errorf("clamd: %s: read input: %w", op, ie.err)
	}
	// clamd answers and hangs up when it refuses a stream part-way (size limit), which breaks our
	// writes: the answer is still worth reading.
	reply, rerr := readReply(conn)
	switch {
	case rerr == nil:
		return reply, nil
	case werr != nil:
		return "", c.failure(ctx, ctxDeadline, op, werr)
	default:
		return "", c.failure(ctx, ctxDeadline, op, rerr)
	}
}

// failure wraps an I/O error: into the context's error when ctx has ended (also ErrUnavailable for a
// deadline), otherwise into ErrUnavailable.
func (c *Client) failure(ctx context.Context, ctxDeadline bool, op string, err error) error {
	ctxErr := ctx.Err()
	if ctxErr == nil && ctxDeadline && errors.Is(err, os.ErrDeadlineExceeded) {
		ctxErr = context.DeadlineExceeded // the connection's deadline is the context's, and fired first
	}
	switch {
	case errors.Is(ctxErr, context.DeadlineExceeded):
		return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, ctxErr)
	case ctxErr != nil:
		return fmt.Errorf("clamd: %s: %w", op, ctxErr)
	default:
		return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, err)
	}
}

// readReply reads one NUL-terminated answer of at most maxReply bytes. An answer cut by the end of
// the connection is accepted if it is not empty.
func readReply(r io.Reader) (string, error) {
	var buf []byte
	chunk := make([]byte, 512)
	for {
		n, err := r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if i := bytes.IndexByte(buf, 0); i >= 0 {
			return string(buf[:i]), nil
		}
		if len(buf) > maxReply {
			return "", fmt.Errorf("reply longer than %d bytes", maxReply)
		}
		if err == io.EOF {
			if reply := strings.TrimSpace(string(buf)); reply != "" {
				return reply, nil
			}
			return "", io.ErrUnexpectedEOF
		}
		if err != nil {
			return "", err
		}
	}
}
