package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/api"
)

// orgAuditCommand is `coffer org audit`: the owner reads the
// organisation's audit log (docs/protocol.md §18.7), verified whole
// whatever the filters select; a log that fails verification exits 5.
func (a *app) orgAuditCommand() *cobra.Command {
	return a.auditCommand("audit ORG", "Show the organisation's verified audit log (owner); --json prints one entry per line", view.Audit)
}

// adminAuditCommand is `coffer admin audit`: an instance administrator
// reads an organisation's audit log by its id, verified as the owner's
// is (exit 5 if it fails).
func (a *app) adminAuditCommand() *cobra.Command {
	return a.auditCommand("audit ORG-ID", "Show an organisation's verified audit log: ids, actions, times (instance administrators); --json prints one entry per line", view.AdminAudit)
}

func (a *app) auditCommand(use, short string, read func(context.Context, *client.Session, string, client.AuditFilter) ([]view.AuditEntry, error)) *cobra.Command {
	var since, actor, action string
	cmd := a.simple(use, short, 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		f := client.AuditFilter{Actor: actor, Action: action}
		if action != "" && !slices.Contains(api.AuditActions, action) {
			return usageError("--action must be one of %s", strings.Join(api.AuditActions, ", "))
		}
		if since != "" {
			t, err := parseSince(since, time.Now())
			if err != nil {
				return err
			}
			f.Since = t
		}
		list, err := read(cmd.Context(), s, args[0], f)
		if err != nil {
			return err
		}
		if a.jsonOut {
			return a.printJSONLines(list)
		}
		return a.printAudit(list)
	})
	cmd.Flags().StringVar(&since, "since", "", "only entries at or after TIME: RFC 3339 (2025-01-31T09:00:00Z), a date (2025-01-31, UTC) or a duration ago (36h)")
	cmd.Flags().StringVar(&actor, "actor", "", "only entries by this member (e-mail address)")
	cmd.Flags().StringVar(&action, "action", "", "only entries of this action ("+strings.Join(api.AuditActions, ", ")+")")
	return cmd
}

// parseSince reads --since.
func parseSince(v string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, usageError("--since %q is not a time (2025-01-31T09:00:00Z), a date (2025-01-31) or a duration (36h)", v)
}

// printJSONLines prints one compact JSON object per line: what a SIEM
// ingests.
func (a *app) printJSONLines(list []view.AuditEntry) error {
	enc := json.NewEncoder(a.stdout)
	for _, e := range list {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return nil
}

func (a *app) printAudit(list []view.AuditEntry) error {
	if len(list) == 0 {
		fmt.Fprintln(a.stdout, "No entries.")
		return nil
	}
	tw := newTable(a.stdout)
	fmt.Fprintln(tw, "SEQ\tTIME\tACTOR\tACTION\tTARGET\tSOURCE\tSIGNED")
	for _, e := range list {
		signed := "yes"
		if !e.Signed {
			signed = "server"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.Time.UTC().Format("2006-01-02 15:04:05Z"), inert(e.Actor), e.Action,
			inert(e.What), inert(e.Source), signed)
	}
	return tw.Flush()
}
