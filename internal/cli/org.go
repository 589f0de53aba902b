package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/api"
)

func (a *app) orgCommand() *cobra.Command {
	cmd := group("org", "Organisations: create, invite, join, confirm, members, rename, delete")
	cmd.AddCommand(a.orgLifecycleCommands()...)
	cmd.AddCommand(a.orgPolicyCommand())
	cmd.AddCommand(
		a.simple("create NAME", "Create an organisation; you are its owner", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
			o, err := s.CreateOrg(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(map[string]string{"id": o.ID, "name": o.Name})
			}
			fmt.Fprintf(a.stdout, "Created organisation %q (%s)\n", inert(o.Name), o.ID)
			return nil
		}),
		a.simple("list", "List your organisations", 0, func(cmd *cobra.Command, s *client.Session, args []string) error {
			list := view.Orgs(s)
			if a.jsonOut {
				return a.printJSON(list)
			}
			tw := newTable(a.stdout)
			fmt.Fprintln(tw, "NAME\tROLE\tID")
			for _, o := range list {
				role := o.Role
				switch {
				case o.OfferedToYou:
					role += " (ownership offered to you: coffer org accept " + shellArg(o.Name) + ")"
				case o.OfferedTo != "":
					role += " (ownership offered to " + inert(o.OfferedTo) + ")"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", inert(o.Name), role, o.ID)
			}
			return tw.Flush()
		}),
		a.orgInviteCommand(),
		a.orgJoinCommand(),
		a.orgTransferCommand(),
		a.orgAcceptCommand(),
		a.orgAuditCommand(),
		a.orgExposureCommand(),
		a.orgRecoveryCommand(),
		a.orgRecoverCommand(),
		a.simple("invitations", "List your invitations: open ones, and those you joined that wait for the owner's confirmation", 0, func(cmd *cobra.Command, s *client.Session, args []string) error {
			list, err := s.Invitations(cmd.Context())
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(append([]client.Invitation{}, list...))
			}
			if len(list) == 0 {
				fmt.Fprintln(a.stdout, "No open invitations.")
				return nil
			}
			tw := newTable(a.stdout)
			fmt.Fprintln(tw, "OWNER\tSTATE\tORGANISATION ID")
			for _, in := range list {
				state := "invited: join with coffer org join ORG --code CODE (the owner gives you the code)"
				switch {
				case in.State == "joined":
					state = "joined: waiting for the owner to confirm you"
				case in.Locked:
					state = "locked: too many wrong codes; ask the owner to re-issue the invitation (a new e-mail and a new code)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", inert(in.OwnerEmail), state, in.OrgID)
			}
			return tw.Flush()
		}),
		a.simple("members ORG", "List members and invitations (invited / joined / confirmed)", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
			o, err := s.FindOrg(args[0])
			if errors.Is(err, client.ErrNotFound) {
				// Joined but not confirmed yet: say so, not "not found".
				if list, lerr := s.Invitations(cmd.Context()); lerr == nil {
					for _, in := range list {
						if in.State == "joined" {
							return withCode(ExitNotFound, fmt.Errorf("%w; you joined an organisation of %s that has not confirmed you yet — you see it, and its members, once the owner runs coffer org confirm (coffer org invitations lists yours)",
								err, inert(in.OwnerEmail)))
						}
					}
				}
			}
			if err != nil {
				return err
			}
			// As this account may see them: the owner everything, a member
			// the confirmed members and the fingerprints they have a reason
			// to compare (view.Members).
			list, err := view.Members(cmd.Context(), s, o.ID)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(list)
			}
			tw := newTable(a.stdout)
			fmt.Fprintln(tw, "EMAIL\tSTATE\tNAME\tFINGERPRINT\tTWO-FACTOR")
			var refusals []string
			for _, m := range list {
				state := m.State
				if m.Locked {
					since := ""
					if m.LockedAt != nil {
						since = " since " + m.LockedAt.UTC().Format("2006-01-02 15:04 UTC")
					}
					state += fmt.Sprintf(" (locked%s: too many wrong codes; re-issue it with coffer org invite %s %s)", since, shellArg(args[0]), m.Email)
				}
				if m.OfferedOwnership && m.Me {
					state += " (ownership offered to you: coffer org accept " + shellArg(args[0]) + ")"
				} else if m.OfferedOwnership {
					state += " (ownership offered)"
				}
				twoFactor := m.TwoFactorLabel
				if twoFactor == "" {
					twoFactor = "-"
				}
				if m.ConfirmRefusal != "" {
					refusals = append(refusals, inert(m.Email)+": "+m.ConfirmRefusal)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", inert(m.Email), state, inert(m.Name), m.Fingerprint, twoFactor)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, r := range refusals {
				fmt.Fprintln(a.stdout, "Cannot confirm "+r)
			}
			return nil
		}),
		a.simple("confirm ORG EMAIL...", "Confirm joined members (checks their keys against the code)", -2, func(cmd *cobra.Command, s *client.Session, args []string) error {
			if err := s.Confirm(cmd.Context(), args[0], args[1:]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Confirmed %s\n", strings.Join(args[1:], ", "))
			return nil
		}),
		a.simple("cancel ORG EMAIL...", "Cancel invited or joined members", -2, func(cmd *cobra.Command, s *client.Session, args []string) error {
			if err := s.Cancel(cmd.Context(), args[0], args[1:]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Cancelled %s\n", strings.Join(args[1:], ", "))
			return nil
		}),
		a.simple("leave ORG", "Leave an organisation: your access ends now; you keep your account and My Vault (not for its owner)", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
			if err := s.LeaveOrg(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "You left %s.\n", inert(args[0]))
			return nil
		}),
		a.simple("remove ORG EMAIL", "Remove a member from the organisation (they keep their account and My Vault)", 2, func(cmd *cobra.Command, s *client.Session, args []string) error {
			if err := s.RemoveMember(cmd.Context(), args[0], args[1]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Removed %s\n", inert(args[1]))
			return nil
		}),
	)
	return cmd
}

// simple builds a command that needs an unlocked, synced session. nargs is
// the exact number of arguments, or -n for at least n.
func (a *app) simple(use, short string, nargs int, run func(*cobra.Command, *client.Session, []string) error) *cobra.Command {
	args := cobra.ExactArgs(nargs)
	if nargs < 0 {
		args = cobra.MinimumNArgs(-nargs)
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  args,
		RunE: func(cmd *cobra.Command, argv []string) error {
			s, err := a.synced(cmd)
			if err != nil {
				return err
			}
			if err := run(cmd, s, argv); err != nil {
				return err
			}
			for _, w := range s.Warnings {
				fmt.Fprintln(a.stderr, "warning: "+w)
			}
			return nil
		},
	}
}

func (a *app) orgInviteCommand() *cobra.Command {
	var reissue bool
	cmd := a.simple("invite ORG EMAIL...", "Invite 1–50 people; prints the confirmation code once", -2, func(cmd *cobra.Command, s *client.Session, args []string) error {
		if len(args)-1 > client.MaxInvites {
			return usageError("invite at most %d addresses at a time (got %d)", client.MaxInvites, len(args)-1)
		}
		o, err := s.FindOrg(args[0])
		if err != nil {
			return err
		}
		invite := s.Invite
		if reissue {
			invite = s.Reissue
		}
		res, err := invite(cmd.Context(), o.ID, args[1:])
		if ie := (*client.InviteError)(nil); errors.As(err, &ie) && len(ie.Open) > 0 {
			return fmt.Errorf("%w (to replace their codes on purpose: coffer org invite --reissue %s %s)", err, shellArg(args[0]), strings.Join(ie.Open, " "))
		}
		if err != nil {
			return err
		}
		if a.jsonOut {
			reissued := append([]string{}, res.Reissued...)
			return a.printJSON(map[string]any{"code": res.Code, "invited": args[1:], "mail": res.Mail, "reissued": reissued})
		}
		fmt.Fprintf(a.stdout, "Confirmation code: %s\n", res.Code)
		fmt.Fprintln(a.stdout, "It is shown only now. Pass it to the invitees out of band (a messenger channel), not by e-mail.")
		if len(res.Reissued) > 0 {
			fmt.Fprintf(a.stdout, "Re-issued for %s: the earlier invitation is replaced, and its code no longer works.\n", strings.Join(res.Reissued, ", "))
		}
		switch res.Mail {
		case api.MailSent:
			fmt.Fprintf(a.stdout, "Invitation e-mails with a Join link were sent to %d address(es).\n", len(args)-1)
		case api.MailNotConfigured:
			fmt.Fprintf(a.stdout, "No invitation e-mail was sent (the server has no SMTP configured). Tell the invitees to run: coffer org join %s --code CODE\n", o.ID)
		default:
			fmt.Fprintf(a.stdout, "Sending the invitation e-mail failed; the invitations exist. Tell the invitees to run: coffer org join %s --code CODE\n", o.ID)
		}
		return nil
	})
	cmd.Long = "Invite 1–50 people to an organisation you own, with one fresh confirmation code, printed once.\n\n" +
		"Inviting an address again whose invitation is locked (too many wrong codes) re-issues it: a new invitation, e-mail and code replace the locked one. " +
		"An address whose open invitation still works is refused unless --reissue replaces it; one that has joined is refused (confirm or cancel it)."
	cmd.Flags().BoolVar(&reissue, "reissue", false, "also replace open invitations that still work (not only locked ones) with new ones; their earlier codes stop working")
	return cmd
}

func (a *app) orgJoinCommand() *cobra.Command {
	var code string
	cmd := a.simple("join ORG --code CODE", "Join an organisation you were invited to, with its confirmation code", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		if code == "" {
			return usageError("--code is required: the confirmation code the owner gave you")
		}
		in, err := s.Join(cmd.Context(), args[0], code)
		if err != nil {
			if errors.Is(err, client.ErrWrongCode) {
				return withCode(ExitUsage, err) // a wrong argument, not a wrong password
			}
			return err
		}
		fmt.Fprintf(a.stdout, "Joined %q (owner: %s). The owner confirms you as the last step.\n", inert(in.OrgName), inert(in.OwnerEmail))
		return nil
	})
	cmd.Flags().StringVar(&code, "code", "", "confirmation code")
	return cmd
}

func (a *app) groupCommand() *cobra.Command {
	cmd := group("group", "Groups and private groups")
	cmd.AddCommand(a.groupLifecycleCommands()...)
	var private bool
	var perm string
	create := a.simple("create ORG NAME", "Create a group (owner) or a private group with its own vault (--private, any member)", 2, func(cmd *cobra.Command, s *client.Session, args []string) error {
		o, err := s.FindOrg(args[0])
		if err != nil {
			return err
		}
		g, err := s.CreateGroup(cmd.Context(), o.ID, args[1], private, perm)
		if err != nil {
			return err
		}
		if a.jsonOut {
			return a.printJSON(map[string]any{"id": g.ID, "name": g.Name, "private": g.Private, "vault_id": g.VaultID})
		}
		kind := "group"
		if private {
			kind = "private group (with its own vault)"
		}
		fmt.Fprintf(a.stdout, "Created %s %q (%s)\n", kind, inert(g.Name), g.ID)
		return nil
	})
	create.Flags().BoolVar(&private, "private", false, "a private group you manage, with its own vault")
	create.Flags().StringVar(&perm, "default-permission", "view", "permission the group gets when granted a vault: view, edit or manage")
	members := func(add bool) func(*cobra.Command, *client.Session, []string) error {
		return func(cmd *cobra.Command, s *client.Session, args []string) error {
			o, err := s.FindOrg(args[0])
			if err != nil {
				return err
			}
			g, err := s.FindGroup(o.ID, args[1])
			if err != nil {
				return err
			}
			if add {
				err = s.AddGroupMembers(cmd.Context(), g, args[2:])
			} else {
				for _, e := range args[2:] {
					if err = s.RemoveGroupMember(cmd.Context(), g, e); err != nil {
						break
					}
				}
			}
			if err != nil {
				return err
			}
			verb := "Added"
			if !add {
				verb = "Removed"
			}
			fmt.Fprintf(a.stdout, "%s %s\n", verb, strings.Join(args[2:], ", "))
			return nil
		}
	}
	cmd.AddCommand(create,
		a.simple("add ORG GROUP EMAIL...", "Add confirmed members to a group you manage", -3, members(true)),
		a.simple("remove ORG GROUP EMAIL...", "Remove members from a group you manage", -3, members(false)),
		a.simple("list ORG", "List the organisation's groups you can see", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
			o, err := s.FindOrg(args[0])
			if err != nil {
				return err
			}
			groups, err := s.ListGroups(cmd.Context(), o.ID)
			if err != nil {
				return err
			}
			emails := map[string]string{}
			if ms, err := s.Members(cmd.Context(), o.ID); err == nil {
				for _, m := range ms {
					emails[m.UserID] = m.Email
				}
			}
			type out struct {
				ID                string   `json:"id"`
				Name              string   `json:"name"`
				Private           bool     `json:"private"`
				Manager           string   `json:"manager"`
				DefaultPermission string   `json:"default_permission"`
				VaultPermission   string   `json:"vault_permission,omitempty"` // on a private group's own vault
				Members           []string `json:"members"`
			}
			res := []out{}
			for _, g := range groups {
				ms := []string{}
				for _, id := range g.Members {
					ms = append(ms, emails[id])
				}
				vp := ""
				if g.VaultID != "" {
					if full, err := s.FindGroup(o.ID, g.ID); err == nil {
						vp, _ = s.GroupVaultPermission(cmd.Context(), full)
					}
				}
				res = append(res, out{g.ID, g.Name, g.Private, emails[g.ManagerID], g.DefaultPermission, vp, ms})
			}
			if a.jsonOut {
				return a.printJSON(res)
			}
			tw := newTable(a.stdout)
			fmt.Fprintln(tw, "NAME\tPRIVATE\tMANAGER\tDEFAULT\tITS VAULT\tMEMBERS")
			for _, g := range res {
				fmt.Fprintf(tw, "%s\t%v\t%s\t%s\t%s\t%s\n", inert(g.Name), g.Private, g.Manager, g.DefaultPermission, orDash(g.VaultPermission), strings.Join(g.Members, ", "))
			}
			return tw.Flush()
		}),
	)
	return cmd
}

func (a *app) vaultCommand() *cobra.Command {
	cmd := group("vault", "Organisation vaults and who can open them")
	cmd.AddCommand(a.vaultLifecycleCommands()...)
	var groupRef, userEmail, perm string
	grantee := func(c *cobra.Command) {
		c.Flags().StringVar(&groupRef, "group", "", "group name or id")
		c.Flags().StringVar(&userEmail, "user", "", "a confirmed member's e-mail address")
		c.MarkFlagsMutuallyExclusive("group", "user")
		c.MarkFlagsOneRequired("group", "user")
	}
	grant := a.simple("grant VAULT (--group G | --user EMAIL) --permission view|edit|manage", "Grant a vault to a group or member", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		v, err := s.FindVault(args[0])
		if err != nil {
			return err
		}
		if groupRef != "" {
			err = s.GrantGroup(cmd.Context(), v, groupRef, perm)
		} else {
			if perm == "" {
				return usageError("--permission is required for a member (view, edit or manage)")
			}
			err = s.GrantUser(cmd.Context(), v, userEmail, perm)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Granted %q to %s\n", inert(vaultLabel(v)), inert(groupRef+userEmail))
		return nil
	})
	grantee(grant)
	grant.Flags().StringVar(&perm, "permission", "", "view, edit or manage (groups: default permission if omitted)")
	revoke := a.simple("revoke VAULT (--group G | --user EMAIL)", "Revoke a group's or member's access to a vault", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		v, err := s.FindVault(args[0])
		if err != nil {
			return err
		}
		kind, ref := "group", groupRef
		if userEmail != "" {
			kind, ref = "user", userEmail
		}
		if err := s.Revoke(cmd.Context(), v, kind, ref); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Revoked %s's access to %q\n", inert(ref), inert(vaultLabel(v)))
		return nil
	})
	grantee(revoke)
	var repairOpt client.RepairOptions
	repair := a.simple("repair VAULT", "Repair a quarantined vault: sign a new manifest over its items as they verified (managers)", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		res, err := s.RepairVault(cmd.Context(), args[0], repairOpt)
		if err != nil {
			return err
		}
		v := res.Vault
		if a.jsonOut {
			return a.printJSON(map[string]any{"id": v.ID, "name": vaultLabel(v), "status": "repaired", "items": res.Items, "purged": nonNil(res.Purged)})
		}
		fmt.Fprintf(a.stdout, "Repaired vault %q (%s): signed a manifest over its %d verified item(s); its readers see it again\n", inert(vaultLabel(v)), v.ID, res.Items)
		if len(res.Purged) > 0 {
			fmt.Fprintf(a.stdout, "Purged %d item(s) that failed verification: %s\n", len(res.Purged), strings.Join(res.Purged, ", "))
		}
		return nil
	})
	repair.Flags().BoolVar(&repairOpt.AcceptChanges, "accept-changes", false, "repair even though the vault is served differently from what this device last verified (items missing, or in another trash state): only if that was done on purpose")
	repair.Flags().BoolVar(&repairOpt.DropFailing, "drop-failing", false, "purge, for everyone, the vault's items that fail verification (they are named when the repair refuses)")
	cmd.AddCommand(
		a.simple("create ORG NAME", "Create an organisation vault (owner only)", 2, func(cmd *cobra.Command, s *client.Session, args []string) error {
			v, err := s.CreateVault(cmd.Context(), args[0], args[1])
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(map[string]string{"id": v.ID, "name": vaultLabel(v)})
			}
			fmt.Fprintf(a.stdout, "Created vault %q (%s)\n", inert(vaultLabel(v)), v.ID)
			return nil
		}),
		a.simple("list", "List every vault you can open", 0, func(cmd *cobra.Command, s *client.Session, args []string) error {
			type out struct {
				ID          string `json:"id"`
				Name        string `json:"name"`
				OrgID       string `json:"org_id,omitempty"`
				Permission  string `json:"permission"`
				Quarantined bool   `json:"quarantined,omitempty"`
				Reason      string `json:"reason,omitempty"`
			}
			res := []out{}
			for _, v := range s.Vaults() {
				res = append(res, out{ID: v.ID, Name: vaultLabel(v), OrgID: v.OrgID, Permission: v.Permission})
			}
			// Quarantined vaults are listed too, so that nothing silently
			// disappears: with what failed, and no permission shown.
			for _, q := range s.Quarantined() {
				if q.Kind == client.KindVault {
					res = append(res, out{ID: q.ID, Name: q.Path(), OrgID: q.OrgID, Permission: "-",
						Quarantined: true, Reason: q.Describe()})
				}
			}
			if a.jsonOut {
				return a.printJSON(res)
			}
			tw := newTable(a.stdout)
			fmt.Fprintln(tw, "VAULT\tPERMISSION\tID")
			for _, v := range res {
				name := v.Name
				if v.Quarantined {
					name += " [QUARANTINED]"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", inert(name), v.Permission, v.ID)
			}
			return tw.Flush()
		}),
		repair,
		grant, revoke,
		a.simple("access VAULT", "Show who can open a vault", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
			v, err := s.FindVault(args[0])
			if err != nil {
				return err
			}
			list, err := s.VaultAccess(cmd.Context(), v)
			if err != nil {
				return err
			}
			res := append([]client.Access{}, list...)
			if a.jsonOut {
				return a.printJSON(res)
			}
			tw := newTable(a.stdout)
			fmt.Fprintln(tw, "KIND\tNAME\tPERMISSION")
			for _, x := range res {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", x.Kind, inert(x.Name), x.Permission)
			}
			return tw.Flush()
		}),
	)
	return cmd
}

func vaultLabel(v *client.Vault) string {
	if v.Kind == "org" {
		return v.OrgName + "/" + v.Name
	}
	return v.Name
}

func (a *app) shareCommand() *cobra.Command {
	var groupRef, perm string
	cmd := a.simple("share ITEM --group G [--permission view|edit|manage]", "Share an item with a private group: it moves into the group's vault", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		if groupRef == "" {
			return usageError("--group is required")
		}
		it, err := a.findItem(cmd, s, args[0], false)
		if err != nil {
			return err
		}
		var g *client.Group
		for _, o := range s.Orgs() {
			if found, err := s.FindGroup(o.ID, groupRef); err == nil {
				if g != nil {
					return usageError("more than one of your groups is called %q; use its id", inert(groupRef))
				}
				g = found
			}
		}
		if g == nil {
			return withCode(ExitNotFound, fmt.Errorf("you are in no group called %q", inert(groupRef)))
		}
		if _, err := s.Share(cmd.Context(), it, g, perm); err != nil {
			if errors.Is(err, client.ErrPermissionScope) {
				return withCode(ExitUsage, err)
			}
			return err
		}
		now, err := s.GroupVaultPermission(cmd.Context(), g)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Shared %q with group %q: its members can %s it.\n", inert(it.Content.Name), inert(g.Name), now)
		fmt.Fprintf(a.stderr, "The group's permission (%s) is on its whole vault and applies to every item shared there.\n", now)
		return nil
	})
	cmd.Flags().StringVar(&groupRef, "group", "", "the group (its name or id)")
	cmd.Flags().StringVar(&perm, "permission", "", "view, edit or manage: the group's permission on its whole vault (refused if it would change it for items shared there before)")
	return cmd
}

func (a *app) itemMoveCommand() *cobra.Command {
	var vault string
	cmd := a.simple("move ITEM --vault V", "Move an item into another vault — an organisation's, or back into My Vault (its history moves along)", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		if vault == "" {
			return usageError("--vault is required")
		}
		it, err := a.findItem(cmd, s, args[0], false)
		if err != nil {
			return err
		}
		v, err := s.FindVault(vault)
		if err != nil {
			return err
		}
		if _, err := s.MoveItem(cmd.Context(), it, v.ID); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Moved %q to %q\n", inert(it.Content.Name), inert(vaultLabel(v)))
		return nil
	})
	cmd.Flags().StringVar(&vault, "vault", "", "destination vault (ORG/NAME, My Vault, or an id)")
	return cmd
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// nonNil is a list for JSON: [] rather than null.
func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// orgTransferCommand offers an organisation to a member, or withdraws the
// offer (docs/protocol.md §18.5).
func (a *app) orgTransferCommand() *cobra.Command {
	var withdraw bool
	cmd := a.simple("transfer ORG [EMAIL]", "Owner: offer the organisation to a confirmed member, who becomes its owner by accepting (--withdraw: take the open offer back)", -1,
		func(cmd *cobra.Command, s *client.Session, args []string) error {
			if withdraw {
				if len(args) != 1 {
					return usageError("--withdraw takes the organisation only: coffer org transfer ORG --withdraw")
				}
				if err := s.WithdrawOwnershipOffer(cmd.Context(), args[0]); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "Withdrew the ownership offer of %s.\n", inert(args[0]))
				return nil
			}
			if len(args) != 2 {
				return usageError("name the member to offer the organisation to: coffer org transfer ORG EMAIL")
			}
			m, err := s.OfferOwnership(cmd.Context(), args[0], args[1])
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(map[string]string{"org": args[0], "offered_to": m.Email, "fingerprint": m.Fingerprint()})
			}
			fmt.Fprintf(a.stdout, "Offered %s to %s (fingerprint %s).\n", inert(args[0]), inert(m.Email), m.Fingerprint())
			fmt.Fprintf(a.stderr, "They become its owner when they run: coffer org accept %s\n"+
				"Until then you own it; a new offer replaces this one, and coffer org transfer %s --withdraw takes it back.\n"+
				"When they accept: you stay an ordinary member (keeping your grants) and can then leave;\n"+
				"account recovery is turned off and every enrolment dropped (the new owner turns it on again, members enrol again);\n"+
				"open invitations are cancelled (the new owner invites again).\n", shellArg(args[0]), shellArg(args[0]))
			return nil
		})
	cmd.Flags().BoolVar(&withdraw, "withdraw", false, "withdraw the open ownership offer instead")
	return cmd
}

// orgAcceptCommand accepts an organisation's ownership.
func (a *app) orgAcceptCommand() *cobra.Command {
	return a.simple("accept ORG", "Accept the ownership of an organisation its owner offered you", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		res, err := s.AcceptOwnership(cmd.Context(), args[0])
		if res != nil && a.jsonOut && err == nil {
			return a.printJSON(map[string]any{"org": res.OrgID, "name": res.OrgName, "vaults": res.Vaults, "recovery_turned_off": res.RecoveryWasOn})
		}
		if res != nil {
			fmt.Fprintf(a.stdout, "You own %s now (you manage its %d organisation vault(s) and its groups).\n", inert(res.OrgName), res.Vaults)
			if res.RecoveryWasOn {
				fmt.Fprintf(a.stderr, "Account recovery was on with the previous owner's key: it is off now and every enrolment was dropped.\n"+
					"Turn it on again with: coffer org recovery %s enable (members then enrol again).\n", shellArg(res.OrgName))
			}
			fmt.Fprintln(a.stderr, "Invitations the previous owner left open were cancelled: invite those addresses again.")
		}
		return err
	})
}

// orgPolicyCommand is `coffer org policy ORG`: each group's export
// policy, what this account may export, and whether two-factor log-in is
// required; the owner sets a group's with --group G --export
// my-vault-only|all, and the requirement with --require-2fa on|off.
func (a *app) orgPolicyCommand() *cobra.Command {
	var groupRef, export, require2FA string
	cmd := a.simple("policy ORG", "Show the organisation's policies (export per group, two-factor log-in); the owner sets a group's export with --group G --export my-vault-only|all, the two-factor requirement with --require-2fa on|off", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		if (groupRef == "") != (export == "") {
			return usageError("--group and --export go together")
		}
		if require2FA != "" {
			if require2FA != "on" && require2FA != "off" {
				return usageError("--require-2fa takes on or off")
			}
			if err := s.SetTwoFactorPolicy(cmd.Context(), args[0], require2FA == "on"); err != nil {
				return err
			}
		}
		if groupRef != "" {
			only, err := exportPolicyArg(export)
			if err != nil {
				return err
			}
			o, err := s.FindOrg(args[0])
			if err != nil {
				return err
			}
			groups, err := s.ListGroups(cmd.Context(), o.ID)
			if err != nil {
				return err
			}
			var found []client.GroupInfo
			for _, g := range groups {
				if g.ID == groupRef || strings.EqualFold(g.Name, groupRef) {
					found = append(found, g)
				}
			}
			if len(found) != 1 {
				return withCode(ExitNotFound, fmt.Errorf("group %q: %d groups of %s have that name or id", groupRef, len(found), inert(o.Name)))
			}
			if err := s.SetGroupExportPolicy(cmd.Context(), o.ID, found[0].ID, only); err != nil {
				return err
			}
		}
		p, err := view.OrgPolicyOf(cmd.Context(), s, args[0])
		if err != nil {
			return err
		}
		if a.jsonOut {
			return a.printJSON(p)
		}
		tw := newTable(a.stdout)
		fmt.Fprintln(tw, "GROUP\tEXPORT\tID")
		for _, g := range p.Groups {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", inert(g.Name), g.Export, g.ID)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if !p.YouMayExport {
			fmt.Fprintln(a.stdout, p.Note)
		}
		if p.RequireTwoFactor {
			fmt.Fprintln(a.stdout, "Two-factor log-in: required of every member.")
		} else {
			fmt.Fprintln(a.stdout, "Two-factor log-in: not required.")
		}
		if require2FA != "" {
			fmt.Fprintln(a.stdout, view.TwoFactorRequirementNote)
		}
		return nil
	})
	cmd.Flags().StringVar(&require2FA, "require-2fa", "", "on (require two-factor log-in of every member) or off (the owner)")
	cmd.Flags().StringVar(&groupRef, "group", "", "the group whose export policy to set (the owner)")
	cmd.Flags().StringVar(&export, "export", "", "my-vault-only (its members export My Vault only) or all")
	return cmd
}
