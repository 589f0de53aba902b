import { Archive, Trash2 } from 'lucide';
import type { ComponentChild } from 'preact';
import type { VaultInfo } from '../core';
import { Icon } from '../ui/Icon';
import { Link } from '../shell/Link';
import { href } from '../shell/routes';

// breakable lets ORG/VAULT wrap after the slash, not inside a word.
function breakable(label: string): ComponentChild {
  const i = label.indexOf('/');
  return i < 0 ? label : [label.slice(0, i + 1), <wbr />, label.slice(i + 1)];
}

// sortVaults puts My Vault first, then the others by name.
export function sortVaults(vs: VaultInfo[]): VaultInfo[] {
  return [...vs].sort((a, b) => (a.kind === 'personal' ? -1 : b.kind === 'personal' ? 1 : a.label.localeCompare(b.label)));
}

// VaultsPane: every vault this account can open, and the trash.
export function VaultsPane(props: { vaults: VaultInfo[]; current: string; trash: boolean }) {
  return (
    <nav class="vaults-pane" aria-label="Vaults">
      <h2 class="pane-title">Vaults</h2>
      <ul>
        {[{ id: '', label: 'All vaults' } as VaultInfo, ...sortVaults(props.vaults)].map((v) => (
          <li key={v.id}>
            <Link href={href({ screen: 'vault', vault: v.id, item: '', mode: 'view' })} class="vault" current={!props.trash && props.current === v.id}>
              <Icon icon={Archive} /><span>{breakable(v.label)}</span>
            </Link>
          </li>
        ))}
        <li><Link href="/vault/trash" class="vault" current={props.trash}><Icon icon={Trash2} /><span>Trash</span></Link></li>
      </ul>
    </nav>
  );
}
