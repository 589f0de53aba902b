import { Plus } from 'lucide';
import { useState } from 'preact/hooks';
import { core, type OrgDetail } from '../core';
import { useApp } from '../shell/AppState';
import { Dialog } from '../ui/Dialog';
import { EmptyState } from '../ui/EmptyState';
import { ErrorLine } from '../ui/ErrorLine';
import { useAction } from '../ui/useAction';
import { Field } from '../ui/Field';
import { Icon } from '../ui/Icon';
import { VaultAccess } from './VaultAccess';

// Vaults: the organisation's vaults this account can open, and — where it
// manages one — who can open it, with what permission.
export function Vaults(props: { detail: OrgDetail; reload: () => void }) {
  const app = useApp();
  const org = props.detail.org;
  const owner = org.can_create_vault;
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const { note, error, act } = useAction(props.reload);
  return (
    <section aria-labelledby="vaults-title">
      <div class="section-head">
        <h2 id="vaults-title">Vaults</h2>
        {owner ? <button type="button" class="primary" onClick={() => setCreating(true)}><Icon icon={Plus} /> New vault</button> : null}
      </div>
      {note ? <p role="status" class="note">{note}</p> : null}
      <ErrorLine error={error} />
      {props.detail.vaults.length === 0 ? <EmptyState title="No vaults you can open" text={owner ? 'A vault holds the items a team shares: make one, then give groups or people access to it.' : 'When someone gives you access to a vault of this organisation, it appears here and in Passwords.'} /> : (
        <ul class="cards">
          {props.detail.vaults.map((v) => <VaultAccess key={v.id} vault={v} detail={props.detail} me={app.status.email ?? ''} act={act} />)}
        </ul>
      )}
      {creating ? (
        <Dialog title="New vault" onClose={() => setCreating(false)}>
          <form class="stack" onSubmit={(e) => { e.preventDefault(); void act(async () => { await core.createVault(org.id, name); setName(''); setCreating(false); }, `Vault ${name} created.`); }}>
            <Field label="Vault name" id="vault-name" value={name} onInput={setName} required autofocus />
            <p class="muted">Only you can open it at first; give groups or people access next.</p>
            <div class="actions end"><button type="button" onClick={() => setCreating(false)}>Cancel</button><button type="submit" class="primary">Create the vault</button></div>
          </form>
        </Dialog>
      ) : null}
    </section>
  );
}
