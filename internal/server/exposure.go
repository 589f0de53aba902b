package server

import (
	"net/http"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/server/authz"
)

// exposure answers GET /orgs/{org}/exposure/{user}: the owner's read of
// what a person could read each time they lost access (docs/protocol.md
// §18.6), newest first. Members get 403, anyone else 404 (orgFor). A
// person with no record gets an empty list: whether they were ever a
// member is the roster's to say, which the owner holds anyway.
func (s *Server) exposure(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.ReadExposure)
	if err != nil {
		return err
	}
	userID := r.PathValue("user")
	if err := checkID("user id", userID); err != nil {
		return err
	}
	list, err := s.store.Exposures(r.Context(), o.ID, userID)
	if err != nil {
		return err
	}
	out := api.Exposures{Records: make([]api.Exposure, 0, len(list))}
	for _, e := range list {
		x := api.Exposure{UserID: e.UserID, How: e.How, At: e.At, Vaults: e.Vaults, Items: make([]api.ExposedItem, 0, len(e.Items))}
		if x.Vaults == nil {
			x.Vaults = []string{}
		}
		for _, it := range e.Items {
			item := api.ExposedItem{ItemID: it.ItemID, VaultID: it.VaultID, Revision: it.Revision, Time: int64(it.TimeMS), UpdatedAt: it.UpdatedAt}
			if !it.TrashedAt.IsZero() {
				t := it.TrashedAt
				item.TrashedAt = &t
			}
			x.Items = append(x.Items, item)
		}
		out.Records = append(out.Records, x)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
