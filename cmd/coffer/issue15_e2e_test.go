package main_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCLISessionsOfOneDeviceCoexist (issue 15, defect 5): a second unlock
// on the same device — another shell, a script — leaves the first shell's
// session open; lock closes them all.
func TestCLISessionsOfOneDeviceCoexist(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "shells@example.com")
	first := c.session
	c.unlock(masterPW)
	second := c.session
	if first == second {
		t.Fatal("two unlocks gave one session key")
	}
	c.ok("", "item", "add", "--type", "note", "--name", "from the second shell", "--note", "x")
	c.session = first
	if out := c.ok("", "item", "list"); !strings.Contains(out, "from the second shell") {
		t.Fatalf("the first shell after a second unlock: %q", out)
	}
	c.ok("", "lock")
	for _, key := range []string{first, second} {
		c.session = key
		if msg := c.fails(3, "", "item", "list"); !strings.Contains(msg, "locked") {
			t.Fatalf("after lock: %q", msg)
		}
	}
	c.unlock(masterPW)
	c.ok("", "item", "get", "from the second shell")
}

// TestCLIEditChangesSecretsCardsAndFields (issue 15, defect 1): item edit
// changes a secret's keys and adds one, a card's CVV, and an existing
// custom field of a login, each as a new revision.
func TestCLIEditChangesSecretsCardsAndFields(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "rotate@example.com")
	c.ok("", "item", "add", "--type", "secret", "--name", "Deploy keys", "--field", "AWS_ACCESS_KEY_ID=AKIAOLD", "--field", "AWS_SECRET=old")
	c.ok("", "item", "edit", "Deploy keys", "--field", "AWS_ACCESS_KEY_ID=AKIANEW", "--field", "REGION=eu-west-1")
	for field, want := range map[string]string{"AWS_ACCESS_KEY_ID": "AKIANEW", "AWS_SECRET": "old", "REGION": "eu-west-1"} {
		if got := c.ok("", "item", "get", "Deploy keys", "--field", field); got != want+"\n" {
			t.Fatalf("secret %s = %q, want %q", field, got, want)
		}
	}
	c.ok("", "item", "add", "--type", "card", "--name", "Company card", "--field", "number=4111111111111111", "--field", "cvv=123")
	c.ok("", "item", "edit", "Company card", "--field", "cvv=456")
	if got := c.ok("", "item", "get", "Company card", "--field", "cvv"); got != "456\n" {
		t.Fatalf("cvv = %q", got)
	}
	c.ok("", "item", "add", "--type", "login", "--name", "Mail", "--password", "p", "--field", "recovery=abc")
	c.ok("", "item", "edit", "Mail", "--field", "recovery=def")
	if got := c.ok("", "item", "get", "Mail", "--field", "recovery"); got != "def\n" {
		t.Fatalf("custom field = %q", got)
	}
	// Giving the same value again is still "nothing to change".
	c.fails(2, "", "item", "edit", "Mail", "--field", "recovery=def")
}

// TestCLIMessagesThatSayWhatToDo (issue 15, defect 8, in part): the
// version flag, an item in the trash named by its name, and a field name
// with a typo each get an answer that says what to do.
func TestCLIMessagesThatSayWhatToDo(t *testing.T) {
	if out := newCLI(t).ok("", "--version"); !strings.HasPrefix(out, "coffer ") {
		t.Fatalf("--version: %q", out)
	}
	srv := startServer(t)
	c := user(t, srv, "messages@example.com")
	c.ok("", "item", "add", "--type", "login", "--name", "Router", "--username", "admin", "--password", "p")
	msg := c.fails(6, "", "item", "get", "Router", "--field", "pasword")
	if !strings.Contains(msg, `no field "pasword"`) || !strings.Contains(msg, "password") || strings.Contains(msg, ": p,") {
		t.Fatalf("a field name with a typo: %q", msg)
	}
	if out := c.ok("", "item", "list"); !strings.Contains(out, "VAULT") || !strings.Contains(out, "My Vault") {
		t.Fatalf("item list names no vault:\n%s", out)
	}
	c.ok("", "item", "rm", "Router")
	if msg := c.fails(6, "", "item", "get", "Router"); !strings.Contains(msg, "in the trash") || !strings.Contains(msg, "item restore") {
		t.Fatalf("an item in the trash, by name: %q", msg)
	}
}

// TestCLISecretsWithoutTheCommandLine (issue 15, defect 6): a password
// from stdin (--password -), notes from stdin (--note -) or a file
// (--note @FILE) — larger than a command line takes — and multi-line notes
// shown a line each.
func TestCLISecretsWithoutTheCommandLine(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "stdin@example.com")
	c.ok("s3cret-from-stdin\n", "item", "add", "--type", "login", "--name", "Quiet", "--password", "-")
	if got := c.ok("", "item", "get", "Quiet", "--field", "password"); got != "s3cret-from-stdin\n" {
		t.Fatalf("password from stdin: %q", got)
	}
	note := "first line\nsecond line\n"
	c.ok(note, "item", "edit", "Quiet", "--note", "-")
	out := c.ok("", "item", "get", "Quiet")
	if !strings.Contains(out, "notes:\n  first line\n  second line\n") {
		t.Fatalf("multi-line notes shown as:\n%s", out)
	}
	big := strings.Repeat("0123456789abcdef", 200<<10/16) // 200 KiB: more than one argument may be
	path := filepath.Join(t.TempDir(), "note.txt")
	if err := os.WriteFile(path, []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	c.ok("", "item", "add", "--type", "note", "--name", "Runbook", "--note", "@"+path)
	if got := c.ok("", "item", "get", "Runbook", "--field", "notes"); got != big+"\n" {
		t.Fatalf("a note from a file: %d bytes back", len(got))
	}
	c.fails(2, "x\n", "item", "add", "--type", "login", "--name", "Both", "--password", "-", "--note", "-")
}

// TestCLIExitCodesFollowTheTable (issue 15, defect 7): the cases found
// off the README's table now exit as it says — a rule of the owner's
// refused by the server 7, a wrong invitation code 2, a master password
// too short 2.
func TestCLIExitCodesFollowTheTable(t *testing.T) {
	srv := startServer(t)
	owner := user(t, srv, "boss@exit.example")
	member := user(t, srv, "member@exit.example")
	const org = "Exit Codes Ltd"
	owner.ok("", "org", "create", org)
	code := owner.inviteCode(org, "member@exit.example")
	member.fails(2, "", "org", "join", org, "--code", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	member.ok("", "org", "join", org, "--code", code)
	owner.ok("", "org", "confirm", org, "member@exit.example")
	if msg := member.fails(7, "", "org", "invite", org, "someone@exit.example"); !strings.Contains(msg, "owner") {
		t.Fatalf("a member inviting: %q", msg)
	}
	newCLI(t).fails(2, "short\n", "signup", "--server", srv.url, "--email", "weak@exit.example", "--name", "W", "--password-stdin")
}

// TestCLISignupKeepsAnotherAccountsProfile (issue 15, defect 9): signing
// up in a profile directory that holds another account is refused, and
// that account stays usable.
func TestCLISignupKeepsAnotherAccountsProfile(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "first@profile.example")
	c.ok("", "item", "add", "--type", "note", "--name", "mine", "--note", "x")
	msg := c.fails(2, masterPW+"\n", "signup", "--server", srv.url, "--email", "second@profile.example", "--name", "S", "--password-stdin")
	if !strings.Contains(msg, "first@profile.example") || !strings.Contains(msg, "logout") {
		t.Fatalf("sign-up over another account's profile: %q", msg)
	}
	c.ok("", "item", "get", "mine")
}

// TestCLIShareNeverUpgradesSilently (issue 15, defect 2): a group's
// permission is on its whole vault, so sharing a second item with another
// permission is refused with what it would change and how to do it on
// purpose; share and group list say the permission that applies.
func TestCLIShareNeverUpgradesSilently(t *testing.T) {
	srv := startServer(t)
	laura := user(t, srv, "laura@share.example")
	intern := user(t, srv, "intern@share.example")
	laura.orgWith("Shop", intern)
	laura.ok("", "group", "create", "Shop", "Marketing", "--private")
	laura.ok("", "group", "add", "Shop", "Marketing", "intern@share.example")
	laura.ok("", "item", "add", "--type", "login", "--name", "Social", "--password", "s1")
	laura.ok("", "item", "add", "--type", "login", "--name", "Ads", "--password", "a1")
	if out := laura.ok("", "share", "Social", "--group", "Marketing", "--permission", "view"); !strings.Contains(out, "can view it") {
		t.Fatalf("share: %q", out)
	}
	msg := laura.fails(2, "", "share", "Ads", "--group", "Marketing", "--permission", "edit")
	if !strings.Contains(msg, "1 other item") || !strings.Contains(msg, "vault grant") {
		t.Fatalf("a silent upgrade: %q", msg)
	}
	intern.fails(7, "", "item", "edit", "Social", "--password", "hijack")
	laura.fails(6, "", "item", "get", "Shop/Marketing/Ads") // not moved either
	if out := laura.ok("", "share", "Ads", "--group", "Marketing"); !strings.Contains(out, "can view it") {
		t.Fatalf("share with the vault's permission: %q", out)
	}
	if out := laura.ok("", "group", "list", "Shop"); !strings.Contains(out, "ITS VAULT") || !strings.Contains(out, "view") {
		t.Fatalf("group list:\n%s", out)
	}
	// On purpose, for the whole vault.
	laura.ok("", "vault", "grant", "Shop/Marketing", "--group", "Marketing", "--permission", "edit")
	intern.ok("", "item", "edit", "Social", "--password", "s2")
	if out := laura.ok("", "group", "list", "Shop", "--json"); !strings.Contains(out, `"vault_permission": "edit"`) {
		t.Fatalf("group list --json after the grant:\n%s", out)
	}
}

// TestCLIOutputAndMessagesThatHelp (issue 15, defects 8 and 9): aliases
// and suggestions; a bad TOTP secret refused when added; names trimmed;
// item get shows vault, tags, favourite and attachments (and JSON keeps
// attachments out of the fields); a download does not overwrite; an
// ended server session points at coffer unlock.
func TestCLIOutputAndMessagesThatHelp(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "helpful@example.com")
	if msg := c.fails(2, "", "item", "lst"); !strings.Contains(msg, "did you mean list") {
		t.Fatalf("a typo: %q", msg)
	}
	if msg := c.fails(2, "", "item", "add", "--type", "login", "--name", "2FA", "--totp", "not a secret!"); !strings.Contains(msg, "TOTP") || strings.Contains(msg, "not a secret") {
		t.Fatalf("a bad TOTP secret: %q", msg)
	}
	c.ok("", "item", "add", "--type", "login", "--name", "  Padded  ", "--password", "p", "--tag", "work", "--tag", "bank", "--favorite")
	c.ok("", "item", "ls")
	out := c.ok("", "item", "show", "Padded")
	for _, want := range []string{"name:      Padded\n", "vault:", "My Vault", "tags:", "work, bank", "favorite:", "yes"} {
		if !strings.Contains(out, want) {
			t.Fatalf("item get lacks %q:\n%s", want, out)
		}
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "a.txt")
	os.WriteFile(src, []byte("attached"), 0o600)
	c.ok("", "item", "attach", "Padded", "--file", src)
	js := c.ok("", "item", "get", "Padded", "--json")
	if !strings.Contains(js, `"attachments"`) || strings.Contains(js, `"file a.txt"`) || !strings.Contains(js, `"vault": "My Vault"`) {
		t.Fatalf("item get --json:\n%s", js)
	}
	if out := c.ok("", "item", "get", "Padded"); !strings.Contains(out, "attachment:") || !strings.Contains(out, "a.txt") {
		t.Fatalf("item get lists no attachment:\n%s", out)
	}
	dst := filepath.Join(dir, "out.txt")
	os.WriteFile(dst, []byte("precious"), 0o600)
	c.fails(2, "", "item", "download", "Padded", "--out", dst)
	if got, _ := os.ReadFile(dst); string(got) != "precious" {
		t.Fatalf("download overwrote: %q", got)
	}
	c.ok("", "item", "download", "Padded", "--out", dst, "--force")
	if got, _ := os.ReadFile(dst); string(got) != "attached" {
		t.Fatalf("download --force: %q", got)
	}
	c.ok("", "item", "delete", "Padded")

	// The server session ends (another device ends every other session):
	// the message says what fixes it.
	other := newCLI(t)
	other.ok(masterPW+"\n", "login", "--server", srv.url, "--email", "helpful@example.com", "--password-stdin")
	other.unlock(masterPW)
	other.ok(masterPW+"\n"+masterPW+" 2\n", "account", "password", "--password-stdin", "--revoke-sessions")
	if msg := c.fails(3, "", "item", "list"); !strings.Contains(msg, "coffer unlock") {
		t.Fatalf("an ended session: %q", msg)
	}
}

// TestCLIInviteeIsNeverStuck (issue 15, defect 8): an invitee lists their
// invitations; joining again says they joined and wait for the owner;
// org members says the same instead of "not found"; a member joining
// again is told they are one.
func TestCLIInviteeIsNeverStuck(t *testing.T) {
	srv := startServer(t)
	owner := user(t, srv, "boss@invitee.example")
	ann := user(t, srv, "ann@invitee.example")
	owner.ok("", "org", "create", "Guild")
	code := owner.inviteCode("Guild", "ann@invitee.example")
	if out := ann.ok("", "org", "invitations"); !strings.Contains(out, "boss@invitee.example") || !strings.Contains(out, "invited") {
		t.Fatalf("invitations before joining:\n%s", out)
	}
	ann.ok("", "org", "join", "Guild", "--code", code)
	if msg := ann.fails(2, "", "org", "join", "Guild", "--code", code); !strings.Contains(msg, "joined") || strings.Contains(msg, "wrong") {
		t.Fatalf("joining twice: %q", msg)
	}
	if msg := ann.fails(6, "", "org", "members", "Guild"); !strings.Contains(msg, "not confirmed you yet") {
		t.Fatalf("members before confirmation: %q", msg)
	}
	if out := ann.ok("", "org", "invitations"); !strings.Contains(out, "waiting for the owner") {
		t.Fatalf("invitations after joining:\n%s", out)
	}
	owner.ok("", "org", "confirm", "Guild", "ann@invitee.example")
	ann.ok("", "org", "members", "Guild")
	if msg := ann.fails(2, "", "org", "join", "Guild", "--code", code); !strings.Contains(msg, "member of") {
		t.Fatalf("joining as a member: %q", msg)
	}
	if out := ann.ok("", "org", "invitations"); !strings.Contains(out, "No open invitations") {
		t.Fatalf("invitations after confirmation:\n%s", out)
	}
}

// TestCLIHistoryLabelsWhatARevisionDid (issue 15, defect 9): a rollback, a
// restored field and a move are labelled in the history (text and JSON),
// and the label does not stick to the next plain edit.
func TestCLIHistoryLabelsWhatARevisionDid(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "labels@example.com")
	c.ok("", "org", "create", "Lab")
	c.ok("", "vault", "create", "Lab", "Shelf")
	c.ok("", "item", "add", "--type", "login", "--name", "Door", "--username", "u1", "--password", "p1")
	c.ok("", "item", "edit", "Door", "--password", "p2", "--username", "u2")
	c.ok("", "item", "rollback", "Door", "--to", "1")
	c.ok("", "item", "restore-field", "Door", "--field", "username", "--revision", "2")
	c.ok("", "item", "move", "Door", "--vault", "Lab/Shelf")
	c.ok("", "item", "edit", "Door", "--password", "p5")
	out := c.ok("", "item", "history", "Door")
	for _, want := range []string{"revision 3", "(rolled back to revision 1)", "(username restored from revision 2)", "(moved here from My Vault)"} {
		if !strings.Contains(out, want) {
			t.Fatalf("history lacks %q:\n%s", want, out)
		}
	}
	lines := strings.Split(out, "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "revision 6") && strings.Contains(l, "(") {
			t.Fatalf("a plain edit after a move is labelled: %q", l)
		}
	}
	if js := c.ok("", "item", "history", "Door", "--json"); !strings.Contains(js, `"what": "rolled back to revision 1"`) {
		t.Fatalf("history --json:\n%s", js)
	}
}

// TestCLIMoveBackIntoMyVault (issue 15): an item moved into an
// organisation vault moves back into My Vault with its history; whoever
// moves it out needs edit on the vault, and the others no longer see it.
func TestCLIMoveBackIntoMyVault(t *testing.T) {
	srv := startServer(t)
	owner := user(t, srv, "owner@back.example")
	viewer := user(t, srv, "viewer@back.example")
	owner.orgWith("Back", viewer)
	owner.ok("", "vault", "create", "Back", "Shared")
	owner.ok("", "vault", "grant", "Back/Shared", "--user", "viewer@back.example", "--permission", "view")
	owner.ok("", "item", "add", "--type", "login", "--name", "Wifi", "--password", "w1")
	owner.ok("", "item", "move", "Wifi", "--vault", "Back/Shared")
	viewer.ok("", "item", "get", "Wifi")
	viewer.fails(7, "", "item", "move", "Wifi", "--vault", "My Vault")
	owner.ok("", "item", "move", "Wifi", "--vault", "My Vault")
	viewer.fails(6, "", "item", "get", "Wifi")
	out := owner.ok("", "item", "history", "Wifi")
	if !strings.Contains(out, "revision 1") || !strings.Contains(out, "moved here from Back/Shared") {
		t.Fatalf("history after moving back:\n%s", out)
	}
	if got := owner.ok("", "item", "get", "My Vault/Wifi", "--field", "password"); got != "w1\n" {
		t.Fatalf("after moving back: %q", got)
	}
}

// TestCLIItemCopyClearsTheClipboard (issue 15): item copy puts the value
// on the clipboard through the desktop's tool (stdin, never an argument)
// and a detached helper clears it after --clear-after — unless something
// else was copied meanwhile; without a clipboard it says so. The X
// clipboard is stood in for by a script named xclip that keeps the
// selection in a file: what is under test is Coffer's side of it.
func TestCLIItemCopyClearsTheClipboard(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "copy@example.com")
	c.ok("", "item", "add", "--type", "login", "--name", "Mail", "--username", "me", "--password", itemPass)
	if r := c.runEnv([]string{"DISPLAY=", "WAYLAND_DISPLAY="}, "", "item", "copy", "Mail"); r.code != 1 || !strings.Contains(r.stderr, "no clipboard") {
		t.Fatalf("without a clipboard: %+v", r)
	}
	bin := t.TempDir()
	sel := filepath.Join(bin, "selection")
	reads := filepath.Join(bin, "reads") // a line for each read of the selection
	// Every use of the fake clipboard also says so on a FIFO the test
	// holds open: the test wakes on that, not on a timer. (Opened
	// read-write, so that a write never blocks, also after the test.)
	events := filepath.Join(bin, "events")
	mkfifo(t, events)
	fifo, err := os.OpenFile(events, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fifo.Close() })
	changed := make(chan struct{}, 1024)
	go func() {
		sc := bufio.NewScanner(fifo)
		for sc.Scan() {
			changed <- struct{}{}
		}
	}()
	script := "#!/bin/sh\ncase \"$*\" in *-in*) cat > " + sel + ";; *-out*) echo read >> " + reads + "; cat " + sel + " 2>/dev/null;; esac\necho used 1<>" + events + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xclip"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"DISPLAY=:42", "WAYLAND_DISPLAY=", "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	read := func() string { b, _ := os.ReadFile(sel); return string(b) }
	readsSoFar := func() int { b, _ := os.ReadFile(reads); return strings.Count(string(b), "read\n") }
	// The helper is a detached process whose only trace is what it does
	// to the (file) clipboard: the test looks again each time the fake
	// clipboard is used. The guard only turns a hang into a failure.
	waitFor := func(what string, done func() bool) {
		t.Helper()
		for !done() {
			select {
			case <-changed:
			case <-time.After(time.Minute):
				t.Fatalf("%s: not within a minute (clipboard %q)", what, read())
			}
		}
	}
	r := c.runEnv(env, "", "item", "copy", "Mail", "--clear-after", "1s")
	if r.code != 0 || strings.Contains(r.stdout+r.stderr, itemPass) {
		t.Fatalf("item copy: %+v", r)
	}
	if read() != itemPass {
		t.Fatalf("the clipboard holds %q", read())
	}
	waitFor("the clipboard cleared after a second", func() bool { return read() == "" })
	before := readsSoFar()
	r = c.runEnv(env, "", "item", "copy", "Mail", "--field", "username", "--clear-after", "1s")
	if r.code != 0 || read() != "me" {
		t.Fatalf("item copy --field username: %+v, clipboard %q", r, read())
	}
	os.WriteFile(sel, []byte("something the user copied since"), 0o600)
	// Not a pause of a guessed length: the helper's own read of the
	// clipboard, after which it decides to leave it.
	waitFor("the helper's look at the clipboard", func() bool { return readsSoFar() > before })
	if got := read(); got != "something the user copied since" {
		t.Fatalf("the helper cleared what the user copied since: %q", got)
	}
	if r := c.runEnv(env, "", "item", "copy", "Mail", "--field", "nope"); r.code != 6 {
		t.Fatalf("a missing field: %+v", r)
	}
}
