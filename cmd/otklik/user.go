package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/otklik/otklik/internal/config"
	"github.com/otklik/otklik/internal/i18n"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

const userUsage = `Usage:
  otklik user add    --email E --name "Фамилия Имя" --role operator|senior|supervisor|admin|auditor [--group CODE] [--password-stdin]
  otklik user passwd --email E            (reads the new password from standard input)
  otklik user token  --email E [--name N]  (prints a new API token once; only its hash is stored)
  otklik user list
`

// userCmd manages staff members and API tokens.
func userCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, userUsage)
		return errors.New("user: no action given")
	}
	action, rest := args[0], args[1:]
	var email, name, role, group, tokenName string
	var pwStdin bool
	c, _, err := loadConfig("user "+action, rest, config.ScopeData, stderr, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the staff member's e-mail")
		fs.StringVar(&name, "name", "", "full name (add) or token name (token)")
		fs.StringVar(&role, "role", "operator", "role: operator, senior, supervisor, admin or auditor")
		fs.StringVar(&group, "group", "", "main group code (add)")
		fs.BoolVar(&pwStdin, "password-stdin", false, "read a password from standard input (add)")
		fs.StringVar(&tokenName, "token-name", "", "a label for the token (token)")
	})
	if err != nil {
		return err
	}
	log := newLogger(c, stderr)
	st, err := openStore(ctx, c, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := newService(c, st, log)
	needEmail := func() error {
		if email == "" {
			return errors.New("user " + action + ": --email is required")
		}
		return nil
	}
	switch action {
	case "add":
		if err := needEmail(); err != nil {
			return err
		}
		pw := ""
		if pwStdin {
			if pw, err = readPassword(os.Stdin); err != nil {
				return err
			}
		}
		u, err := svc.AddUser(ctx, service.NewUser{Email: email, Name: name, Role: otklik.Role(role), Group: group, Password: pw})
		if err != nil {
			return explain(err)
		}
		fmt.Fprintf(stdout, "added %s <%s> as %s (id %d)\n", u.Name, u.Email, u.Role, u.ID)
	case "passwd":
		if err := needEmail(); err != nil {
			return err
		}
		pw, err := readPassword(os.Stdin)
		if err != nil {
			return err
		}
		if err := svc.SetPassword(ctx, email, pw); err != nil {
			return explain(err)
		}
		fmt.Fprintf(stdout, "password of %s changed\n", email)
	case "token":
		if err := needEmail(); err != nil {
			return err
		}
		label := tokenName
		if label == "" {
			label = name
		}
		secret, err := svc.CreateToken(ctx, email, label)
		if err != nil {
			return explain(err)
		}
		fmt.Fprintln(stdout, secret)
	case "list":
		users, err := svc.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tE-MAIL\tNAME\tROLE\tDISABLED")
		for _, u := range users {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%v\n", u.ID, u.Email, u.Name, u.Role, u.Disabled)
		}
		return tw.Flush()
	default:
		fmt.Fprint(stderr, userUsage)
		return fmt.Errorf("user: unknown action %q", action)
	}
	return nil
}

// readPassword reads one line from r.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("no password on standard input")
	}
	return pw, nil
}

// explain turns a domain error into a sentence for the terminal, in English.
func explain(err error) error {
	var e *otklik.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := i18n.T(i18n.EN, e.Key, e.Args)
	for _, f := range e.Fields {
		msg += "; " + f.Field + ": " + i18n.T(i18n.EN, f.Key, f.Args)
	}
	return errors.New(msg)
}
