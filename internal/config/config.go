// Package config builds Otklik's one typed configuration from command-line flags and OTKLIK_*
// environment variables (a flag given on the command line wins over the variable), with defaults and
// validation. Nothing reads configuration globally: main passes the fields down.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/otklik"
)

// Config is everything `otklik serve` and the data subcommands are configured with.
type Config struct {
	Addr           string // HTTP listen address
	Data           string // data directory
	DB             string // database URL; empty = SQLite under Data
	SMTPAddr       string // inbound SMTP listener
	LMTPAddr       string // inbound LMTP listener
	SMTPRelay      string // outbound relay host:port
	SupportAddress string // the support mailbox
	Clamd          string // ClamAV daemon address
	FilesDir       string // where sealed file contents live; default <data>/files
	FilesS3        string // S3-compatible bucket URL for them instead; FilesDir then only spools uploads
	KeysDir        string // master keys that wrap the files' data keys; default <data>/keys
	Demo           bool   // fill an empty database with demo data

	SupportName       string // display name of outbound mail
	PublicURL         string // this site's address as people reach it, for links in e-mail; empty: no links
	SMTPRelayStartTLS bool   // speak STARTTLS to the relay
	DKIMKey           string // PEM private key file for DKIM signing; empty: no signature
	DKIMSelector      string
	DKIMDomain        string // default: the support address's domain
	MailMaxBytes      int64  // largest inbound message
	MailMaxFile       int64  // largest attachment
	MailAuthServID    string // authserv-id of the MTA in front, whose Authentication-Results give SPF over LMTP/IMAP
	IMAPAddr          string // host:port of a mailbox to poll; empty: off
	IMAPUser          string
	IMAPPassword      string // only from OTKLIK_IMAP_PASSWORD
	IMAPMailbox       string
	IMAPMoveTo        string // move taken-in mail there; empty: mark it seen
	IMAPTLS           bool   // implicit TLS (port 993)
	S3AccessKey       string // only from OTKLIK_S3_ACCESS_KEY
	S3SecretKey       string // only from OTKLIK_S3_SECRET_KEY

	ReopenDays int    // days after closing during which a ticket can be reopened
	SQLiteSync string // "full" or "normal"
	SQLiteMmap int64  // bytes of the database file SQLite maps into memory; 0 turns it off
	DBWriters  int    // PostgreSQL write connections of this node
	DBBulk     int    // PostgreSQL connections of this node for background bulk transactions
	LogLevel   string // debug, info, warn, error
	LogFormat  string // text or json
	MaxBody    int64  // JSON request body limit, bytes
	DebugAddr  string // listen address of the profiling endpoints (/debug/pprof/); off when empty
	AutoClose  int    // days after which a resolved ticket closes by itself; 0: never
	LegalShift string // a statutory deadline on a day off moves "back" or "forward"
	RemindMins int    // minutes of working time before a deadline that its reminder comes; 0: one working day
	Workers    int    // background jobs run at once on this node
	Node       string // this node's name in job claims and events; default host:pid

	TOTPRequired    string        // comma-separated roles that must have a second factor (admin and supervisor always do)
	SessionIdle     time.Duration // a staff session unused this long ends
	SessionLifetime time.Duration // a staff session ends this long after sign-in, however active

	// Citizens' sign-in through an external OpenID Connect provider (off without an issuer).
	OIDCIssuer      string
	OIDCClientID    string
	OIDCRedirectURL string
	// OIDCClientSecret comes only from OTKLIK_OIDC_CLIENT_SECRET.
	OIDCClientSecret string

	// AdminToken comes only from OTKLIK_ADMIN_TOKEN (a secret does not belong on a command line).
	AdminToken string
}

// Default returns the defaults of CONTRACT.md.
func Default() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		Data:            "./data",
		SupportAddress:  "support@localhost",
		SupportName:     "Служба технической поддержки",
		DKIMSelector:    "otklik",
		MailMaxBytes:    25 << 20,
		MailMaxFile:     10 << 20,
		IMAPMailbox:     "INBOX",
		ReopenDays:      30,
		SQLiteSync:      "full",
		LogLevel:        "info",
		LogFormat:       "text",
		MaxBody:         1 << 20,
		AutoClose:       7,
		LegalShift:      "back",
		Workers:         16,
		TOTPRequired:    "admin,supervisor",
		SessionIdle:     30 * time.Minute,
		SessionLifetime: 12 * time.Hour,
	}
}

// Scope selects which flags a subcommand takes.
type Scope int

// Scopes.
const (
	ScopeData  Scope = iota // --data and --db: every subcommand that touches data
	ScopeServe              // everything serve takes
)

// Bind defines c's flags on fs for the scope, with c's values as defaults.
func (c *Config) Bind(fs *flag.FlagSet, scope Scope) {
	fs.StringVar(&c.Data, "data", c.Data, "data directory (embedded database, files, keys)")
	fs.StringVar(&c.DB, "db", c.DB, "database URL: empty for SQLite under --data, or postgres://…")
	fs.StringVar(&c.SQLiteSync, "sqlite-sync", c.SQLiteSync, "SQLite durability: full (survives power loss) or normal (survives a crash of Otklik)")
	fs.IntVar(&c.DBWriters, "db-writers", c.DBWriters, "PostgreSQL write connections of this node, each committing concurrent requests together (0: one a core, at most 2)")
	fs.IntVar(&c.DBBulk, "db-bulk-writers", c.DBBulk, "PostgreSQL connections of this node for background bulk transactions, such as recomputing deadlines, beside the write connections (0: one a core, at most 2)")
	fs.Int64Var(&c.SQLiteMmap, "sqlite-mmap", c.SQLiteMmap, "bytes of the SQLite file read through memory mapping (0: off); mapped pages count as resident but are the OS page cache")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json")
	fs.StringVar(&c.FilesDir, "files-dir", c.FilesDir, "directory of the files' encrypted contents (default <data>/files; shared storage when several nodes serve)")
	fs.StringVar(&c.FilesS3, "files-s3", c.FilesS3, "S3-compatible bucket for the files' encrypted contents instead of --files-dir: http[s]://host[:port]/bucket[/prefix][?region=REGION], keys in OTKLIK_S3_ACCESS_KEY and OTKLIK_S3_SECRET_KEY; uploads are spooled in <files-dir>/spool")
	fs.StringVar(&c.KeysDir, "keys-dir", c.KeysDir, "directory of the master keys wrapping the files' keys (default <data>/keys; the same keys on every node)")
	if scope != ScopeServe {
		return
	}
	fs.StringVar(&c.Addr, "addr", c.Addr, "HTTP listen address")
	fs.StringVar(&c.SMTPAddr, "smtp-addr", c.SMTPAddr, "inbound SMTP listener address (off when empty)")
	fs.StringVar(&c.LMTPAddr, "lmtp-addr", c.LMTPAddr, "inbound LMTP listener address (off when empty)")
	fs.StringVar(&c.SMTPRelay, "smtp-relay", c.SMTPRelay, "outbound SMTP relay host:port (empty: mail waits in the outbox)")
	fs.StringVar(&c.SupportAddress, "support-address", c.SupportAddress, "the support mailbox address")
	fs.StringVar(&c.Clamd, "clamd", c.Clamd, "ClamAV daemon: unix:/path or tcp:host:port")
	fs.StringVar(&c.SupportName, "support-name", c.SupportName, "display name of outbound mail")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "this site's address as staff and citizens reach it (https://support.example.ru), for links in e-mail: a deadline reminder's to the ticket's page, a citizen's acknowledgement, status answer, staff reply and extension notice's to the status page; empty: mail without links")
	fs.BoolVar(&c.SMTPRelayStartTLS, "smtp-relay-starttls", c.SMTPRelayStartTLS, "use STARTTLS with the relay")
	fs.StringVar(&c.DKIMKey, "dkim-key", c.DKIMKey, "PEM private key for DKIM-signing outbound mail (RSA or Ed25519)")
	fs.StringVar(&c.DKIMSelector, "dkim-selector", c.DKIMSelector, "DKIM selector")
	fs.StringVar(&c.DKIMDomain, "dkim-domain", c.DKIMDomain, "DKIM signing domain (default: the support address's domain)")
	fs.Int64Var(&c.MailMaxBytes, "mail-max-bytes", c.MailMaxBytes, "largest inbound e-mail in bytes")
	fs.Int64Var(&c.MailMaxFile, "mail-max-file", c.MailMaxFile, "largest attachment of inbound e-mail in bytes")
	fs.StringVar(&c.MailAuthServID, "mail-authserv-id", c.MailAuthServID, "authserv-id of the MTA in front of Otklik: over LMTP and IMAP its Authentication-Results header gives the SPF verdict (empty: SPF is none there)")
	fs.StringVar(&c.IMAPAddr, "imap-addr", c.IMAPAddr, "IMAP server host:port of a support mailbox to poll (off when empty); password in OTKLIK_IMAP_PASSWORD")
	fs.StringVar(&c.IMAPUser, "imap-user", c.IMAPUser, "IMAP user name")
	fs.StringVar(&c.IMAPMailbox, "imap-mailbox", c.IMAPMailbox, "IMAP mailbox to take mail from")
	fs.StringVar(&c.IMAPMoveTo, "imap-move-to", c.IMAPMoveTo, "IMAP mailbox to move taken-in mail to (empty: mark it seen)")
	fs.BoolVar(&c.IMAPTLS, "imap-tls", c.IMAPTLS, "connect to IMAP with implicit TLS (port 993)")
	fs.BoolVar(&c.Demo, "demo", c.Demo, "fill an empty database with demo data")
	fs.IntVar(&c.ReopenDays, "reopen-days", c.ReopenDays, "days after closing during which a ticket may be reopened (0: never)")
	fs.Int64Var(&c.MaxBody, "max-body", c.MaxBody, "largest JSON request body in bytes")
	fs.IntVar(&c.AutoClose, "autoclose-days", c.AutoClose, "days after which a resolved ticket closes by itself unless reopened (0: never)")
	fs.StringVar(&c.LegalShift, "sla-legal-shift", c.LegalShift, "a statutory (59-ФЗ) deadline that falls on a day off moves back to the previous working day or forward to the next (back|forward)")
	fs.IntVar(&c.RemindMins, "sla-remind-minutes", c.RemindMins, "working minutes before a deadline that the assignee is reminded (0: one working day)")
	fs.IntVar(&c.Workers, "workers", c.Workers, "background jobs run at once on this node")
	fs.StringVar(&c.Node, "node", c.Node, "this node's name in job claims and events (default host:pid)")
	fs.StringVar(&c.TOTPRequired, "totp-required", c.TOTPRequired, "comma-separated staff roles that must sign in with a second factor (TOTP app); admin and supervisor always must")
	fs.DurationVar(&c.SessionIdle, "session-idle", c.SessionIdle, "a staff browser session unused this long ends (e.g. 30m)")
	fs.DurationVar(&c.SessionLifetime, "session-lifetime", c.SessionLifetime, "a staff browser session ends this long after sign-in, however active (e.g. 12h)")
	fs.StringVar(&c.OIDCIssuer, "oidc-issuer", c.OIDCIssuer, "issuer URL of an OpenID Connect provider citizens may sign in with (off when empty); the client secret comes from OTKLIK_OIDC_CLIENT_SECRET")
	fs.StringVar(&c.OIDCClientID, "oidc-client-id", c.OIDCClientID, "Otklik's client ID at the OpenID Connect provider")
	fs.StringVar(&c.OIDCRedirectURL, "oidc-redirect-url", c.OIDCRedirectURL, "this site's callback as registered with the provider: https://HOST/login/oidc/callback")
	fs.StringVar(&c.DebugAddr, "debug-addr", c.DebugAddr, "listen address for Go profiling endpoints /debug/pprof/ (off when empty; keep it on localhost)")
}

// Parse parses args into fs, then fills every flag not given on the command line from its
// OTKLIK_<FLAG> environment variable (upper case, "-" → "_"), and reads the secrets, which have no
// flags: OTKLIK_ADMIN_TOKEN, OTKLIK_IMAP_PASSWORD, OTKLIK_S3_ACCESS_KEY and OTKLIK_S3_SECRET_KEY.
// getenv is os.Getenv outside tests.
func (c *Config) Parse(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] {
			return
		}
		env := EnvName(f.Name)
		if v, ok := lookup(getenv, env); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %v", env, v, err))
			}
		}
	})
	c.AdminToken = getenv("OTKLIK_ADMIN_TOKEN")
	c.IMAPPassword = getenv("OTKLIK_IMAP_PASSWORD")
	c.S3AccessKey = getenv("OTKLIK_S3_ACCESS_KEY")
	c.S3SecretKey = getenv("OTKLIK_S3_SECRET_KEY")
	c.OIDCClientSecret = getenv("OTKLIK_OIDC_CLIENT_SECRET")
	return errors.Join(errs...)
}

func lookup(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

// EnvName is the environment variable of a flag.
func EnvName(flagName string) string {
	return "OTKLIK_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// TOTPRoles returns the roles of --totp-required; Validate has checked them.
func (c *Config) TOTPRoles() []otklik.Role {
	var out []otklik.Role
	for _, f := range strings.Split(c.TOTPRequired, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, otklik.Role(f))
		}
	}
	return out
}

// DatabaseURL is the database to open: --db, or the SQLite file under --data.
func (c *Config) DatabaseURL() string {
	if c.DB != "" {
		return c.DB
	}
	return filepath.Join(c.Data, "otklik.db")
}

// FilesPath is the directory of the files' contents.
func (c *Config) FilesPath() string {
	if c.FilesDir != "" {
		return c.FilesDir
	}
	return filepath.Join(c.Data, "files")
}

// KeysPath is the directory of the master keys.
func (c *Config) KeysPath() string {
	if c.KeysDir != "" {
		return c.KeysDir
	}
	return filepath.Join(c.Data, "keys")
}

// Validate checks the configuration and says exactly what is wrong.
func (c *Config) Validate(scope Scope) error {
	var errs []error
	if c.Data == "" {
		errs = append(errs, errors.New("--data must not be empty"))
	}
	switch strings.ToLower(c.SQLiteSync) {
	case "full", "normal":
	default:
		errs = append(errs, fmt.Errorf("--sqlite-sync must be full or normal, not %q", c.SQLiteSync))
	}
	if c.DBWriters < 0 || c.DBWriters > 64 {
		errs = append(errs, errors.New("--db-writers must be between 0 and 64"))
	}
	if c.DBBulk < 0 || c.DBBulk > 64 {
		errs = append(errs, errors.New("--db-bulk-writers must be between 0 and 64"))
	}
	if c.SQLiteMmap < 0 {
		errs = append(errs, errors.New("--sqlite-mmap must not be negative"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("--log-level must be debug, info, warn or error, not %q", c.LogLevel))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat))
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			errs = append(errs, fmt.Errorf("--public-url must be http[s]://host[:port][/path], not %q", c.PublicURL))
		}
	}
	if c.FilesS3 != "" { // blob.ParseS3URL checks the rest; the value is never repeated: it may hold a key
		u, err := url.Parse(c.FilesS3)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") == "":
			errs = append(errs, errors.New("--files-s3 must be http[s]://host[:port]/bucket[/prefix][?region=REGION]"))
		case u.User == nil && (c.S3AccessKey == "" || c.S3SecretKey == ""):
			errs = append(errs, errors.New("--files-s3 needs OTKLIK_S3_ACCESS_KEY and OTKLIK_S3_SECRET_KEY"))
		}
	}
	if scope == ScopeServe {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			errs = append(errs, fmt.Errorf("--addr %q: %v", c.Addr, err))
		}
		if c.ReopenDays < 0 {
			errs = append(errs, errors.New("--reopen-days must not be negative"))
		}
		if c.AutoClose < 0 {
			errs = append(errs, errors.New("--autoclose-days must not be negative"))
		}
		if c.LegalShift != "back" && c.LegalShift != "forward" {
			errs = append(errs, fmt.Errorf("--sla-legal-shift %q: want back or forward", c.LegalShift))
		}
		if c.RemindMins < 0 || c.RemindMins > 100000 {
			errs = append(errs, errors.New("--sla-remind-minutes must be between 0 and 100000"))
		}
		if c.Workers < 1 || c.Workers > 1000 {
			errs = append(errs, errors.New("--workers must be between 1 and 1000"))
		}
		for _, r := range c.TOTPRoles() {
			if !r.Valid() {
				errs = append(errs, fmt.Errorf("--totp-required: unknown role %q (roles: %s)", r, roleNames()))
			}
		}
		if c.SessionIdle < time.Minute || c.SessionLifetime < c.SessionIdle || c.SessionLifetime > 30*24*time.Hour {
			errs = append(errs, errors.New("--session-idle must be at least 1m and --session-lifetime between it and 720h"))
		}
		errs = append(errs, c.validateOIDC()...)
		if c.MaxBody < 1024 {
			errs = append(errs, errors.New("--max-body must be at least 1024 bytes"))
		}
		if !strings.Contains(c.SupportAddress, "@") || strings.ContainsAny(c.SupportAddress, " <>\r\n") {
			errs = append(errs, fmt.Errorf("--support-address %q is not an e-mail address", c.SupportAddress))
		}
		for _, a := range []struct{ name, v string }{{"smtp-addr", c.SMTPAddr}, {"smtp-relay", c.SMTPRelay}, {"imap-addr", c.IMAPAddr}} {
			if a.v != "" {
				if _, _, err := net.SplitHostPort(a.v); err != nil {
					errs = append(errs, fmt.Errorf("--%s %q: %v", a.name, a.v, err))
				}
			}
		}
		if c.LMTPAddr != "" && !strings.HasPrefix(c.LMTPAddr, "unix:") {
			if _, _, err := net.SplitHostPort(c.LMTPAddr); err != nil {
				errs = append(errs, fmt.Errorf("--lmtp-addr %q: %v (host:port or unix:/path)", c.LMTPAddr, err))
			}
		}
		if c.IMAPAddr != "" && (c.IMAPUser == "" || c.IMAPPassword == "") {
			errs = append(errs, errors.New("--imap-addr needs --imap-user and OTKLIK_IMAP_PASSWORD"))
		}
		if c.MailMaxBytes < 1<<20 || c.MailMaxFile < 1<<10 || c.MailMaxFile > c.MailMaxBytes {
			errs = append(errs, errors.New("--mail-max-bytes must be at least 1 MiB and --mail-max-file between 1 KiB and it"))
		}
		if c.Clamd != "" && !strings.HasPrefix(c.Clamd, "unix:") && !strings.HasPrefix(c.Clamd, "tcp:") {
			errs = append(errs, fmt.Errorf("--clamd %q must be unix:/path/to/clamd.sock or tcp:host:port", c.Clamd))
		}
	}
	return errors.Join(errs...)
}

func roleNames() string {
	names := make([]string, len(otklik.Roles))
	for i, r := range otklik.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// validateOIDC checks the OpenID Connect settings: all or none; the provider over HTTPS (plain HTTP
// only on this machine, for trying it out).
func (c *Config) validateOIDC() []error {
	if c.OIDCIssuer == "" && c.OIDCClientID == "" && c.OIDCRedirectURL == "" {
		return nil
	}
	var errs []error
	if c.OIDCIssuer == "" || c.OIDCClientID == "" || c.OIDCRedirectURL == "" {
		errs = append(errs, errors.New("--oidc-issuer, --oidc-client-id and --oidc-redirect-url go together"))
	}
	for _, u := range []struct{ flag, v string }{{"oidc-issuer", c.OIDCIssuer}, {"oidc-redirect-url", c.OIDCRedirectURL}} {
		if u.v == "" {
			continue
		}
		p, err := url.Parse(u.v)
		local := err == nil && (p.Hostname() == "localhost" || p.Hostname() == "127.0.0.1" || p.Hostname() == "::1")
		if err != nil || p.Host == "" || (p.Scheme != "https" && !(p.Scheme == "http" && local)) {
			errs = append(errs, fmt.Errorf("--%s %q: want an https:// URL (http:// only on localhost)", u.flag, u.v))
		}
	}
	if c.OIDCRedirectURL != "" && !strings.HasSuffix(strings.TrimRight(c.OIDCRedirectURL, "/"), "/login/oidc/callback") {
		errs = append(errs, errors.New("--oidc-redirect-url must end with /login/oidc/callback"))
	}
	return errs
}
