import { screen, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { core, CoreError, type ExposureReport } from '../core';
import { org, renderInApp } from '../test/app';
import { ExposurePage } from './ExposurePage';

vi.mock('../core', async (importOriginal) => (await import('../test/fakeCore')).fakeCore(await importOriginal()));

const report: ExposureReport = {
  org: 'Acme', email: 'bob@acme.example', notice: 'These are the items they could read when they lost access.', hidden_note: 'you cannot open: ask',
  records: [{
    how: 'removed', how_text: 'removed from the organisation', at: '2025-02-03T04:05:06Z', hidden: 2,
    vaults: [{ id: 'v-eng', label: 'Acme/Eng', hidden: 0 }, { id: 'v-priv', label: '', hidden: 2 }],
    items: [
      { id: 'i1', name: 'GitHub', type: 'login', vault_id: 'v-eng', vault: 'Acme/Eng', revision: 3, changed: '2025-01-01T00:00:00Z', updated: '2025-01-01T00:00:00Z', trashed: false, changed_since: true },
      { id: 'i2', name: 'AWS root', type: 'login', vault_id: 'v-eng', vault: 'Acme/Eng', revision: 1, changed: '2025-01-01T00:00:00Z', updated: '2025-01-01T00:00:00Z', trashed: false, changed_since: false, moved_to: 'Acme/Ops' },
    ],
  }],
};

describe('ExposurePage', () => {
  it('shows the core’s notice, each record, the items it names and the count it cannot', async () => {
    vi.mocked(core.exposure).mockResolvedValue(report);
    renderInApp(<ExposurePage org={org()} who="bob@acme.example" />);
    expect(await screen.findByRole('note')).toHaveProperty('textContent', report.notice);
    expect(core.exposure).toHaveBeenCalledWith('o-acme', 'bob@acme.example');
    expect(screen.getByRole('heading', { name: 'What bob@acme.example could read' })).toBeTruthy();
    const rec = screen.getByRole('article');
    expect(within(rec).getByRole('heading', { level: 3 }).textContent).toMatch(/^removed from the organisation — /);
    const rows = within(rec).getAllByRole('row').slice(1).map((r) => r.textContent);
    expect(rows[0]).toMatch(/^GitHubAcme\/Englogin.*changed since$/);
    expect(rows[1]).toMatch(/^AWS rootAcme\/Englogin.*moved to Acme\/Ops$/);
    expect(within(rec).getByText(/and 2 item\(s\) you cannot open: ask/).textContent).toMatch(/^v-priv: /);
  });

  it('says when they lost access to nothing', async () => {
    vi.mocked(core.exposure).mockResolvedValue({ ...report, records: [] });
    renderInApp(<ExposurePage org={org()} who="bob@acme.example" />);
    expect(await screen.findByText(/has not lost access to anything in Acme/)).toBeTruthy();
  });

  it('says an error in words', async () => {
    vi.mocked(core.exposure).mockRejectedValue(new CoreError('"zed@x" is neither a member nor a former member of the organisation: not found', 'not-found'));
    renderInApp(<ExposurePage org={org()} who="zed@x" />);
    expect((await screen.findByRole('alert')).textContent).toMatch(/neither a member nor a former member/);
  });
});
