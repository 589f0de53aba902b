// Stopped covers the whole page when the client core (WebAssembly) has
// stopped: nothing under it can be trusted to be the vault's state, so
// nothing of it is shown — never an empty vault that looks like loss.
export function Stopped(props: { error: string }) {
  return (
    <div class="stopped" role="alertdialog" aria-labelledby="stopped-title" aria-describedby="stopped-text">
      <div class="card">
        <h1 id="stopped-title">Coffer stopped — reload</h1>
        <p id="stopped-text">Coffer's core stopped in this tab, so this page can show nothing true about your vault. Nothing is lost: your items are on the server, and saved changes with them. Reload this page and unlock again.</p>
        <p class="muted">What it said: <code>{props.error || 'no reason given'}</code></p>
        <button type="button" class="primary" onClick={() => location.reload()} autofocus>Reload</button>
      </div>
    </div>
  );
}
