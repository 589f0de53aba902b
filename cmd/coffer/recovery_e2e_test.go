package main_test

import (
	"regexp"
	"strings"
	"testing"
)

var (
	recoveryCodeRe = regexp.MustCompile(`Recovery code: ([A-Z2-7]{4}(?:-[A-Z2-7]{4}){5})`)
	approvalCodeRe = regexp.MustCompile(`Approval code: ([A-Z2-7]{4}(?:-[A-Z2-7]{4}){5})`)
)

// TestCLIAccountRecoveryByOrganisation (issue 15): the owner turns
// recovery on; a member enrols (and sees it); forgets the master
// password; asks on a new device, choosing the new password there; reads
// the code to the owner, who approves; finishes and reads their items.
// The old password is dead, the owner's device never held the new one,
// a wrong code approves nothing, and a withdrawn enrolment cannot be
// used.
func TestCLIAccountRecoveryByOrganisation(t *testing.T) {
	const newPW = "the member's fresh password 9"
	srv := startServer(t)
	owner := user(t, srv, "boss@recover.example")
	laura := user(t, srv, "laura@recover.example")
	owner.orgWith("Northwind", laura)
	laura.ok("", "item", "add", "--type", "login", "--name", "Payroll", "--password", itemPass)

	laura.fails(6, "", "account", "recovery", "enrol", "Northwind") // off
	laura.fails(7, "", "org", "recovery", "Northwind", "enable")    // not the owner
	owner.ok("", "org", "recovery", "Northwind", "enable")
	owner.fails(7, "", "account", "recovery", "enrol", "Northwind") // owners do not enrol
	r := laura.run("", "account", "recovery", "enrol", "Northwind")
	if r.code != 0 || !strings.Contains(r.stderr, "boss@recover.example") || !strings.Contains(r.stderr, "leave") {
		t.Fatalf("enrol: %+v", r)
	}
	if out := laura.ok("", "account", "recovery", "status"); !strings.Contains(out, "Northwind") || !strings.Contains(out, "yes, since") {
		t.Fatalf("member's status:\n%s", out)
	}
	if out := owner.ok("", "org", "recovery", "Northwind"); !strings.Contains(out, "laura@recover.example") || strings.Contains(out, "NOT VERIFIED") {
		t.Fatalf("owner's status:\n%s", out)
	}

	// Laura forgot her password. On a new device:
	phone := newCLI(t)
	out := phone.ok(newPW+"\n"+newPW+"\n", "account", "recovery", "request", "--server", srv.url, "--email", "laura@recover.example", "--password-stdin")
	m := recoveryCodeRe.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("recovery request printed no code:\n%s", out)
	}
	msg := phone.fails(1, newPW+"\n", "account", "recovery", "complete", "--password-stdin")
	if !strings.Contains(msg, "not approved yet") || !strings.Contains(msg, m[1]) {
		t.Fatalf("complete before approval: %q", msg)
	}
	if out := laura.ok("", "account", "recovery", "status"); !strings.Contains(out, "pending") {
		t.Fatalf("the member does not see the request:\n%s", out)
	}
	// Someone else asks in her name too. The owner discards her open
	// requests (those take her places: the server keeps 5 and drops none
	// for a newer one), and she asks again.
	newCLI(t).ok("a stranger's password\na stranger's password\n", "account", "recovery", "request", "--server", srv.url, "--email", "laura@recover.example", "--password-stdin")
	if out := owner.ok("", "org", "recover", "Northwind", "laura@recover.example", "--discard"); !strings.Contains(out, "Discarded 2 open recovery request(s)") {
		t.Fatalf("discard: %q", out)
	}
	out = phone.ok(newPW+"\n"+newPW+"\n", "account", "recovery", "request", "--server", srv.url, "--email", "laura@recover.example", "--password-stdin")
	if m = recoveryCodeRe.FindStringSubmatch(out); m == nil {
		t.Fatalf("recovery request printed no code:\n%s", out)
	}
	owner.fails(2, "", "org", "recover", "Northwind", "laura@recover.example", "--code", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
	out = owner.ok(m[1]+"\n", "org", "recover", "Northwind", "laura@recover.example")
	a := approvalCodeRe.FindStringSubmatch(out)
	if a == nil {
		t.Fatalf("org recover printed no approval code:\n%s", out)
	}
	phone.fails(3, "not the new one at all\n", "account", "recovery", "complete", "--password-stdin", "--code", a[1])
	phone.fails(5, newPW+"\n", "account", "recovery", "complete", "--password-stdin", "--code", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
	r = phone.run(newPW+"\n"+a[1]+"\n", "account", "recovery", "complete", "--password-stdin")
	if r.code != 0 || !strings.Contains(r.stderr, "recovered") {
		t.Fatalf("complete: %+v", r)
	}
	phone.session = exportRe.FindStringSubmatch(r.stdout)[1]
	if got := phone.ok("", "item", "get", "Payroll", "--field", "password"); got != itemPass+"\n" {
		t.Fatalf("after recovery: %q", got)
	}
	// Every earlier session ended; the forgotten password opens nothing.
	laura.fails(3, "", "item", "list")
	laura.fails(3, masterPW+"\n", "unlock", "--password-stdin")
	laura.unlock(newPW)
	newCLI(t).fails(3, masterPW+"\n", "login", "--server", srv.url, "--email", "laura@recover.example", "--password-stdin")
	assertNoPlaintext(t, owner.config, newPW)
	assertNoPlaintext(t, phone.config, newPW, itemPass)

	// Withdrawn: a new request cannot be approved.
	laura.ok("", "account", "recovery", "leave", "Northwind")
	out = newCLI(t).ok(newPW+"\n"+newPW+"\n", "account", "recovery", "request", "--server", srv.url, "--email", "laura@recover.example", "--password-stdin")
	code2 := recoveryCodeRe.FindStringSubmatch(out)[1]
	owner.fails(6, "", "org", "recover", "Northwind", "laura@recover.example", "--code", code2)
	owner.ok("", "org", "recovery", "Northwind", "disable")
	if out := owner.ok("", "org", "recovery", "Northwind"); !strings.Contains(out, "off") {
		t.Fatalf("after disable:\n%s", out)
	}
}
