package server

import (
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store"
)

func revisionToAPI(r store.Revision) api.Revision {
	return api.Revision{Revision: r.Revision, VaultID: r.VaultID, OrgID: r.OrgID, KeyEpoch: r.KeyEpoch, Type: r.Type, AuthorID: r.AuthorID,
		Time: r.Time, PrevHash: r.PrevHash, Blob: r.Blob, Sig: r.Sig, CreatedAt: r.CreatedAt}
}

func itemToAPI(st store.ItemState) api.Item {
	out := api.Item{ID: st.ID, VaultID: st.VaultID, Type: st.Type, Head: st.Head, Trashed: st.Trashed,
		CreatedAt: st.CreatedAt, UpdatedAt: st.UpdatedAt, Seq: st.Seq, HeadRevision: revisionToAPI(st.HeadRevision),
		KeyWraps: make([]api.ItemKeyWrap, 0, len(st.KeyWraps))}
	if st.Trashed {
		t := st.TrashedAt
		out.TrashedAt = &t
	}
	for _, w := range st.KeyWraps {
		out.KeyWraps = append(out.KeyWraps, api.ItemKeyWrap{KeyVault: w.KeyVault, KeyEpoch: w.KeyEpoch, WrapVault: w.WrapVault, WrapEpoch: w.WrapEpoch, Wrap: w.Wrap})
	}
	return out
}

func vaultToAPI(v store.VaultAccess) api.Vault {
	out := api.Vault{ID: v.ID, Kind: v.Kind, OrgID: v.OrgID, OwnerID: v.OwnerID, CreatorID: v.CreatorID, Meta: v.Meta, Epoch: v.Epoch, Permission: v.Permission.String(),
		Wraps: make([]api.VaultKeyWrap, 0, len(v.Wraps))}
	for _, w := range v.Wraps {
		out.Wraps = append(out.Wraps, api.VaultKeyWrap{VaultID: w.VaultID, Epoch: w.Epoch, RecipientKind: w.RecipientKind,
			RecipientID: w.RecipientID, SignerID: w.SignerID, Wrap: w.Wrap, Sig: w.Sig})
	}
	return out
}

func manifestToAPI(m store.Manifest) *api.Manifest {
	return &api.Manifest{VaultID: m.VaultID, Version: m.Version, Count: m.Count, ItemsHash: m.ItemsHash, SignerID: m.SignerID, Time: m.Time, Sig: m.Sig}
}
