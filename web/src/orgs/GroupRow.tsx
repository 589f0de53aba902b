import { X } from 'lucide';
import { useState } from 'preact/hooks';
import { core, TEXTS, type Group, type OrgDetail } from '../core';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { Icon } from '../ui/Icon';
import { opensText } from './useOrgData';

const PERMS = ['view', 'edit', 'manage'];

// GroupRow is one group: who is in it (its manager adds and removes), what
// it can open, whether its members may export only My Vault (the owner
// switches it, after a dialog that says what it does and cannot do), and
// — where the core says this account may — access to give it.
export function GroupRow(props: { detail: OrgDetail; group: Group; act: (what: () => Promise<unknown>, done: string) => Promise<void>; changed: (note: string) => void }) {
  const g = props.group;
  const org = props.detail.org;
  const manageable = props.detail.vaults.filter((v) => v.can_manage);
  const [adding, setAdding] = useState('');
  const [giveVault, setGiveVault] = useState(manageable[0]?.id ?? '');
  const [givePerm, setGivePerm] = useState(g.default_permission);
  const opens = opensText(g.opens);
  const [askingExport, setAskingExport] = useState(false);
  return (
    <li class="card group">
      <div class="group-head">
        <h3>{g.name}</h3>
        <span class="muted">{g.private ? `private group of ${g.manager}` : 'organisation group'} · default {g.default_permission}</span>
        {g.export_my_vault_only ? <span class="badge warn">Export: My Vault only</span> : null}
      </div>
      <p class="muted opens">{opens ? `Opens: ${opens}` : 'Opens no vault yet.'}</p>
      {g.can_set_export_policy ? (
        // The box only asks: the dialog changes the policy (preventDefault
        // keeps the box as the policy is until then).
        <label class="export-policy">
          <input type="checkbox" aria-label={`Allow export of My Vault only for ${g.name}`} checked={g.export_my_vault_only} onClick={(e) => { e.preventDefault(); setAskingExport(true); }} />
          Allow export of My Vault only
        </label>
      ) : null}
      <ul class="chips" aria-label={`Members of ${g.name}`}>
        {g.members.map((m) => (
          <li key={m}>{m}
            {g.can_remove_members && m !== g.manager ? <button type="button" class="chip-x" aria-label={`Remove ${m} from ${g.name}`} onClick={() => props.act(() => core.removeGroupMember(org.id, g.id, m), `${m} left ${g.name}.`)}><Icon icon={X} size={14} /></button> : null}
          </li>
        ))}
      </ul>
      {g.can_add_members ? (
        // Several addresses at once (comma, semicolon or space between
        // them): the browser would refuse them as one e-mail address, so
        // the client core checks them instead.
        <form class="inline" noValidate onSubmit={(e) => {
          e.preventDefault();
          const v = adding.trim();
          if (v) void props.act(async () => { await core.addGroupMembers(org.id, g.id, v.split(/[\s,;]+/).filter(Boolean)); setAdding((cur) => (cur === v ? '' : cur)); }, `Added ${v} to ${g.name}.`);
        }}>
          <label for={`add-${g.id}`} class="sr-only">Add to {g.name} (registered e-mail)</label>
          <input id={`add-${g.id}`} type="email" list="roster" placeholder="e-mail of a member" value={adding} onInput={(e) => setAdding((e.target as HTMLInputElement).value)} />
          <button type="submit" class="small">Add to {g.name}</button>
        </form>
      ) : null}
      {g.can_grant && manageable.length ? (
        <form class="inline" onSubmit={(e) => {
          e.preventDefault();
          const v = manageable.find((x) => x.id === giveVault) ?? manageable[0];
          void props.act(() => core.grant(v.id, 'group', g.id, givePerm), `${g.name} can now ${givePerm} ${v.name}.`);
        }}>
          <label for={`give-${g.id}`}>Give {g.name} access to</label>
          <select id={`give-${g.id}`} value={giveVault} onChange={(e) => setGiveVault((e.target as HTMLSelectElement).value)}>{manageable.map((v) => <option key={v.id} value={v.id}>{v.name}</option>)}</select>
          <label for={`giveperm-${g.id}`} class="sr-only">Permission of {g.name}</label>
          <select id={`giveperm-${g.id}`} value={givePerm} onChange={(e) => setGivePerm((e.target as HTMLSelectElement).value)}>{PERMS.map((p) => <option key={p} value={p}>{p}</option>)}</select>
          <button type="submit" class="small" aria-label={`Give ${g.name} access`}>Give access</button>
        </form>
      ) : null}
      {askingExport ? (g.export_my_vault_only ? (
        <ConfirmDialog title={`Let ${g.name} export everything?`} action="Allow export of everything" onClose={() => setAskingExport(false)}
          text={`The members of ${g.name} may again export the vaults of ${org.name} they can read. The change is in the audit log.`}
          onConfirm={async () => { await core.setGroupExportPolicy(org.id, g.id, false); props.changed(`${g.name} allows export of everything again.`); }} />
      ) : (
        <ConfirmDialog title={`Allow ${g.name} to export My Vault only?`} action="Allow export of My Vault only" onClose={() => setAskingExport(false)}
          text={`${TEXTS.export_group} ${TEXTS.export_limits}`}
          onConfirm={async () => { await core.setGroupExportPolicy(org.id, g.id, true); props.changed(`${g.name} now allows export of My Vault only.`); }} />
      )) : null}
    </li>
  );
}
