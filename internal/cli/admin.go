package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/sqlite"
)

func (a *app) adminCommand() *cobra.Command {
	cmd := group("admin", "Server administration: backups and administrators on the server machine; accounts as an instance administrator")
	cmd.AddCommand(a.adminBackupCommand(), a.adminRestoreCommand(), a.adminMarkRestoredCommand(), a.adminGrantCommand(true), a.adminGrantCommand(false))
	cmd.AddCommand(a.adminAccountCommands()...)
	cmd.AddCommand(a.adminAuditCommand())
	return cmd
}

func (a *app) adminBackupCommand() *cobra.Command {
	var data, database, out string
	cmd := &cobra.Command{
		Use:   "backup --out FILE [--data DIR | --database sqlite:PATH]",
		Short: "Write a consistent copy of the SQLite database; safe while coffer serve runs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := filepath.Join(data, sqlite.FileName)
			switch {
			case strings.HasPrefix(database, "sqlite:"):
				path = strings.TrimPrefix(database, "sqlite:")
			case database != "":
				return usageError("coffer admin backup copies SQLite databases; back up PostgreSQL with pg_dump (see docs/deployment.md)")
			}
			if out == "" {
				return usageError("--out FILE is required")
			}
			if err := sqlite.Backup(cmd.Context(), path, out); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Backed up %s to %s\n", path, out)
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "./data", "data directory of the server")
	cmd.Flags().StringVar(&database, "database", "", "sqlite:PATH of the database (instead of --data)")
	cmd.Flags().StringVar(&out, "out", "", "backup file to create")
	return cmd
}

func (a *app) adminRestoreCommand() *cobra.Command {
	var data, database string
	cmd := &cobra.Command{
		Use:   "restore FILE [--data DIR | --database sqlite:PATH]",
		Short: "Replace the SQLite database by a backup (coffer serve stopped); the replaced one is kept beside it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := sqlitePath(data, database)
			if path == "" {
				return usageError("coffer admin restore restores SQLite databases; restore PostgreSQL with pg_restore (see docs/deployment.md)")
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return fmt.Errorf("data directory %s: %w", filepath.Dir(path), err)
			}
			// No server may have the database open while it is replaced,
			// and none may start meanwhile.
			lock, err := lockData(path, "admin restore")
			if err != nil {
				return err
			}
			defer lock.Release()
			replaced, err := sqlite.Restore(cmd.Context(), args[0], path, time.Now())
			if replaced != "" {
				defer fmt.Fprintf(a.stdout, "The database it replaced is kept as %s.\n", replaced)
			}
			if err != nil {
				return fmt.Errorf("restore of %s: %w", args[0], err)
			}
			fmt.Fprintf(a.stdout, "Restored %s into %s (integrity checked).\n", args[0], path)
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "./data", "data directory of the server")
	cmd.Flags().StringVar(&database, "database", "", "sqlite:PATH of the database (instead of --data)")
	return cmd
}

// adminGrantCommand is grant-admin (grant) or revoke-admin: run on the
// server machine, on the database itself, like backup. Administrators
// named by coffer serve --admin are not stored and not changed here.
func (a *app) adminGrantCommand(grant bool) *cobra.Command {
	var data, database string
	use, short := "grant-admin EMAIL [--data DIR | --database URL]", "Make an account an instance administrator (on the server machine, on the database)"
	if !grant {
		use, short = "revoke-admin EMAIL [--data DIR | --database URL]", "Take instance administration from an account granted it with grant-admin"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if database == "" {
				database = os.Getenv("COFFER_DATABASE")
			}
			st, _, err := a.openStore(cmd.Context(), data, database)
			if err != nil {
				return err
			}
			defer st.Close()
			return a.grantAdmin(cmd.Context(), st, args[0], grant)
		},
	}
	cmd.Flags().StringVar(&data, "data", "./data", "data directory of the server (SQLite)")
	cmd.Flags().StringVar(&database, "database", "", "database URL (env COFFER_DATABASE): postgres://… or sqlite:PATH (instead of --data)")
	return cmd
}

func (a *app) grantAdmin(ctx context.Context, st store.Store, email string, grant bool) error {
	acct, err := st.AccountByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if errors.Is(err, store.ErrNotFound) {
		return &exitError{code: ExitNotFound, err: fmt.Errorf("no account with the address %s on this server (to name an address before it signs up, use coffer serve --admin)", inert(email))}
	}
	if err != nil {
		return err
	}
	if grant {
		if err := st.GrantAdmin(ctx, acct.ID, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%s is an instance administrator.\n", inert(acct.Email))
		return nil
	}
	if err := st.RevokeAdmin(ctx, acct.ID); errors.Is(err, store.ErrNotFound) {
		return &exitError{code: ExitNotFound, err: fmt.Errorf("%s was not granted administration with grant-admin (an address named by coffer serve --admin stays one until it is left out)", inert(acct.Email))}
	} else if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s is no longer an instance administrator (unless coffer serve --admin names it).\n", inert(acct.Email))
	return nil
}

// adminAccountCommands are an instance administrator's, over the API.
func (a *app) adminAccountCommands() []*cobra.Command {
	var search string
	users := a.simple("users", "Search accounts by address or name (instance administrators)", 0, func(cmd *cobra.Command, s *client.Session, _ []string) error {
		list, err := s.AdminSearch(cmd.Context(), search)
		if err != nil {
			return err
		}
		if a.jsonOut {
			return a.printJSON(append([]client.AdminAccount{}, list...))
		}
		tw := newTable(a.stdout)
		fmt.Fprintln(tw, "EMAIL\tNAME\tSTATE\tADMIN\tORGS\tID")
		for _, u := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", inert(u.Email), inert(u.Name), accountState(u), yesNo(u.Admin), u.Orgs, u.UserID)
		}
		return tw.Flush()
	})
	users.Flags().StringVar(&search, "search", "", "part of the address or name, any letter case (empty: every account)")
	return []*cobra.Command{
		users,
		a.simple("user EMAIL", "Show an account's organisations and groups: ids and sizes, names are sealed (instance administrators)", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
			d, err := s.AdminAccount(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(d)
			}
			return a.printAdminAccount(d)
		}),
		a.simple("unbind EMAIL ORG-ID", "Remove an account from an organisation at once; the owner signs the roster later (instance administrators)", 2, func(cmd *cobra.Command, s *client.Session, args []string) error {
			if err := s.AdminUnbind(cmd.Context(), args[0], args[1]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Unbound %s from organisation %s; its owner's client signs the roster at its next sync.\n", inert(args[0]), inert(args[1]))
			return nil
		}),
		a.simple("disable EMAIL", "Disable an account: it cannot log in, its sessions end now (instance administrators)", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
			n, err := s.AdminDisable(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Disabled %s; %d session(s) ended.\n", inert(args[0]), n)
			return nil
		}),
		a.simple("reset-2fa EMAIL", "Turn off an account's two-factor log-in (TOTP, recovery codes, security keys) for someone who lost them all; they are told at their next unlock (instance administrators)", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
			if err := s.AdminResetSecondFactors(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Two-factor log-in of %s is off; they log in with the master password and can turn it on again in Account → Security.\n", inert(args[0]))
			return nil
		}),
		a.simple("enable EMAIL", "Enable a disabled account: it can log in again (instance administrators)", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
			if err := s.AdminEnable(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Enabled %s.\n", inert(args[0]))
			return nil
		}),
		a.simple("export-policy EMAIL my-vault-only|all", "Allow an account to export My Vault only, or everything it can read (instance administrators)", 2, func(cmd *cobra.Command, s *client.Session, args []string) error {
			only, err := exportPolicyArg(args[1])
			if err != nil {
				return err
			}
			if err := s.AdminSetExportPolicy(cmd.Context(), args[0], only); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s may now export %s.\n", inert(args[0]), view.ExportPolicyWords(only))
			return nil
		}),
	}
}

// exportPolicyArg reads my-vault-only or all.
func exportPolicyArg(v string) (bool, error) {
	switch v {
	case api.ExportMyVaultOnly:
		return true, nil
	case api.ExportAll:
		return false, nil
	}
	return false, usageError("the export policy is %s or %s", api.ExportMyVaultOnly, api.ExportAll)
}

func accountState(u client.AdminAccount) string {
	if u.Disabled {
		return "disabled"
	}
	return "active"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (a *app) printAdminAccount(d *client.AdminAccountDetail) error {
	fmt.Fprintf(a.stdout, "%s (%s), %s, administrator: %s, id %s\n", inert(d.Email), inert(d.Name), accountState(d.AdminAccount), yesNo(d.Admin), d.UserID)
	fmt.Fprintf(a.stdout, "May export: %s\n", view.ExportPolicyWords(d.ExportMyVaultOnly))
	fmt.Fprintln(a.stdout, "\nOrganisations:")
	tw := newTable(a.stdout)
	fmt.Fprintln(tw, "ID\tROLE\tMEMBERS\tOWNER")
	for _, o := range d.Orgs {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", o.OrgID, o.Role, o.Members, inert(o.OwnerEmail))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "\nGroups:")
	tw = newTable(a.stdout)
	fmt.Fprintln(tw, "ID\tORGANISATION\tPRIVATE\tMEMBERS\tMEMBER\tMANAGER")
	for _, g := range d.Groups {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", g.GroupID, g.OrgID, yesNo(g.Private), g.Members, yesNo(g.Member), yesNo(g.Manager))
	}
	return tw.Flush()
}
