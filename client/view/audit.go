package view

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
)

// AuditEntry is one verified entry of an organisation's audit log
// (docs/protocol.md §18.7), as `coffer org audit --json` prints it (one
// per line, for a SIEM) and the web app's audit screen shows it.
type AuditEntry struct {
	Seq    uint64    `json:"seq"`
	Time   time.Time `json:"time"` // the server's clock
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	// Target holds the ids the action concerns, never content.
	Target api.AuditTarget `json:"target"`
	Source string          `json:"source"`
	// Signed: the actor's signed statement verified; false for what the
	// server attests alone (a join by code, an unbinding, an account
	// deletion).
	Signed bool `json:"signed"`
	// Users names the accounts the target mentions (id → address), as
	// the signed rosters do, former members included.
	Users map[string]string `json:"users,omitempty"`
	// What says what the target concerns, in words: accounts, groups and
	// vaults by name where this account can name them, by id otherwise.
	What string `json:"what"`
}

// ServerActor names the actor of an entry the server made on its own.
const ServerActor = "server"

// Audit reads and verifies an organisation's whole audit log (the owner
// only; client.ErrTampered if anything fails) and returns the entries f
// selects, oldest first.
func Audit(ctx context.Context, s *client.Session, orgRef string, f client.AuditFilter) ([]AuditEntry, error) {
	list, err := s.AuditLog(ctx, orgRef, f)
	if err != nil {
		return nil, err
	}
	o, err := s.FindOrg(orgRef)
	if err != nil {
		return nil, err
	}
	return namedEntries(s, o.ID, auditEntries(list)), nil
}

// namedEntries adds the addresses of the accounts each target mentions,
// and says what each concerns by the names this account knows.
func namedEntries(s *client.Session, orgID string, list []AuditEntry) []AuditEntry {
	names := map[string]string{} // kind + id → name
	for _, g := range s.Groups(orgID) {
		names["group"+g.ID] = g.Name
	}
	for _, v := range s.Vaults() {
		names["vault"+v.ID] = v.Name
	}
	for i, e := range list {
		for _, id := range append([]string{e.Target.User, e.Target.Grantee}, e.Target.Users...) {
			if email := s.PersonEmail(id); id != "" && email != "" {
				if list[i].Users == nil {
					list[i].Users = map[string]string{}
				}
				list[i].Users[id] = email
				names["member"+id] = email
			}
		}
		list[i].What = targetText(e.Target, func(kind, id string) string {
			if n, ok := names[kind+id]; ok {
				return n
			}
			return id
		})
	}
	return list
}

// targetText says what a target's ids are (name names one of a kind:
// member, group or vault). Table-driven: each line of straight code
// costs the browser's core ≈ 150 bytes (docs/performance.md).
func targetText(t api.AuditTarget, name func(kind, id string) string) string {
	var parts []string
	say := func(words ...string) { parts = append(parts, strings.Join(words, "")) }
	granteeKind := "member"
	if t.GranteeKind == "group" {
		granteeKind = "group"
	}
	users := make([]string, len(t.Users))
	for i, id := range t.Users {
		users[i] = name("member", id)
	}
	invitations := ""
	switch {
	case len(t.Invitations) == 1:
		invitations = "1 invitation"
	case len(t.Invitations) > 1:
		invitations = strconv.Itoa(len(t.Invitations)) + " invitations"
	case t.Invitation != "" && t.User == "":
		invitations = "an invitation"
	}
	for _, p := range []struct{ label, kind, id string }{
		{"the organisation", "", t.Org},
		{"member ", "member", t.User},
		{"members ", "", strings.Join(users, ", ")},
		{"", "", invitations},
		{"group ", "group", t.Group},
		{"from vault ", "vault", t.FromVault},
		{"vault ", "vault", t.Vault},
		{"item ", "", t.Item},
		{granteeKind + " ", granteeKind, t.Grantee},
		{"", "", t.Permission},
	} {
		switch {
		case p.id == "":
		case p.label == "the organisation":
			say(p.label)
		case p.kind != "":
			say(p.label, name(p.kind, p.id))
		case p.label == "item " && t.Revision > 0:
			say(p.label, p.id, " (revision ", strconv.FormatUint(t.Revision, 10), ")")
		default:
			say(p.label, p.id)
		}
	}
	if len(t.Vaults) > 0 {
		vaults := make([]string, len(t.Vaults))
		for i, id := range t.Vaults {
			vaults[i] = name("vault", id)
		}
		say("vaults ", strings.Join(vaults, ", "))
	}
	if t.Format != "" {
		say("as ", t.Format)
	}
	if t.Policy != "" {
		say("export ", t.Policy)
	}
	if t.Epoch > 0 {
		say("epoch ", strconv.FormatUint(t.Epoch, 10))
	}
	if t.Force {
		say("with its items")
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, " · ")
}

// AdminAudit is Audit for an instance administrator, who names the
// organisation by id (client.Session.AdminAuditLog): the same entries,
// verified the same way.
func AdminAudit(ctx context.Context, s *client.Session, orgID string, f client.AuditFilter) ([]AuditEntry, error) {
	list, err := s.AdminAuditLog(ctx, orgID, f)
	if err != nil {
		return nil, err
	}
	out := auditEntries(list)
	for i := range out {
		// An administrator holds no names: ids.
		out[i].What = targetText(out[i].Target, func(_, id string) string { return id })
	}
	return out, nil
}

func auditEntries(list []client.AuditEntry) []AuditEntry {
	out := make([]AuditEntry, 0, len(list))
	for _, e := range list {
		out = append(out, AuditEntry{Seq: e.Seq, Time: e.Time, Actor: actorName(e), Action: e.Action, Target: e.Target, Source: e.Source, Signed: e.Signed})
	}
	return out
}

// actorName is the actor's e-mail address from the roster, "server" for
// the server, an instance administrator (who is in no roster: the
// server's word) by account id, or the account id of someone the roster
// never listed.
func actorName(e client.AuditEntry) string {
	switch {
	case e.Actor != "":
		return e.Actor
	case e.ActorID == "":
		return ServerActor
	case e.Action == api.AuditUnbind:
		return InstanceAdministrator + " " + e.ActorID
	}
	return e.ActorID
}

// InstanceAdministrator names the actor of an unbind (§18.8).
const InstanceAdministrator = "instance administrator"
