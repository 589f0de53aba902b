package main_test

import (
	"regexp"
	"strings"
	"testing"
)

// TestIssue24LockedInvitationThroughCLI (issue 24, defect 1) with the real
// binary: after five wrong codes the invitee is told, without a command
// to run, that the owner must re-issue the invitation (exit 7, refused);
// `org invitations` says it is locked; the owner's `org members` shows it
// locked and since when; `org invite` of the address again re-issues it
// and says so; a working invitation is only replaced with --reissue.
func TestIssue24LockedInvitationThroughCLI(t *testing.T) {
	srv := startServer(t)
	owner := user(t, srv, "owner@lock.example")
	invitee := user(t, srv, "new@lock.example")
	other := user(t, srv, "other@lock.example")
	owner.ok("", "org", "create", "Lock Ltd")
	first := owner.inviteCode("Lock Ltd", "new@lock.example", "other@lock.example")
	fields := strings.Fields(invitee.ok("", "org", "invitations"))
	org := fields[len(fields)-1] // the organisation's id, last in the table
	for i := 0; i < 5; i++ {
		invitee.fails(2, "", "org", "join", org, "--code", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	}
	msg := invitee.fails(7, "", "org", "join", org, "--code", first)
	if !strings.Contains(msg, "locked") || !strings.Contains(msg, "re-issue the invitation") || strings.Contains(msg, "coffer org") {
		t.Fatalf("join of a locked invitation: %q", msg)
	}
	if out := invitee.ok("", "org", "invitations"); !strings.Contains(out, "locked: too many wrong codes; ask the owner to re-issue") {
		t.Fatalf("org invitations:\n%s", out)
	}
	members := owner.ok("", "org", "members", "Lock Ltd")
	if !regexp.MustCompile(`new@lock\.example\s+invited \(locked since \d{4}-\d\d-\d\d \d\d:\d\d UTC: too many wrong codes; re-issue it with coffer org invite 'Lock Ltd' new@lock\.example\)`).MatchString(members) {
		t.Fatalf("org members:\n%s", members)
	}

	out := owner.ok("", "org", "invite", "Lock Ltd", "new@lock.example")
	if !strings.Contains(out, "Re-issued for new@lock.example: the earlier invitation is replaced") {
		t.Fatalf("inviting the locked address again:\n%s", out)
	}
	second := codeRe.FindStringSubmatch(out)[1]
	if strings.Contains(owner.ok("", "org", "members", "Lock Ltd"), "locked") {
		t.Fatal("still locked after the re-issue")
	}
	// other@ still has a working invitation: a plain invite refuses.
	if msg := owner.fails(2, "", "org", "invite", "Lock Ltd", "other@lock.example"); !strings.Contains(msg, "code still works") ||
		!strings.Contains(msg, "coffer org invite --reissue 'Lock Ltd' other@lock.example") {
		t.Fatalf("inviting an address whose invitation works: %q", msg)
	}
	third := owner.inviteCode("Lock Ltd", "--reissue", "other@lock.example")
	other.fails(2, "", "org", "join", org, "--code", first)
	other.ok("", "org", "join", org, "--code", third)
	invitee.ok("", "org", "join", org, "--code", second)
	owner.ok("", "org", "confirm", "Lock Ltd", "new@lock.example", "other@lock.example")
}
