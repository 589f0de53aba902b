package view

import (
	"context"
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
	return namedEntries(s, auditEntries(list)), nil
}

// namedEntries adds the addresses of the accounts each target mentions.
func namedEntries(s *client.Session, list []AuditEntry) []AuditEntry {
	for i, e := range list {
		ids := append([]string{e.Target.User, e.Target.Grantee}, e.Target.Users...)
		for _, id := range ids {
			if email := s.PersonEmail(id); id != "" && email != "" {
				if list[i].Users == nil {
					list[i].Users = map[string]string{}
				}
				list[i].Users[id] = email
			}
		}
	}
	return list
}

// AdminAudit is Audit for an instance administrator, who names the
// organisation by id (client.Session.AdminAuditLog): the same entries,
// verified the same way.
func AdminAudit(ctx context.Context, s *client.Session, orgID string, f client.AuditFilter) ([]AuditEntry, error) {
	list, err := s.AdminAuditLog(ctx, orgID, f)
	if err != nil {
		return nil, err
	}
	return auditEntries(list), nil
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
