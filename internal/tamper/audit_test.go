package tamper_test

// The organisation audit log against whoever holds the database
// (issue 25, docs/protocol.md §18.7), on SQLite and PostgreSQL: an entry
// deleted, two entries swapped, an entry's action or target edited —
// with the stored hashes left as they were, or with the whole chain
// recomputed — is reported as tampering by the owner's client. A
// recomputed chain is caught by the head the owner remembered: in the
// keyring (any device of the account) and in the device's marks.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
	"github.com/coffer-pm/coffer/internal/store/postgres"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// auditDB is a running server and raw access to its database.
type auditDB struct {
	url string
	db  *sql.DB
	pg  bool
}

func startAuditDB(t *testing.T, engine string) *auditDB {
	t.Helper()
	if engine == "sqlite" {
		env := testserver.Start(t, nil, nil)
		db, err := sql.Open("sqlite", env.DBPath+"?_pragma=busy_timeout(5000)")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return &auditDB{url: env.URL, db: db}
	}
	url := pgtest.URL(t)
	st, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	env := testserver.StartStore(t, st, nil, nil)
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &auditDB{url: env.URL, db: db, pg: true}
}

// exec runs a statement written with ? placeholders.
func (a *auditDB) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if a.pg {
		for n := 1; strings.Contains(q, "?"); n++ {
			q = strings.Replace(q, "?", "$"+strconv.Itoa(n), 1)
		}
	}
	if _, err := a.db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

type auditRow struct {
	crypto.AuditEntry
	hash []byte
}

func (a *auditDB) rows(t *testing.T, orgID string) []auditRow {
	t.Helper()
	q := `SELECT seq, prev_hash, time_ms, actor_id, action, target, source, statement, statement_sig, hash FROM audit_log WHERE org_id = ? ORDER BY seq`
	if a.pg {
		q = strings.Replace(q, "?", "$1", 1)
	}
	rs, err := a.db.Query(q, orgID)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []auditRow
	for rs.Next() {
		r := auditRow{AuditEntry: crypto.AuditEntry{OrgID: orgID}}
		if err := rs.Scan(&r.Seq, &r.PrevHash, &r.Time, &r.ActorID, &r.Action, &r.Target, &r.Source, &r.Statement, &r.StatementSig, &r.hash); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// rewrite replaces the organisation's log with rows, renumbered and with
// the whole chain recomputed: what a server that forges a consistent log
// would store.
func (a *auditDB) rewrite(t *testing.T, orgID string, rows []auditRow) {
	t.Helper()
	a.exec(t, `DELETE FROM audit_log WHERE org_id = ?`, orgID)
	prev := crypto.ZeroHash()
	for i, r := range rows {
		r.Seq, r.PrevHash = uint64(i+1), prev
		prev = crypto.AuditEntryHash(r.AuditEntry)
		a.exec(t, `INSERT INTO audit_log (org_id, seq, prev_hash, time_ms, actor_id, action, target, source, statement, statement_sig, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, orgID, int64(r.Seq), r.PrevHash, int64(r.Time), r.ActorID, r.Action, r.Target, r.Source,
			nonEmpty(r.Statement), nonEmpty(r.StatementSig), prev)
	}
}

func nonEmpty(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// auditScene is an organisation with a few logged actions, whose log the
// owner has read once (so its head is remembered).
func auditScene(t *testing.T, a *auditDB, email string) (*client.Session, *client.Org) {
	t.Helper()
	owner, err := client.Signup(ctx, a.url, email, "Owner", []byte("password of "+email), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o, err := owner.CreateOrg(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	v, err := owner.CreateVault(ctx, o.ID, "Ops")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"one", "two"} {
		if _, err := owner.CreateItem(ctx, v.ID, "note", client.Content{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	if err := owner.RenameVault(ctx, v.ID, "Ops2"); err != nil {
		t.Fatal(err)
	}
	if err := owner.RenameOrg(ctx, o.ID, "Acme2"); err != nil {
		t.Fatal(err)
	}
	if list, err := owner.AuditLog(ctx, o.ID, client.AuditFilter{}); err != nil || len(list) != 5 {
		t.Fatalf("the untouched log: %d entries, %v", len(list), err)
	}
	return owner, o
}

func TestAuditLogTamperingIsDetected(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, a *auditDB, orgID string)
		// headOnly: only the remembered head can tell (the rewritten
		// chain and every statement are consistent).
		headOnly bool
	}{
		{"delete an entry", func(t *testing.T, a *auditDB, orgID string) {
			a.exec(t, `DELETE FROM audit_log WHERE org_id = ? AND seq = 3`, orgID)
		}, false},
		{"swap two entries", func(t *testing.T, a *auditDB, orgID string) {
			a.exec(t, `UPDATE audit_log SET seq = 100 WHERE org_id = ? AND seq = 2`, orgID)
			a.exec(t, `UPDATE audit_log SET seq = 2 WHERE org_id = ? AND seq = 3`, orgID)
			a.exec(t, `UPDATE audit_log SET seq = 3 WHERE org_id = ? AND seq = 100`, orgID)
		}, false},
		{"edit an action, hashes kept", func(t *testing.T, a *auditDB, orgID string) {
			a.exec(t, `UPDATE audit_log SET action = 'item-update' WHERE org_id = ? AND seq = 2`, orgID)
		}, false},
		{"edit a target, hashes kept", func(t *testing.T, a *auditDB, orgID string) {
			a.exec(t, `UPDATE audit_log SET target = ? WHERE org_id = ? AND seq = 4`, []byte(`{"vault":"00000000-0000-4000-8000-000000000000"}`), orgID)
		}, false},
		{"edit an action, chain recomputed", func(t *testing.T, a *auditDB, orgID string) {
			rows := a.rows(t, orgID)
			rows[3].Action = "delete"
			a.rewrite(t, orgID, rows)
		}, false},
		{"edit a target, chain recomputed", func(t *testing.T, a *auditDB, orgID string) {
			rows := a.rows(t, orgID)
			rows[4].Target = []byte(`{"org":"00000000-0000-4000-8000-000000000000"}`)
			a.rewrite(t, orgID, rows)
		}, false},
		{"edit a source, chain recomputed", func(t *testing.T, a *auditDB, orgID string) {
			rows := a.rows(t, orgID)
			rows[1].Source = "203.0.113.7"
			a.rewrite(t, orgID, rows)
		}, true},
		{"delete the newest entry, chain recomputed", func(t *testing.T, a *auditDB, orgID string) {
			rows := a.rows(t, orgID)
			a.rewrite(t, orgID, rows[:len(rows)-1])
		}, true},
		{"delete an entry, chain recomputed", func(t *testing.T, a *auditDB, orgID string) {
			rows := a.rows(t, orgID)
			a.rewrite(t, orgID, append(rows[:1], rows[2:]...))
		}, true},
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			a := startAuditDB(t, engine)
			for i, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					email := "owner" + strconv.Itoa(i) + "@audit-" + engine + ".example"
					owner, o := auditScene(t, a, email)
					c.tamper(t, a, o.ID)
					if _, err := owner.AuditLog(ctx, o.ID, client.AuditFilter{}); !errors.Is(err, client.ErrTampered) {
						t.Fatalf("the device that read the log: %v, want ErrTampered", err)
					}
					// Another device of the account: no marks of its own;
					// the keyring's head still tells.
					other, err := client.Login(ctx, a.url, email, []byte("password of "+email), client.Options{})
					if err != nil {
						t.Fatal(err)
					}
					if err := other.Sync(ctx); err != nil {
						t.Fatal(err)
					}
					_, err = other.AuditLog(ctx, o.ID, client.AuditFilter{})
					if !errors.Is(err, client.ErrTampered) {
						t.Fatalf("another device: %v, want ErrTampered", err)
					}
					if c.headOnly && !strings.Contains(err.Error(), "this account") {
						t.Fatalf("caught by something else than the remembered head: %v", err)
					}
				})
			}
		})
	}
}

// TestAuditHeadIsInTheDevicesMarks: the head the owner verified is in
// the device's marks, and survives their JSON (what the CLI keeps between
// runs) — so a device catches a rewritten log on its own.
func TestAuditHeadIsInTheDevicesMarks(t *testing.T) {
	a := startAuditDB(t, "sqlite")
	owner, o := auditScene(t, a, "marks@audit.example")
	rows := a.rows(t, o.ID)
	data, err := owner.MarksJSON()
	if err != nil {
		t.Fatal(err)
	}
	var marks client.Marks
	if err := json.Unmarshal(data, &marks); err != nil {
		t.Fatal(err)
	}
	if m := marks.Audit[o.ID]; m.Seq != 5 || !crypto.Equal(m.Hash, rows[4].hash) {
		t.Fatalf("the device's mark: %+v", m)
	}
	dev, err := client.Login(ctx, a.url, "marks@audit.example", []byte("password of marks@audit.example"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dev.SetMarks(marks)
	if m := dev.Marks().Audit[o.ID]; m.Seq != 5 {
		t.Fatalf("restored mark: %+v", m)
	}
}
