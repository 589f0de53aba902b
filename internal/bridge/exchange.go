package bridge

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/coffer-pm/coffer/client/exchange"
	"github.com/coffer-pm/coffer/client/view"
)

// Tools → Export and Tools → Import (docs/protocol.md §19, docs/web.md).
// The core speaks Coffer JSON only: an export leaves it as a Coffer JSON
// document, which the page hands to the tools module (cmd/coffer-tools,
// loaded then) to write another format; an import takes the Coffer JSON
// document the tools module made of the person's file. Which vaults may
// go, the audit record, what is checked and created are the core's, as
// in `coffer export` and `coffer import`.

func (c *Core) exportPlan() (view.ExportPlan, error) {
	s, err := c.Session()
	if err != nil {
		return view.ExportPlan{}, err
	}
	return view.ExportPlanOf(context.Background(), s)
}

func (c *Core) importPlan() (view.ImportPlan, error) {
	s, err := c.Session()
	if err != nil {
		return view.ImportPlan{}, err
	}
	return view.ImportPlanOf(s), nil
}

// ExportDocument writes vaultIDs (none: every vault the export policy
// allows) as a Coffer JSON document for an export in format: recorded in
// each organisation's audit log first (the server refuses what the
// policy does not allow, and then nothing is written); attachments'
// bytes only when format carries them; earlier versions with history.
// progress(done, total) follows the items.
func (c *Core) ExportDocument(vaultIDs []string, format string, history bool, progress func(done, total int)) ([]byte, error) {
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	if !knownFormat(exchange.ExportFormats, format) {
		return nil, errors.New("unknown export format " + format)
	}
	policy, err := s.ExportPolicy(ctx)
	if err != nil {
		return nil, err
	}
	vaults, _, err := exchange.ExportVaults(s, vaultIDs, policy)
	if err != nil {
		return nil, err
	}
	if len(vaults) == 0 {
		return nil, errors.New("no vault to export")
	}
	if err := exchange.RecordExport(ctx, s, vaults, format); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w, err := exchange.NewWriter(&buf, exchange.ExportHeader(s, vaults))
	if err != nil {
		return nil, err
	}
	due := every(progressEvery)
	tell := func(done, total int) {
		if progress != nil && (done == total || due()) {
			progress(done, total)
		}
	}
	if _, err := exchange.Export(ctx, s, vaults, exchange.ExportOptions{History: history, Policy: policy, Progress: tell}, w, exchange.CarriesFiles(format)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ImportDocument creates the items of doc, a Coffer JSON document, in
// vault vaultID (My Vault when ""): through the batch create, each entry
// whole or not at all, every skipped one said; dry, it only checks and
// counts. progress(done) follows the entries.
func (c *Core) ImportDocument(vaultID string, doc []byte, dry bool, progress func(done int)) (view.ImportReport, error) {
	s, err := c.Session()
	if err != nil {
		return view.ImportReport{}, err
	}
	if !dry {
		defer c.persist(s)
	}
	if vaultID, err = targetVault(s, vaultID); err != nil {
		return view.ImportReport{}, err
	}
	v, err := s.FindVault(vaultID)
	if err != nil {
		return view.ImportReport{}, err
	}
	src, err := exchange.NewReader(bytes.NewReader(doc))
	if err != nil {
		return view.ImportReport{}, err
	}
	due := every(progressEvery)
	tell := func(done int) {
		if progress != nil && due() {
			progress(done)
		}
	}
	res, err := exchange.Import(context.Background(), s, v, src, exchange.ImportOptions{DryRun: dry, Progress: tell})
	if err != nil {
		return view.ImportReport{}, err
	}
	return view.ImportReportOf(res, v), nil
}

// progressEvery is how often a long export or import tells the page how
// far it is: each call renders the page, which at one call per item costs
// more than the work it reports (an import of 10,000 took 3 times longer).
const progressEvery = 100 * time.Millisecond

// every answers true at its first call and then at most once every d.
func every(d time.Duration) func() bool {
	var last time.Time
	return func() bool {
		now := time.Now()
		if now.Sub(last) < d {
			return false
		}
		last = now
		return true
	}
}

func knownFormat(formats []string, f string) bool {
	for _, x := range formats {
		if x == f {
			return true
		}
	}
	return false
}
