import type { Org } from '../core';
import { navigate } from './router';
import { href, type OrgTab } from './routes';

// OrgSwitcher picks the organisation the navigation's pages are about;
// the page stays the same kind (Members of one → Members of the other).
export function OrgSwitcher(props: { orgs: Org[]; current: Org; tab: OrgTab }) {
  if (props.orgs.length < 2) return <p class="org-name">{props.current.name}</p>;
  return (
    <div class="field compact">
      <label for="org-switch" class="sr-only">Organisation</label>
      <select id="org-switch" value={props.current.id}
        onChange={(e) => {
          const id = (e.target as HTMLSelectElement).value;
          localStorage.setItem('coffer.org', id);
          navigate(href({ screen: 'org', org: id, tab: props.tab }));
        }}>
        {props.orgs.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
      </select>
    </div>
  );
}
