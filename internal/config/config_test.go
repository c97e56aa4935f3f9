package config_test

import (
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/config"
	"github.com/otklik/otklik/internal/otklik"
)

func parse(t *testing.T, args []string, env map[string]string) (config.Config, error) {
	t.Helper()
	c := config.Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.Bind(fs, config.ScopeServe)
	if err := c.Parse(fs, args, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	return c, c.Validate(config.ScopeServe)
}

func TestAuthFlags(t *testing.T) {
	c, err := parse(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.TOTPRoles(), []otklik.Role{otklik.RoleAdmin, otklik.RoleSupervisor}; !slices.Equal(got, want) {
		t.Errorf("default TOTP roles %v, want %v", got, want)
	}
	if c.SessionIdle != 30*time.Minute || c.SessionLifetime != 12*time.Hour {
		t.Errorf("default sessions: idle %v, lifetime %v", c.SessionIdle, c.SessionLifetime)
	}

	c, err = parse(t, []string{"--session-idle", "10m"}, map[string]string{
		"OTKLIK_TOTP_REQUIRED": "admin, supervisor,senior", "OTKLIK_SESSION_LIFETIME": "8h", "OTKLIK_SESSION_IDLE": "1h"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.TOTPRoles(), []otklik.Role{otklik.RoleAdmin, otklik.RoleSupervisor, otklik.RoleSenior}; !slices.Equal(got, want) {
		t.Errorf("TOTP roles %v, want %v", got, want)
	}
	if c.SessionIdle != 10*time.Minute || c.SessionLifetime != 8*time.Hour {
		t.Errorf("sessions: idle %v (the flag wins over the variable), lifetime %v", c.SessionIdle, c.SessionLifetime)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--totp-required", "admin,boss"}, `unknown role "boss"`},
		{[]string{"--session-idle", "30s"}, "--session-idle must be at least 1m"},
		{[]string{"--session-idle", "2h", "--session-lifetime", "1h"}, "--session-lifetime between"},
	} {
		_, err := parse(t, tt.args, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: got %v, want an error with %q", tt.args, err, tt.want)
		}
	}
}

func TestOIDCFlags(t *testing.T) {
	c, err := parse(t, []string{"--oidc-issuer", "https://id.example.ru/realms/portal", "--oidc-client-id", "otklik"},
		map[string]string{"OTKLIK_OIDC_REDIRECT_URL": "https://help.example.ru/login/oidc/callback", "OTKLIK_OIDC_CLIENT_SECRET": "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if c.OIDCIssuer != "https://id.example.ru/realms/portal" || c.OIDCClientID != "otklik" ||
		c.OIDCRedirectURL != "https://help.example.ru/login/oidc/callback" || c.OIDCClientSecret != "s3cret" {
		t.Errorf("OIDC settings: %+v", c)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--oidc-issuer", "https://id.example.ru"}, "go together"},
		{[]string{"--oidc-issuer", "http://id.example.ru", "--oidc-client-id", "o", "--oidc-redirect-url", "https://h.ru/login/oidc/callback"}, "want an https://"},
		{[]string{"--oidc-issuer", "https://id.example.ru", "--oidc-client-id", "o", "--oidc-redirect-url", "https://h.ru/cb"}, "must end with /login/oidc/callback"},
	} {
		_, err := parse(t, tt.args, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: got %v, want an error with %q", tt.args, err, tt.want)
		}
	}
	if _, err := parse(t, []string{"--oidc-issuer", "http://localhost:5556", "--oidc-client-id", "o", "--oidc-redirect-url",
		"http://127.0.0.1:8080/login/oidc/callback"}, nil); err != nil {
		t.Errorf("a local provider for trying it out: %v", err)
	}
}

func TestDatabaseConnectionFlags(t *testing.T) {
	c, err := parse(t, []string{"--db-writers", "3"}, map[string]string{"OTKLIK_DB_BULK_WRITERS": "1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.DBWriters != 3 || c.DBBulk != 1 {
		t.Errorf("writers %d, bulk writers %d; want 3 and 1", c.DBWriters, c.DBBulk)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--db-writers", "-1"}, "--db-writers must be between 0 and 64"},
		{[]string{"--db-bulk-writers", "65"}, "--db-bulk-writers must be between 0 and 64"},
	} {
		_, err := parse(t, tt.args, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: got %v, want an error with %q", tt.args, err, tt.want)
		}
	}
}

func TestPublicURL(t *testing.T) {
	c, err := parse(t, nil, map[string]string{"OTKLIK_PUBLIC_URL": "https://support.example.ru/otklik"})
	if err != nil || c.PublicURL != "https://support.example.ru/otklik" {
		t.Fatalf("OTKLIK_PUBLIC_URL: %q, %v", c.PublicURL, err)
	}
	if c, err := parse(t, nil, nil); err != nil || c.PublicURL != "" {
		t.Errorf("by default: %q, %v; want no address", c.PublicURL, err)
	}
	for _, v := range []string{"support.example.ru", "ftp://support.example.ru", "https://", "https://support.example.ru/?a=1",
		"https://user:pw@support.example.ru", "https://support.example.ru/#top"} {
		_, err := parse(t, []string{"--public-url", v}, nil)
		if err == nil || !strings.Contains(err.Error(), "--public-url must be http[s]://host[:port][/path]") {
			t.Errorf("--public-url %q: got %v, want it refused", v, err)
		}
	}
}
