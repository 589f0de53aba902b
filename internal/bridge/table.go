package bridge

import (
	"context"
	"fmt"
	"runtime"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/api"
)

// Func is one function of globalThis.cofferCore.
type Func struct {
	Name string
	// Args name the page's arguments, in order (docs/web.md's table).
	Args []string
	// Result is a value of the type the function resolves to (as JSON),
	// for the generated TypeScript types.
	Result any
	// Writes: the device cache and marks are saved after it.
	Writes bool
	// Glue: the function passes bytes or callbacks, so cmd/coffer-web
	// calls a typed method (Attach, Download, Watch) instead of Call.
	Glue bool
	call func(Args) (any, error)
}

// answer adapts a typed bridge function to Func.call.
func answer[T any](v T, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}

// describe: the table keeps each function's Args and Result, which serve
// docs/web.md's check and the generated TypeScript types, not the browser
// (cmd/coffer-web calls by name): in core.wasm the compiler drops them,
// 7 KB less of the first load (docs/performance.md).
const describe = runtime.GOOS != "js"

// Funcs are the bridge's functions, as docs/web.md lists them.
func (c *Core) Funcs() []Func {
	f := func(name string, args []string, result any, call func(Args) (any, error)) Func {
		fn := Func{Name: name, call: call}
		if describe {
			fn.Args, fn.Result = args, result
		}
		return fn
	}
	w := func(fn Func) Func { fn.Writes = true; return fn }
	a := func(names ...string) []string { return names }
	onEmails := func(do func(*client.Session, string, []string) error) func(Args) (any, error) {
		return func(x Args) (any, error) {
			return answer(c.withEmails(x, func(s *client.Session, emails []string) error { return do(s, x.Str(0), emails) }))
		}
	}
	return []Func{
		f("status", nil, Status{}, func(Args) (any, error) { return answer(c.status()) }),
		f("signup", a("email", "name", "password"), Unlocked{}, func(x Args) (any, error) { return answer(c.signup(x.Str(0), x.Str(1), x.Str(2))) }),
		f("verifySignup", a("userID", "code"), OK{}, func(x Args) (any, error) { return answer(c.verifySignup(x.Str(0), x.Str(1))) }),
		f("login", a("email", "password", "code"), Unlocked{}, func(x Args) (any, error) { return answer(c.login(x.Str(0), x.Str(1), x.Str(2))) }),
		f("loginSecurityKey", a("email", "password", "assertion", `"ticket"?`), Unlocked{}, func(x Args) (any, error) {
			return answer(c.loginSecurityKey(x.Str(0), x.Str(1), x.Str(2), x.Str(3)))
		}),
		f("unlock", a("password"), Unlocked{}, func(x Args) (any, error) { return answer(c.unlock(x.Str(0))) }),
		// Single sign-on (docs/protocol.md §8.4).
		f("ssoInfo", nil, api.SSOInfo{}, func(Args) (any, error) { return answer(c.ssoInfo()) }),
		f("ssoStart", nil, SSOStarted{}, func(Args) (any, error) { return answer(c.ssoStart()) }),
		f("ssoTicket", a("ticket"), api.SSOTicketInfo{}, func(x Args) (any, error) { return answer(c.ssoTicket(x.Str(0))) }),
		f("ssoError", a("code"), Shown{}, func(x Args) (any, error) { return answer(Shown{Text: client.SSOErrorText(x.Str(0))}, nil) }),
		f("ssoLogin", a("ticket", "email", "password", "code"), Unlocked{}, func(x Args) (any, error) {
			return answer(c.ssoLogin(x.Str(0), x.Str(1), x.Str(2), x.Str(3)))
		}),
		f("ssoSignup", a("ticket", "email", "name", "password"), Unlocked{}, func(x Args) (any, error) {
			return answer(c.ssoSignup(x.Str(0), x.Str(1), x.Str(2), x.Str(3)))
		}),
		f("lock", nil, Status{}, func(Args) (any, error) { return answer(c.lock()) }),
		f("logout", nil, Status{}, func(Args) (any, error) { return answer(c.logout()) }),
		f("sync", nil, OK{}, func(Args) (any, error) { return answer(c.sync()) }),
		w(f("acceptRestore", nil, RestoreAccepted{}, func(Args) (any, error) { return answer(c.acceptRestore()) })),
		f("list", a("query", "vault"), []view.Summary{}, func(x Args) (any, error) { return answer(c.list(x.Str(0), x.Str(1), false)) }),
		f("rows", a("vault"), Rows{}, func(x Args) (any, error) { return answer(c.rows(x.Str(0))) }),
		f("find", a("query"), Found{}, func(x Args) (any, error) { return answer(c.find(x.Str(0))) }),
		f("trashed", nil, []view.Summary{}, func(Args) (any, error) { return answer(c.list("", "", true)) }),
		f("get", a("id", `"access"?`), ItemWithContent{}, func(x Args) (any, error) { return answer(c.get(x.Str(0), x.Str(1))) }),
		w(f("create", a("type", "contentJSON", "vault"), Created{}, func(x Args) (any, error) { return answer(c.create(x.Str(0), x.Str(1), x.Str(2))) })),
		w(f("update", a("id", "contentJSON", "base"), Saved{}, func(x Args) (any, error) { return answer(c.update(x.Str(0), x.Str(1), x.Num(2))) })),
		w(f("trash", a("id"), OK{}, func(x Args) (any, error) { return answer(c.trash(x.Str(0))) })),
		w(f("restore", a("id"), OK{}, func(x Args) (any, error) { return answer(c.restore(x.Str(0))) })),
		w(f("purge", a("id"), OK{}, func(x Args) (any, error) { return answer(c.purge(x.Str(0))) })),
		f("history", a("id"), []view.Version{}, func(x Args) (any, error) { return answer(c.history(x.Str(0))) }),
		w(f("rollback", a("id", "revision"), Saved{}, func(x Args) (any, error) { return answer(c.rollback(x.Str(0), x.Num(1))) })),
		w(f("restoreField", a("id", "field", "revision"), Saved{}, func(x Args) (any, error) { return answer(c.restoreField(x.Str(0), x.Str(1), x.Num(2))) })),
		f("totp", a("id"), TOTPCode{}, func(x Args) (any, error) { return answer(c.totp(x.Str(0))) }),
		f("generate", a("optionsJSON"), Generated{}, func(x Args) (any, error) { return answer(generate(x.Str(0))) }),
		f("kdfTime", a("paramsJSON"), Millis{}, func(x Args) (any, error) { return answer(kdfTime(x.Str(0))) }),
		f("account", nil, Account{}, func(Args) (any, error) { return answer(c.account()) }),
		f("password", a("current", "next", `"revoke"`), Revoked{}, func(x Args) (any, error) { return answer(c.password(x.Str(0), x.Str(1), x.Str(2))) }),
		f("kdf", a("password", "paramsJSON"), Account{}, func(x Args) (any, error) { return answer(c.kdf(x.Str(0), x.Str(1))) }),
		f("exportPolicy", nil, view.MyExportPolicy{}, func(Args) (any, error) { return answer(c.exportPolicy()) }),
		f("devices", nil, []view.Device{}, func(Args) (any, error) { return answer(c.devices()) }),
		f("signOutOthers", nil, Revoked{}, func(Args) (any, error) { return answer(c.signOutOthers()) }),
		f("endSession", a("id"), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error { return s.RevokeSession(ctx, x.Str(0)) }))
		}),
		f("vaults", nil, []view.Vault{}, func(Args) (any, error) { return answer(c.vaults()) }),
		f("recovery", nil, Recovery{}, func(Args) (any, error) { return answer(c.recovery()) }),
		f("quarantined", nil, []string{}, func(Args) (any, error) { return answer(c.quarantined()) }),
		f("enrol", a("org"), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error { return s.EnrolRecovery(ctx, x.Str(0)) }))
		}),
		f("leave", a("org"), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error { return s.LeaveRecovery(ctx, x.Str(0)) }))
		}),
		f("notices", nil, []client.Notice{}, func(Args) (any, error) { return answer(c.notices()) }),
		f("ackNotice", a("id"), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error { return s.AcknowledgeNotice(ctx, x.Str(0)) }))
		}),
		// The client core's rules, for the page to show and check with.
		f("rules", nil, RulesInfo{}, func(Args) (any, error) { return answer(rules()) }),
		f("checkAddresses", a("text"), view.Addresses{}, func(x Args) (any, error) { return answer(checkAddresses(x.Str(0))) }),
		f("checkEmail", a("email"), Email{}, func(x Args) (any, error) { return answer(checkEmail(x.Str(0))) }),
		f("checkPassword", a("password"), view.PasswordCheck{}, func(x Args) (any, error) { return answer(checkPassword(x.Str(0))) }),
		// The item types with their fields, for the type picker, the
		// list's filters and the editor; an SSH key checked as it is typed.
		f("itemTypes", nil, []view.ItemType{}, func(Args) (any, error) { return answer(view.ItemTypes(), nil) }),
		f("checkSSHKey", a("privateKey", "publicKey"), view.SSHKeyCheck{}, func(x Args) (any, error) { return answer(view.CheckSSHKey(x.Str(0), x.Str(1)), nil) }),
		f("display", a("text"), Shown{}, func(x Args) (any, error) { return answer(display(x.Str(0))) }),
		// Organisations (the same client calls as the CLI's `coffer org …`).
		f("orgs", nil, []view.Org{}, func(Args) (any, error) { return answer(c.orgs()) }),
		f("org", a("org"), view.OrgDetail{}, func(x Args) (any, error) { return answer(c.org(x.Str(0))) }),
		w(f("createOrg", a("name"), view.Org{}, func(x Args) (any, error) { return answer(c.createOrg(x.Str(0))) })),
		f("invite", a("org", "emailsJSON"), Invited{}, func(x Args) (any, error) { return answer(c.invite(x.Str(0), x)) }),
		f("reissue", a("org", "emailsJSON"), Invited{}, func(x Args) (any, error) { return answer(c.reissue(x.Str(0), x)) }),
		f("requestVerification", nil, OK{}, func(Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error { return s.RequestVerification(ctx) }))
		}),
		f("verifyEmail", a("code"), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error { return s.VerifyEmail(ctx, x.Str(0)) }))
		}),
		f("invitations", nil, []client.Invitation{}, func(Args) (any, error) { return answer(c.invitations()) }),
		f("joinStatus", a("org", "invitation"), client.JoinState{}, func(x Args) (any, error) { return answer(c.joinStatus(x.Str(0), x.Str(1))) }),
		w(f("join", a("org", "code"), Joined{}, func(x Args) (any, error) { return answer(c.join(x.Str(0), x.Str(1))) })),
		f("members", a("org"), []view.Member{}, func(x Args) (any, error) { return answer(c.members(x.Str(0))) }),
		w(f("confirm", a("org", "emailsJSON"), Done{}, onEmails(func(s *client.Session, org string, emails []string) error {
			return s.Confirm(context.Background(), org, emails)
		}))),
		f("cancelInvites", a("org", "emailsJSON"), Done{}, onEmails(func(s *client.Session, org string, emails []string) error {
			return s.Cancel(context.Background(), org, emails)
		})),
		w(f("removeMember", a("org", "email"), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error { return s.RemoveMember(ctx, x.Str(0), x.Str(1)) }))
		})),
		f("groups", a("org"), []view.Group{}, func(x Args) (any, error) { return answer(c.groups(x.Str(0))) }),
		w(f("createGroup", a("org", "name", `"private"|""`, "permission"), Created{}, func(x Args) (any, error) {
			return answer(c.createGroup(x.Str(0), x.Str(1), x.Str(2), x.Str(3)))
		})),
		w(f("addGroupMembers", a("org", "group", "emailsJSON"), Done{}, func(x Args) (any, error) { return answer(c.addGroupMembers(x)) })),
		w(f("removeGroupMember", a("org", "group", "email"), OK{}, func(x Args) (any, error) {
			return answer(c.removeGroupMember(x.Str(0), x.Str(1), x.Str(2)))
		})),
		// By ids: the owner flags groups they neither manage nor are in
		// (a member's private group), which the session holds no keys of.
		f("setGroupExportPolicy", a("orgID", "groupID", `"my-vault-only"|""`), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error {
				return s.SetGroupExportPolicy(ctx, x.Str(0), x.Str(1), x.Str(2) == api.ExportMyVaultOnly)
			}))
		}),
		w(f("setTwoFactorPolicy", a("org", `"on"|"off"`), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error {
				return s.SetTwoFactorPolicy(ctx, x.Str(0), x.Str(1) == "on")
			}))
		})),
		w(f("createVault", a("org", "name"), Created{}, func(x Args) (any, error) { return answer(c.createVault(x.Str(0), x.Str(1))) })),
		f("access", a("vault"), []client.Access{}, func(x Args) (any, error) { return answer(c.access(x.Str(0))) }),
		w(f("grant", a("vault", `"group"|"user"`, "ref", "permission"), OK{}, func(x Args) (any, error) {
			return answer(c.grant(x.Str(0), x.Str(1), x.Str(2), x.Str(3)))
		})),
		w(f("revoke", a("vault", "kind", "ref"), OK{}, func(x Args) (any, error) { return answer(c.revoke(x.Str(0), x.Str(1), x.Str(2))) })),
		w(f("share", a("item", "org", "group", "permission"), Moved{}, func(x Args) (any, error) {
			return answer(c.share(x.Str(0), x.Str(1), x.Str(2), x.Str(3)))
		})),
		w(f("move", a("item", "vault"), Moved{}, func(x Args) (any, error) { return answer(c.move(x.Str(0), x.Str(1))) })),
		w(f("leaveOrg", a("org"), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error { return s.LeaveOrg(ctx, x.Str(0)) }))
		})),
		w(f("deleteOrg", a("org", `"force"|""`), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error {
				return s.DeleteOrg(ctx, x.Str(0), x.Str(1) == "force")
			}))
		})),
		f("rotations", a("org"), view.Rotations{}, func(x Args) (any, error) { return answer(c.rotations(x.Str(0))) }),
		f("audit", a("org", "filterJSON"), AuditLog{}, func(x Args) (any, error) { return answer(c.audit(x.Str(0), x.Str(1))) }),
		f("exposure", a("org", "who"), view.ExposureReport{}, func(x Args) (any, error) { return answer(c.exposure(x.Str(0), x.Str(1))) }),
		w(f("offerOwnership", a("org", "email"), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error {
				_, err := s.OfferOwnership(ctx, x.Str(0), x.Str(1))
				return err
			}))
		})),
		w(f("withdrawOwnership", a("org"), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error { return s.WithdrawOwnershipOffer(ctx, x.Str(0)) }))
		})),
		w(f("acceptOwnership", a("org"), view.Accepted{}, func(x Args) (any, error) { return answer(c.acceptOwnership(x.Str(0))) })),
		f("deleteAccount", a("password"), Status{}, func(x Args) (any, error) { return answer(c.deleteAccount(x.Str(0))) }),
		// Two-factor log-in (docs/protocol.md §8.1).
		f("twoFactorStatus", nil, api.TwoFactorStatus{}, func(Args) (any, error) { return answer(c.twoFactorStatus()) }),
		f("twoFactorStart", a("password"), api.TwoFactorStart{}, func(x Args) (any, error) { return answer(c.twoFactorStart(x.Str(0))) }),
		f("twoFactorConfirm", a("code"), api.TwoFactorEnabled{}, func(x Args) (any, error) { return answer(c.twoFactorConfirm(x.Str(0))) }),
		f("twoFactorDisable", a("password", "code"), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error {
				return s.DisableTwoFactor(ctx, []byte(x.Str(0)), x.Str(1))
			}))
		}),
		f("twoFactorRecoveryCodes", a("password"), api.TwoFactorEnabled{}, func(x Args) (any, error) { return answer(c.twoFactorRecoveryCodes(x.Str(0))) }),
		// Security keys (docs/protocol.md §8.2); the list is in twoFactorStatus.
		f("securityKeyBegin", a("password"), api.SecurityKeyBegin{}, func(x Args) (any, error) { return answer(c.securityKeyBegin(x.Str(0))) }),
		f("securityKeyFinish", a("name", "credential"), api.SecurityKeyAdded{}, func(x Args) (any, error) { return answer(c.securityKeyFinish(x.Str(0), x.Str(1))) }),
		f("securityKeyRemove", a("password", "id"), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error {
				return s.RemoveSecurityKey(ctx, []byte(x.Str(0)), x.Str(1))
			}))
		}),
		// The Administrator Portal (instance administrators; the server
		// refuses everyone else).
		f("adminSearch", a("text"), []view.AdminUser{}, func(x Args) (any, error) { return answer(c.adminSearch(x.Str(0))) }),
		f("adminUser", a("ref"), view.AdminUserDetail{}, func(x Args) (any, error) { return answer(c.adminUser(x.Str(0))) }),
		f("adminUnbind", a("ref", "org"), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error { return s.AdminUnbind(ctx, x.Str(0), x.Str(1)) }))
		}),
		f("adminDisable", a("ref"), Revoked{}, func(x Args) (any, error) { return answer(c.adminDisable(x.Str(0))) }),
		f("adminResetTwoFactor", a("ref"), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error { return s.AdminResetSecondFactors(ctx, x.Str(0)) }))
		}),
		f("adminEnable", a("ref"), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error { return s.AdminEnable(ctx, x.Str(0)) }))
		}),
		f("adminSetExportPolicy", a("ref", `"my-vault-only"|""`), OK{}, func(x Args) (any, error) {
			return answer(c.act(func(ctx context.Context, s *client.Session) error {
				return s.AdminSetExportPolicy(ctx, x.Str(0), x.Str(1) == api.ExportMyVaultOnly)
			}))
		}),
		f("exportPlan", nil, view.ExportPlan{}, func(Args) (any, error) { return answer(c.exportPlan()) }),
		f("importPlan", nil, view.ImportPlan{}, func(Args) (any, error) { return answer(c.importPlan()) }),
		// Bytes and callbacks: cmd/coffer-web calls the typed methods.
		{Name: "exportDocument", Args: a("vaultsJSON", "format", `"history"|""`, "progress"), Result: "", Glue: true},
		{Name: "importDocument", Args: a("vault", "bytes", `"dry"|""`, "progress"), Result: view.ImportReport{}, Glue: true, Writes: true},
		{Name: "attach", Args: a("id", "itemName", "fileName", "bytes", "progress", "vault"), Result: Created{}, Glue: true},
		{Name: "download", Args: a("id", "fileID"), Result: "", Glue: true},
		{Name: "watch", Args: a("callback"), Result: client.Change{}, Glue: true},
	}
}

// Call runs function name with args; a function that writes saves the
// device cache and marks after (even when it failed: part of a batch may
// have gone through).
func (c *Core) Call(name string, args Args) (any, error) {
	c.tableOnce.Do(func() {
		c.table = map[string]Func{}
		for _, fn := range c.Funcs() {
			c.table[fn.Name] = fn
		}
	})
	fn, ok := c.table[name]
	switch {
	case !ok:
		return nil, fmt.Errorf("the bridge has no function %q", name)
	case fn.Glue:
		return nil, fmt.Errorf("%s passes bytes or callbacks: call its method", name)
	}
	out, err := fn.call(args)
	if fn.Writes {
		if s, serr := c.Session(); serr == nil {
			c.persist(s)
		}
	}
	return out, err
}
