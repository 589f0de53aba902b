import { useEffect, useState } from 'preact/hooks';
import { core, message, type ExposureReport, type Org } from '../core';
import { useApp } from '../shell/AppState';
import { Link } from '../shell/Link';
import { href } from '../shell/routes';
import { ErrorLine } from '../ui/ErrorLine';

const when = (t: string) => new Date(t).toLocaleString();

// ExposurePage (the owner's, a page of Settings) shows what a member or
// former member could read each time they lost access: the core's notice,
// then per record how and when, the items it can name (the passwords to
// change) and how many it cannot, per vault.
export function ExposurePage(props: { org: Org; who: string }) {
  const app = useApp();
  const [r, setR] = useState<ExposureReport | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    core.exposure(props.org.id, props.who).then((x) => { if (live) { setR(x); setError(''); } }, (e) => { if (live) { setR(null); setError(message(e)); } });
    return () => { live = false; };
  }, [props.org.id, props.who, app.tick]);
  return (
    <section class="exposure stack-page" aria-labelledby="exposure-title">
      <p><Link href={href({ screen: 'org', org: props.org.id, tab: 'settings' })}>← Settings</Link></p>
      <h2 id="exposure-title">What {props.who} could read</h2>
      <ErrorLine error={error} />
      {!r ? (error ? null : <p class="muted">Opening…</p>) : (
        <>
          <p class="callout" role="note">{r.notice}</p>
          {r.records.length === 0 ? <p class="muted">{r.email} has not lost access to anything in {r.org}: nothing to change.</p> : r.records.map((e, i) => (
            <article class="card" key={i} aria-label={`${e.how_text}, ${when(e.at)}`}>
              <h3>{e.how_text} <span class="muted">— {when(e.at)}</span></h3>
              {e.items.length > 0 ? (
                <table class="table exposed">
                  <thead><tr><th scope="col">Item</th><th scope="col">Vault</th><th scope="col">Type</th><th scope="col">Last changed</th><th scope="col">Since</th></tr></thead>
                  <tbody>
                    {e.items.map((it) => (
                      <tr key={it.id}>
                        <td data-label="Item"><strong>{it.name}</strong></td>
                        <td data-label="Vault">{it.vault}</td>
                        <td data-label="Type">{it.type}</td>
                        <td data-label="Last changed">{when(it.changed)}</td>
                        <td data-label="Since">
                          {it.trashed ? <span class="badge">in the trash then</span> : null}
                          {it.changed_since ? <span class="badge ok">changed since</span> : null}
                          {it.moved_to && it.moved_to !== it.vault ? <span class="badge">moved to {it.moved_to}</span> : null}
                          {!it.trashed && !it.changed_since && !(it.moved_to && it.moved_to !== it.vault) ? <span class="muted">—</span> : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
              {e.vaults.filter((v) => v.hidden > 0).map((v) => (
                <p key={v.id} class="muted">{v.label || <code>{v.id}</code>}: and {v.hidden} item(s) {r.hidden_note}</p>
              ))}
            </article>
          ))}
        </>
      )}
    </section>
  );
}
