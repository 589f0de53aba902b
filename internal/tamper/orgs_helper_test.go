package tamper_test

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/tamper"
)

// ownerOrgs fetches GET /orgs as the owner (so the harness can capture it).
func ownerOrgs(h *tamper.Harness, s *client.Session) ([]any, error) {
	req, _ := http.NewRequest("GET", h.URL+"/api/v1/orgs", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out []any
	return out, json.Unmarshal(data, &out)
}
