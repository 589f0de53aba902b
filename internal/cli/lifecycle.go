package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/coffer-pm/coffer/client"
)

// Renaming and deleting organisations, vaults and groups (issue 15).

// confirmDelete asks a person at a terminal to type name before a delete;
// a script says --yes.
func (a *app) confirmDelete(what, name string, yes bool) error {
	if yes {
		return nil
	}
	f, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return usageError("deleting the %s %q cannot be undone: add --yes to confirm", what, name)
	}
	fmt.Fprintf(a.stderr, "Delete the %s %q? This cannot be undone. Type its name to confirm: ", what, inert(name))
	line, err := a.nextStdinLine()
	if err != nil || strings.TrimSpace(line) != name {
		return usageError("not confirmed; nothing was deleted")
	}
	return nil
}

// notEmpty explains a refused delete.
func notEmpty(err error) error {
	if errors.Is(err, client.ErrNotEmpty) {
		return usageError("%s; nothing was deleted — add --force to purge them with it (nothing is moved anywhere)", oneLine(err.Error()))
	}
	return err
}

type deleteFlags struct{ force, yes bool }

func (d *deleteFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&d.force, "force", false, "also purge the items in it (they are not moved anywhere)")
	cmd.Flags().BoolVar(&d.yes, "yes", false, "do not ask for confirmation")
}

func (a *app) orgLifecycleCommands() []*cobra.Command {
	rename := a.simple("rename ORG NEW-NAME", "Rename an organisation (owner)", 2, func(cmd *cobra.Command, s *client.Session, args []string) error {
		if err := s.RenameOrg(cmd.Context(), args[0], args[1]); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Renamed the organisation to %q.\n", inert(strings.TrimSpace(args[1])))
		return nil
	})
	var d deleteFlags
	del := a.simple("delete ORG", "Delete an organisation with its vaults and groups (owner); with items in it, only with --force", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		o, err := s.FindOrg(args[0])
		if err != nil {
			return err
		}
		if err := a.confirmDelete("organisation", o.Name, d.yes); err != nil {
			return err
		}
		if err := s.DeleteOrg(cmd.Context(), o.ID, d.force); err != nil {
			return notEmpty(err)
		}
		fmt.Fprintf(a.stdout, "Deleted the organisation %q.\n", inert(o.Name))
		return nil
	})
	d.register(del)
	return []*cobra.Command{rename, del}
}

func (a *app) vaultLifecycleCommands() []*cobra.Command {
	rename := a.simple("rename VAULT NEW-NAME", "Rename an organisation vault (manage permission)", 2, func(cmd *cobra.Command, s *client.Session, args []string) error {
		if err := s.RenameVault(cmd.Context(), args[0], args[1]); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Renamed the vault to %q.\n", inert(strings.TrimSpace(args[1])))
		return nil
	})
	var d deleteFlags
	del := a.simple("delete VAULT", "Delete an organisation vault (manage permission); with items in it, only with --force", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		v, err := s.FindVault(args[0])
		if err != nil {
			return err
		}
		if err := a.confirmDelete("vault", v.Label(), d.yes); err != nil {
			return err
		}
		if err := s.DeleteVault(cmd.Context(), v.ID, d.force); err != nil {
			return notEmpty(err)
		}
		fmt.Fprintf(a.stdout, "Deleted the vault %q.\n", inert(v.Label()))
		return nil
	})
	d.register(del)
	return []*cobra.Command{rename, del}
}

func (a *app) groupLifecycleCommands() []*cobra.Command {
	rename := a.simple("rename ORG GROUP NEW-NAME", "Rename a group you manage", 3, func(cmd *cobra.Command, s *client.Session, args []string) error {
		if err := s.RenameGroup(cmd.Context(), args[0], args[1], args[2]); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Renamed the group to %q.\n", inert(strings.TrimSpace(args[2])))
		return nil
	})
	var d deleteFlags
	del := a.simple("delete ORG GROUP", "Delete a group you manage (and a private group's own vault; with items in it, only with --force)", 2, func(cmd *cobra.Command, s *client.Session, args []string) error {
		o, err := s.FindOrg(args[0])
		if err != nil {
			return err
		}
		g, err := s.FindGroup(o.ID, args[1])
		if err != nil {
			return err
		}
		if err := a.confirmDelete("group", g.Name, d.yes); err != nil {
			return err
		}
		if err := s.DeleteGroup(cmd.Context(), o.ID, g.ID, d.force); err != nil {
			return notEmpty(err)
		}
		fmt.Fprintf(a.stdout, "Deleted the group %q.\n", inert(g.Name))
		return nil
	})
	d.register(del)
	return []*cobra.Command{rename, del}
}
