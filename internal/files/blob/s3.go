package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config locates an S3-compatible bucket.
type S3Config struct {
	Endpoint  string // host[:port], without a scheme
	Bucket    string
	Prefix    string // put before every key, such as "otklik/files/"; a missing final "/" is added
	Region    string // empty: asked from the server
	AccessKey string
	SecretKey string
	Secure    bool   // HTTPS
	SpoolDir  string // where objects being written wait for Commit; default os.TempDir()
}

// S3 is a Store in a bucket of an S3-compatible object store (Amazon S3, Yandex Object Storage,
// MinIO, Ceph RGW, Versity Gateway…), each object at <prefix><key>.
//
// Memory stays small whatever an object's size. A Writer spools what is written to a temporary file
// in SpoolDir (unlinked at once where the system allows it, so a crash leaves nothing behind; the
// directory needs room for the largest object being written at once), and Commit uploads that file
// in one PUT of known length, streamed from the file: nothing is buffered whole. One PUT is atomic in
// S3 (the object appears whole or not at all) and, unlike a multipart upload, carries the condition
// below; it limits an object to S3's 5 GiB, far above any file Otklik accepts.
//
// Commit never replaces an object: it asks for the key first (StatObject) and answers ErrExists if it
// is taken, then PUTs with "If-None-Match: *", which Amazon S3 (since August 2024), MinIO and Versity
// Gateway (the tests' server) refuse with 412 when the key exists: of racing Commits one wins. A
// server that answers 501 to the condition gets the PUT without it from then on; on such a server, or
// one that ignores the header, two Commits of one key racing between their StatObject and their PUT
// can both succeed, the later replacing the earlier. Otklik names objects with 128 random bits, so
// for it that race does not arise. A conditional PUT cut off without an answer (some servers refuse
// before reading the body and close the connection) is followed by one more StatObject: a key taken
// by then is ErrExists.
//
// An Object's ReadAt reads with ranged GETs, each checked against the ETag that Open's one HEAD
// returned (If-Match), so a replaced object fails instead of mixing two contents. A read that starts
// where the previous one ended keeps its response open for the rest of the object, so a sequential
// read (a download) costs one GET, not one per chunk (a kept response that the server cut meanwhile
// is replaced once by a new GET); any other read fetches exactly its range.
// Concurrent ReadAt calls are safe and run in parallel. minio-go's own *minio.Object is not used: it
// serialises ReadAt calls behind one mutex, issues a GET for each and keeps the first error for all
// later calls.
//
// S3 is safe for concurrent use, also by several nodes sharing the bucket.
type S3 struct {
	client *minio.Core
	bucket string
	prefix string
	spool  string

	// noCondition is set once the server answered a conditional PUT (If-None-Match) with 501: from then on
	// Commit puts without the condition, relying on its StatObject check alone.
	noCondition atomic.Bool
}

var _ Store = (*S3)(nil)

// NewS3 returns the store in the bucket cfg names, after checking that the bucket exists and answers
// with these credentials. It creates cfg.SpoolDir (mode 0700) if missing.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, errors.New("blob: S3 needs an endpoint and a bucket")
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, fmt.Errorf("blob: S3 bucket %q at %s: no credentials (access key and secret key)", cfg.Bucket, cfg.Endpoint)
	}
	s := &S3{bucket: cfg.Bucket, prefix: normalizePrefix(cfg.Prefix), spool: cfg.SpoolDir}
	if s.spool == "" {
		s.spool = os.TempDir()
	} else if err := os.MkdirAll(s.spool, 0o700); err != nil {
		return nil, fmt.Errorf("blob: S3 spool directory: %w", err)
	}
	client, err := minio.NewCore(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.Secure,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: S3 endpoint %s: %w", cfg.Endpoint, err)
	}
	s.client = client
	endpoint := client.EndpointURL().String() // without the credentials
	ok, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: S3 bucket %q at %s is not usable: %w", cfg.Bucket, endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("blob: S3 bucket %q does not exist at %s", cfg.Bucket, endpoint)
	}
	return s, nil
}

// normalizePrefix drops leading slashes and ends a non-empty prefix with one.
func normalizePrefix(p string) string {
	p = strings.TrimLeft(p, "/")
	if p != "" && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// ParseS3URL parses the value of --files-s3: http[s]://[ACCESS:SECRET@]host[:port]/bucket[/prefix]
// [?region=REGION], such as https://storage.yandexcloud.net/bucket/otklik/files?region=ru-central1.
// The scheme sets Secure. Credentials come from the userinfo when it has them; otherwise the caller
// fills them in. SpoolDir is left to the caller. Errors never repeat the URL, which may hold a secret.
func ParseS3URL(s string) (S3Config, error) {
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL
		}
		return S3Config{}, fmt.Errorf("blob: S3 URL: %v", err)
	}
	var c S3Config
	switch u.Scheme {
	case "https":
		c.Secure = true
	case "http":
	default:
		return S3Config{}, fmt.Errorf("blob: S3 URL: scheme %q, want http or https", u.Scheme)
	}
	if u.Host == "" || u.Opaque != "" {
		return S3Config{}, errors.New("blob: S3 URL: no host, want http[s]://host[:port]/bucket[/prefix]")
	}
	c.Endpoint = u.Host
	c.Bucket, c.Prefix, _ = strings.Cut(strings.Trim(u.Path, "/"), "/")
	if c.Bucket == "" {
		return S3Config{}, fmt.Errorf("blob: S3 URL: no bucket, want http[s]://%s/bucket[/prefix]", u.Host)
	}
	c.Prefix = normalizePrefix(c.Prefix)
	if u.User != nil {
		c.AccessKey = u.User.Username()
		c.SecretKey, _ = u.User.Password()
	}
	for k, v := range u.Query() {
		switch k {
		case "region":
			c.Region = v[len(v)-1]
		default:
			return S3Config{}, fmt.Errorf("blob: S3 URL: unknown parameter %q (only region)", k)
		}
	}
	if u.Fragment != "" {
		return S3Config{}, errors.New("blob: S3 URL: unexpected #fragment")
	}
	return c, nil
}

// name returns the object name of key.
func (s *S3) name(key string) (string, error) {
	if !ValidKey(key) {
		return "", fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	return s.prefix + key, nil
}

// s3Err translates an error of the client: a missing key is ErrNotFound.
func (s *S3) s3Err(key string, err error) error {
	switch minio.ToErrorResponse(err).Code {
	case minio.NoSuchKey, "NotFound":
		return fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return fmt.Errorf("blob: S3 %s/%s%s: %w", s.bucket, s.prefix, key, err)
}

// Create starts a new object in a spool file.
func (s *S3) Create(ctx context.Context) (Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(s.spool, "otklik-s3-*")
	if err != nil {
		return nil, fmt.Errorf("blob: S3 spool: %w", err)
	}
	w := &s3Writer{s: s, ctx: ctx, f: f}
	// Unlinked now, the file goes when it is closed, also by a crash. Windows cannot remove an open
	// file: there it goes at Commit or Abort.
	if runtime.GOOS != "windows" && os.Remove(f.Name()) == nil {
		w.unlinked = true
	}
	return w, nil
}

// Open opens the object under key: one HEAD gives its size and ETag.
func (s *S3) Open(ctx context.Context, key string) (Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	name, err := s.name(key)
	if err != nil {
		return nil, err
	}
	info, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return nil, s.s3Err(key, err)
	}
	return &s3Object{s: s, ctx: ctx, key: key, name: name, size: info.Size, etag: info.ETag, next: -1}, nil
}

// Delete removes the object under key.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	name, err := s.name(key)
	if err != nil {
		return err
	}
	// S3 answers 204 for a missing key too; some servers say NoSuchKey.
	if err := s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{}); err != nil {
		if err := s.s3Err(key, err); !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

// Stat returns the size of the object under key.
func (s *S3) Stat(ctx context.Context, key string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	name, err := s.name(key)
	if err != nil {
		return 0, err
	}
	info, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return 0, s.s3Err(key, err)
	}
	return info.Size, nil
}

// s3Writer spools an object to a temporary file until Commit uploads it, under the context given to
// Create.
type s3Writer struct {
	s        *S3
	ctx      context.Context
	f        *os.File
	n        int64
	unlinked bool
	done     bool
}

func (w *s3Writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, errors.New("blob: write after commit or abort")
	}
	n, err := w.f.Write(p)
	w.n += int64(n)
	if err != nil {
		err = fmt.Errorf("blob: S3 spool: %w", err)
	}
	return n, err
}

func (w *s3Writer) Commit(key string) error {
	if w.done {
		return errors.New("blob: commit after commit or abort")
	}
	defer w.Abort() // the spool file goes, whatever happens
	s := w.s
	name, err := s.name(key)
	if err != nil {
		return err
	}
	// taken reports whether name holds an object: nil when it does, ErrNotFound when it does not.
	taken := func() error {
		_, err := s.client.StatObject(w.ctx, s.bucket, name, minio.StatObjectOptions{})
		if err != nil {
			return s.s3Err(key, err)
		}
		return nil
	}
	exists := fmt.Errorf("%w: %s", ErrExists, key)
	if err := taken(); err == nil {
		return exists
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	conditional := !s.noCondition.Load()
	err = w.put(name, conditional)
	if conditional && minio.ToErrorResponse(err).Code == minio.NotImplemented {
		s.noCondition.Store(true)
		err = w.put(name, false)
	}
	if err == nil {
		return nil
	}
	switch minio.ToErrorResponse(err).Code {
	case minio.PreconditionFailed, "ConditionalRequestConflict": // taken meanwhile, or being taken
		return exists
	case "":
		// No answer from the server: the connection failed. A server refusing a conditional PUT
		// may answer 412 and close the connection before it has read the body, and the client then
		// sees only its write cut ("connection reset by peer"). If the key is now taken, it is
		// ErrExists — also when the PUT that failed here was the one that took it and its answer was
		// lost: the object there is whole either way, and Commit cannot tell whose it is.
		if conditional && taken() == nil {
			return exists
		}
	}
	return s.s3Err(key, err)
}

// put uploads the spool file to name in one PUT, with If-None-Match: * when conditional.
func (w *s3Writer) put(name string, conditional bool) error {
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream", DisableMultipart: true}
	if conditional {
		opts.SetMatchETagExcept("*")
	}
	// A SectionReader, not the file: the client closes a body that is an io.Closer, and a Seeker
	// lets it retry.
	_, err := w.s.client.Client.PutObject(w.ctx, w.s.bucket, name, io.NewSectionReader(w.f, 0, w.n), w.n, opts)
	return err
}

func (w *s3Writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.f.Close()
	if !w.unlinked {
		if err := os.Remove(w.f.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("blob: S3 spool: %w", err)
		}
	}
	return nil
}

// s3Object reads an object with ranged GETs under the context given to Open.
type s3Object struct {
	s         *S3
	ctx       context.Context
	key, name string
	size      int64
	etag      string

	mu     sync.Mutex
	next   int64     // where the last read ended; -1 before the first
	stream *s3Stream // an open GET to continue a sequential read, or nil
	closed bool
}

// s3Stream is the body of a ranged GET, positioned at pos, ending at end.
type s3Stream struct {
	body     io.ReadCloser
	pos, end int64
}

func (o *s3Object) Size() int64 { return o.size }

// ReadAt reads len(p) bytes at off, with the semantics of io.ReaderAt.
func (o *s3Object) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("blob: negative offset")
	}
	if off >= o.size {
		return 0, io.EOF
	}
	want := len(p)
	if rem := o.size - off; int64(len(p)) > rem {
		p = p[:rem]
	}
	end := off + int64(len(p))

	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return 0, errors.New("blob: read of a closed object")
	}
	st := o.stream
	if st != nil && st.pos == off && end <= st.end {
		o.stream = nil // ours alone until it goes back
	} else {
		st = nil
	}
	sequential := off == o.next
	o.next = end
	o.mu.Unlock()

	kept := st != nil
	if !kept {
		to := end
		if sequential {
			to = o.size // reading on: one GET for the rest
		}
		var err error
		if st, err = o.open(off, to); err != nil {
			return 0, err
		}
	}
	n, err := io.ReadFull(st.body, p)
	st.pos += int64(n)
	if err != nil && kept && o.ctx.Err() == nil {
		// A kept response may have been cut meanwhile (a server timing out a slow reader): the rest
		// of this read once more, afresh.
		st.body.Close()
		if st, err = o.open(st.pos, end); err != nil {
			return n, err
		}
		var m int
		m, err = io.ReadFull(st.body, p[n:])
		st.pos += int64(m)
		n += m
	}
	if err != nil {
		st.body.Close()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = io.ErrUnexpectedEOF // shorter than its HEAD said
		}
		return n, fmt.Errorf("blob: S3 read %s at %d: %w", o.key, off, err)
	}
	o.keep(st)
	if n < want {
		return n, io.EOF
	}
	return n, nil
}

// keep keeps st for the next sequential read, or closes it when it is exhausted or the object is.
func (o *s3Object) keep(st *s3Stream) {
	if st.pos < st.end {
		o.mu.Lock()
		if !o.closed {
			st, o.stream = o.stream, st // the newer stream is the likelier to be continued
		}
		o.mu.Unlock()
	}
	if st != nil {
		st.body.Close()
	}
}

// open GETs the bytes [from, to) of the object, if it is still the object Open saw.
func (o *s3Object) open(from, to int64) (*s3Stream, error) {
	var opts minio.GetObjectOptions
	if err := opts.SetRange(from, to-1); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	if o.etag != "" {
		if err := opts.SetMatchETag(o.etag); err != nil {
			return nil, fmt.Errorf("blob: %w", err)
		}
	}
	body, _, _, err := o.s.client.GetObject(o.ctx, o.s.bucket, o.name, opts)
	if err != nil {
		if minio.ToErrorResponse(err).Code == minio.PreconditionFailed {
			return nil, fmt.Errorf("blob: S3 object %s changed since it was opened", o.key)
		}
		return nil, o.s.s3Err(o.key, err)
	}
	return &s3Stream{body: body, pos: from, end: to}, nil
}

// Close ends the object's open GET, if any.
func (o *s3Object) Close() error {
	o.mu.Lock()
	st := o.stream
	o.stream, o.closed = nil, true
	o.mu.Unlock()
	if st != nil {
		st.body.Close()
	}
	return nil
}
