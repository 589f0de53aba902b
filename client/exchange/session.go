package exchange

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/coffer-pm/coffer/client"
)

// ExportOptions say what an export holds.
type ExportOptions struct {
	// Vaults are vault references (names or ids); none means My Vault and
	// every vault this account can read.
	Vaults []string
	// History adds every earlier version of each item — but none written
	// in an organisation's vault that Policy holds back (an item moved
	// into My Vault keeps its earlier revisions from there).
	History bool
	Policy  client.ExportPolicy
	// Progress, if set, is called after each item with the count so far.
	Progress func(done, total int)
}

// Summary says what an export or an import did.
type Summary struct {
	Vaults int            `json:"vaults"`
	Items  int            `json:"items"`
	Files  int            `json:"files"`
	ByType map[string]int `json:"by_type"`
}

// Count adds an item of type typ with files attachments.
func (s *Summary) Count(typ string, files int) {
	if s.ByType == nil {
		s.ByType = map[string]int{}
	}
	s.Items++
	s.ByType[typ]++
	s.Files += files
}

// ExportVaults resolves what an export of refs takes under the account's
// export policy: every vault this account can read that the policy
// allows when refs is empty (left, those it holds back), else the vaults
// named — one the policy does not allow is client.ErrExportRestricted.
func ExportVaults(s *client.Session, refs []string, policy client.ExportPolicy) (chosen, left []*client.Vault, err error) {
	if len(refs) == 0 {
		for _, v := range s.Vaults() {
			if policy.Allows(v) {
				chosen = append(chosen, v)
			} else {
				left = append(left, v)
			}
		}
		return chosen, left, nil
	}
	seen := map[string]bool{}
	for _, ref := range refs {
		v, err := s.FindVault(ref)
		if err != nil {
			return nil, nil, err
		}
		if !policy.Allows(v) {
			return nil, nil, fmt.Errorf("%w (%s)", client.ErrExportRestricted, v.Label())
		}
		if !seen[v.ID] {
			seen[v.ID] = true
			chosen = append(chosen, v)
		}
	}
	return chosen, nil, nil
}

// RecordExport writes the export of vaults in each organisation's audit
// log (who, which vaults, format) before anything is written; the server
// refuses what the policy does not allow, and then nothing is.
func RecordExport(ctx context.Context, s *client.Session, vaults []*client.Vault, format string) error {
	byOrg := map[string][]string{}
	var orgs []string
	for _, v := range vaults {
		if v.Kind != "org" {
			continue
		}
		if _, ok := byOrg[v.OrgID]; !ok {
			orgs = append(orgs, v.OrgID)
		}
		byOrg[v.OrgID] = append(byOrg[v.OrgID], v.ID)
	}
	for _, org := range orgs {
		if err := s.RecordExport(ctx, org, byOrg[org], format); err != nil {
			return err
		}
	}
	return nil
}

// ItemWriter is an export format's writer.
type ItemWriter interface {
	Write(Item) error
	Close() error
}

// ExportHeader says who exports vaults, now: what every format's writer
// starts with.
func ExportHeader(s *client.Session, vaults []*client.Vault) Header {
	h := Header{ExportedAt: time.Now().UTC(), ExportedBy: s.Profile.Email, Vaults: []Vault{}}
	for _, v := range vaults {
		h.Vaults = append(h.Vaults, Vault{ID: v.ID, Name: v.Name, Kind: v.Kind, Organisation: v.OrgName})
	}
	return h
}

// Export writes the items of vaults (not the trash) to ew, begun with
// ExportHeader(s, vaults): with their attachments' bytes when withFiles
// (the format carries them) and, with opt.History, their earlier
// versions. It closes ew.
func Export(ctx context.Context, s *client.Session, vaults []*client.Vault, opt ExportOptions, ew ItemWriter, withFiles bool) (Summary, error) {
	ids := make([]string, len(vaults))
	for i, v := range vaults {
		ids[i] = v.ID
	}
	sum := Summary{Vaults: len(vaults)}
	// Only the chosen vaults' items are opened: with a device cache,
	// Items would decrypt every item held to export one vault's.
	mine, err := s.VaultItems(false, ids...)
	if err != nil {
		return sum, err
	}
	for i, it := range mine {
		out := Item{ID: it.ID, Vault: it.VaultID, Type: it.Type, Updated: it.UpdatedAt, Content: it.Content}
		for _, att := range it.Content.Files {
			if !withFiles {
				break
			}
			var buf bytes.Buffer
			if err := s.DownloadFile(ctx, att, &buf); err != nil {
				return sum, fmt.Errorf("attachment %q of %q: %w", att.Name, it.Content.Name, err)
			}
			out.Files = append(out.Files, File{Name: att.Name, Size: att.Size, SHA256: att.SHA256, Data: buf.Bytes()})
		}
		if opt.History {
			versions, err := s.History(ctx, it)
			if err != nil {
				return sum, fmt.Errorf("history of %q: %w", it.Content.Name, err)
			}
			for _, v := range versions {
				if v.Revision == it.Revision {
					continue // the item itself
				}
				if v.OrgID != "" && !opt.Policy.Allows(&client.Vault{Kind: "org", OrgID: v.OrgID}) {
					continue
				}
				author := s.PersonEmail(v.AuthorID)
				if v.AuthorID == s.Profile.UserID {
					author = s.Profile.Email // in no roster when it is My Vault
				}
				out.History = append(out.History, Version{Revision: v.Revision, Time: v.Time, Author: author, Content: v.Content})
			}
		}
		if err := ew.Write(out); err != nil {
			return sum, err
		}
		sum.Count(it.Type, len(out.Files))
		if opt.Progress != nil {
			opt.Progress(i+1, len(mine))
		}
	}
	return sum, ew.Close()
}

// ImportOptions say how an import runs.
type ImportOptions struct {
	// DryRun reads and checks everything and creates nothing.
	DryRun bool
	// Progress, if set, is called as items are created (or, dry, checked).
	Progress func(done int)
}

// Skipped is an entry an import left out, and why.
type Skipped struct {
	Entry  string `json:"entry"` // its name, or its place in the file
	Reason string `json:"reason"`
}

// ImportResult says what an import created (or, dry, would create).
type ImportResult struct {
	Summary
	DryRun  bool      `json:"dry_run"`
	Skipped []Skipped `json:"skipped"`
	// Duplicates counts entries like an item the vault already held (same
	// type, name, user name and first URL): imported again, and said.
	Duplicates int `json:"duplicates"`
}

// Source gives the entries of a file one at a time (io.EOF after the
// last); Coffer JSON's Reader is one.
type Source interface {
	Next() (Item, error)
}

// Import creates every entry of src in vault v, through the batch create
// (500 a request), each entry whole or not at all: an entry that cannot
// be created is skipped and said, the others go on. Attachments are
// uploaded first; history is not re-created (a history is its authors'
// signed word; the import is the importer's).
func Import(ctx context.Context, s *client.Session, v *client.Vault, src Source, opt ImportOptions) (ImportResult, error) {
	res := ImportResult{DryRun: opt.DryRun, Skipped: []Skipped{}}
	res.Vaults = 1
	if !v.Writable() {
		return res, fmt.Errorf("%w: you can only view %s", client.ErrNotAllowed, v.Label())
	}
	existing := map[string]bool{}
	for _, sm := range s.Search(false, v.ID, "") {
		existing[dupKey(sm.Type, sm.Name, sm.Username, sm.URLs)] = true
	}
	var batch []client.NewItem
	flush := func() error {
		if len(batch) == 0 || opt.DryRun {
			batch = batch[:0]
			return nil
		}
		if _, err := s.CreateItems(ctx, v.ID, batch); err != nil {
			return err
		}
		batch = batch[:0]
		return nil
	}
	for n := 1; ; n++ {
		it, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return res, fmt.Errorf("entry %d: %w", n, err)
		}
		name := it.Content.Name
		if name == "" {
			name = fmt.Sprintf("entry %d", n)
		}
		c := it.Content
		c.Files, c.Change = nil, nil
		if err := client.CheckNewItem(it.Type, &c); err != nil {
			res.Skipped = append(res.Skipped, Skipped{Entry: name, Reason: err.Error()})
			continue
		}
		var uri []string
		if c.Login != nil {
			uri = c.Login.URLs
		}
		// As the list says it (Search's Username): an identity's name and
		// e-mail, a key's fingerprint, so a second import of one is seen.
		user := c.ListUsername()
		if existing[dupKey(it.Type, c.Name, user, uri)] {
			res.Duplicates++
		}
		existing[dupKey(it.Type, c.Name, user, uri)] = true
		if !opt.DryRun {
			for _, f := range it.Files {
				att, err := s.UploadFile(ctx, v.ID, f.Name, bytes.NewReader(f.Data), int64(len(f.Data)))
				if err != nil {
					return res, fmt.Errorf("attachment %q of %q: %w", f.Name, name, err)
				}
				c.Files = append(c.Files, att)
			}
		}
		if it.Type == "file" || len(c.Files) > 0 || len(it.Files) > 0 {
			// An item with files is created on its own (the batch create
			// takes none: the server ties each file to its item).
			if err := flush(); err != nil {
				return res, err
			}
			if !opt.DryRun {
				if _, err := s.CreateItem(ctx, v.ID, it.Type, c); err != nil {
					return res, fmt.Errorf("%q: %w", name, err)
				}
			}
		} else {
			batch = append(batch, client.NewItem{Type: it.Type, Content: c})
			if len(batch) == 500 {
				if err := flush(); err != nil {
					return res, err
				}
			}
		}
		res.Count(it.Type, len(it.Files))
		if opt.Progress != nil {
			opt.Progress(res.Items)
		}
	}
	return res, flush()
}

func dupKey(typ, name, user string, urls []string) string {
	first := ""
	if len(urls) > 0 {
		first = urls[0]
	}
	return typ + "\x00" + name + "\x00" + user + "\x00" + first
}
