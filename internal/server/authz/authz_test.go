package authz

import (
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

func TestAllows(t *testing.T) {
	want := map[store.Permission][3]bool{
		store.PermNone:   {false, false, false},
		store.PermView:   {true, false, false},
		store.PermEdit:   {true, true, false},
		store.PermManage: {true, true, true},
	}
	for p, w := range want {
		for a, ok := range w {
			if got := Allows(p, Action(a)); got != ok {
				t.Errorf("Allows(%v, %d) = %v, want %v", p, a, got, ok)
			}
		}
		if Allows(p, ManageVault) != w[2] {
			t.Errorf("Allows(%v, ManageVault) = %v, want %v (as managing grants)", p, !w[2], w[2])
		}
	}
}

func TestAllowsOrg(t *testing.T) {
	everyone := []OrgAction{SeeOrg, CreatePrivateGroup, Invite, ConfirmMembers, RemoveMembers, CreateOrgGroup, CreateOrgVault, SeeInvitations}
	for _, a := range append(everyone, ManageRecovery, ManageOrg, ReadAudit, ReadExposure, TransferOwnership, SetTwoFactorPolicy, SeeTwoFactor) {
		if !AllowsOrg(store.RoleOwner, a) {
			t.Errorf("owner refused %d", a)
		}
		if AllowsOrg("", a) {
			t.Errorf("non-member allowed %d", a)
		}
		memberOK := a == SeeOrg || a == CreatePrivateGroup
		if AllowsOrg(store.RoleMember, a) != memberOK {
			t.Errorf("member: %d allowed = %v", a, !memberOK)
		}
	}
	if !AllowsOrg(store.RoleMember, EnrolRecovery) || AllowsOrg(store.RoleOwner, EnrolRecovery) || AllowsOrg("", EnrolRecovery) {
		t.Error("only a member who is not the owner enrols in recovery")
	}
}
