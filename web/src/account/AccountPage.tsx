import { Link } from '../shell/Link';
import type { AccountTab } from '../shell/routes';
import { Profile } from './Profile';
import { Recovery } from './Recovery';
import { Security } from './Security';
import { Devices } from './Devices';

const tabs: [AccountTab, string][] = [['profile', 'Profile'], ['security', 'Security'], ['devices', 'Devices'], ['recovery', 'Recovery']];

// AccountPage: this account's profile, security (master password, key
// derivation), signed-in devices and account recovery, one page each.
export function AccountPage(props: { tab: AccountTab; onLogout: () => void }) {
  return (
    <div class="account-page">
      <nav class="tabs" aria-label="Account pages">
        {tabs.map(([t, label]) => <Link key={t} href={`/account/${t}`} current={props.tab === t} class="tab">{label}</Link>)}
      </nav>
      {props.tab === 'profile' ? <Profile onLogout={props.onLogout} />
        : props.tab === 'security' ? <Security onDeleted={props.onLogout} />
        : props.tab === 'devices' ? <Devices />
        : <Recovery />}
    </div>
  );
}
