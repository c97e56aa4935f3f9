package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/otklik/otklik/internal/config"
	"github.com/otklik/otklik/internal/files"
	"github.com/otklik/otklik/internal/files/blob"
	"github.com/otklik/otklik/internal/files/clamd"
	"github.com/otklik/otklik/internal/files/sealed"
	"github.com/otklik/otklik/internal/jobs"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// openVault opens the files' store: the blob directory or bucket, and the keyring. On the first
// start (no key yet) serve creates the first master key; other commands do not.
func openVault(c *config.Config, createKey bool, log *slog.Logger) (*files.Vault, error) {
	keys, err := sealed.LoadKeyring(c.KeysPath())
	if errors.Is(err, sealed.ErrNoKeys) && createKey {
		id, cerr := sealed.CreateKey(c.KeysPath())
		if cerr != nil {
			return nil, fmt.Errorf("create the first master key: %w", cerr)
		}
		log.Warn("created the first master key of the files; back it up apart from the data: without it no file can be read",
			"key", id, "dir", c.KeysPath())
		keys, err = sealed.LoadKeyring(c.KeysPath())
	}
	if err != nil {
		return nil, fmt.Errorf("master keys of the files: %w", err)
	}
	store, err := openBlobStore(c)
	if err != nil {
		return nil, err
	}
	return &files.Vault{Store: store, Keys: keys, KeysDir: c.KeysPath()}, nil
}

// openBlobStore opens the store of the files' contents: the bucket of --files-s3 (credentials from
// its URL or OTKLIK_S3_ACCESS_KEY and OTKLIK_S3_SECRET_KEY, uploads spooled in <files-dir>/spool), or
// the directory --files-dir.
func openBlobStore(c *config.Config) (blob.Store, error) {
	if c.FilesS3 == "" {
		store, err := blob.NewDir(c.FilesPath())
		if err != nil {
			return nil, fmt.Errorf("files directory: %w", err)
		}
		return store, nil
	}
	cfg, err := blob.ParseS3URL(c.FilesS3)
	if err != nil {
		return nil, fmt.Errorf("--files-s3: %w", err)
	}
	if cfg.AccessKey == "" {
		cfg.AccessKey, cfg.SecretKey = c.S3AccessKey, c.S3SecretKey
	}
	cfg.SpoolDir = filepath.Join(c.FilesPath(), "spool")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	store, err := blob.NewS3(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("--files-s3: %w", err)
	}
	return store, nil
}

// fileRules are the limits of each channel: PRODUCT.md's, with e-mail's from --mail-max-file and
// --mail-max-bytes.
func fileRules(c *config.Config) func(otklik.Channel) files.Rules {
	return func(ch otklik.Channel) files.Rules {
		r := files.DefaultRules(ch)
		if ch == otklik.ChannelEmail {
			r.MaxFile, r.MaxTotal = c.MailMaxFile, c.MailMaxBytes
		}
		return r
	}
}

// scanHandler is the handler of service.JobScanFile: Run streams the content to clamd, Commit records
// the verdict. clamd unreachable: the job is retried with backoff, and the file stays «на проверке».
func scanHandler(svc *service.Service, client *clamd.Client) jobs.Handler {
	var verdicts sync.Map // job ID → service.ScanVerdict, from Run to Commit
	scan := func(ctx context.Context, r io.Reader) (bool, string, error) {
		res, err := client.Scan(ctx, r)
		if errors.Is(err, clamd.ErrTooLarge) {
			return false, "", fmt.Errorf("%w: %v", service.ErrScanImpossible, err)
		}
		return res.Infected, res.Signature, err
	}
	return jobs.Handler{
		Timeout: 5 * time.Minute,
		Run: func(ctx context.Context, j *otklik.Job) error {
			id, err := blobID(j)
			if err != nil {
				return jobs.Permanent(err)
			}
			v, err := svc.ScanBlob(ctx, id, scan)
			if err != nil {
				return err
			}
			verdicts.Store(j.ID, v)
			return nil
		},
		Commit: func(ctx context.Context, tx otklik.Tx, j *otklik.Job) error {
			id, err := blobID(j)
			if err != nil {
				return err
			}
			v, ok := verdicts.LoadAndDelete(j.ID)
			if !ok {
				return errors.New("scan verdict lost before it was recorded")
			}
			return svc.RecordScan(ctx, tx, id, v.(service.ScanVerdict))
		},
	}
}

func blobID(j *otklik.Job) (int64, error) {
	var p struct {
		BlobID int64 `json:"blob_id"`
	}
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil || p.BlobID == 0 {
		return 0, fmt.Errorf("file.scan payload %q", j.Payload)
	}
	return p.BlobID, nil
}

// keysCmd manages the master keys of the files: `otklik keys rotate` creates a new master key, makes
// it current and rewraps every file's data key with it (contents are not re-encrypted); `otklik keys
// list` names the keys.
func keysCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || (args[0] != "rotate" && args[0] != "rewrap" && args[0] != "list") {
		return errors.New("usage: otklik keys rotate|rewrap|list [--data DIR] [--keys-dir DIR] [--db URL]")
	}
	action := args[0]
	c, _, err := loadConfig("keys "+action, args[1:], config.ScopeData, stderr, getenv, nil)
	if err != nil {
		return err
	}
	if action == "list" {
		keys, err := sealed.LoadKeyring(c.KeysPath())
		if err != nil {
			return err
		}
		for _, id := range keys.IDs() {
			mark := ""
			if id == keys.Current {
				mark = " (current)"
			}
			fmt.Fprintf(stdout, "%s%s\n", id, mark)
		}
		return nil
	}
	log := newLogger(c, stderr)
	if _, err := sealed.LoadKeyring(c.KeysPath()); err != nil && !errors.Is(err, sealed.ErrNoKeys) {
		return err
	}
	id := ""
	if action == "rotate" {
		if id, err = sealed.CreateKey(c.KeysPath()); err != nil {
			return err
		}
	}
	vault, err := openVault(c, false, log)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, c, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := service.New(service.Options{Store: st, Logger: log, Files: service.FileOptions{Vault: vault}})
	n, err := svc.RewrapKeys(ctx)
	if err != nil {
		return fmt.Errorf("new master key %s is current, but rewrapping stopped after %d keys (run `otklik keys rotate` again): %w", id, n, err)
	}
	id = vault.CurrentKey()
	fmt.Fprintf(stdout, "Master key %s is current; %d file keys rewrapped.\n", id, n)
	if action == "rotate" {
		fmt.Fprintf(stdout, "Restart the nodes so that new files are wrapped by it, run `otklik keys rewrap` once more for files stored meanwhile, then the old keys may leave %s.\n", c.KeysPath())
	}
	return nil
}
