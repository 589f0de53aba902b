// Progress shows work under way: a bar when the total is known, the count
// so far and the rate (items a second, from when it started).
export function Progress(props: { label: string; done: number; total: number; started: number; unit: string }) {
  const seconds = (performance.now() - props.started) / 1000;
  const rate = seconds > 0.5 ? Math.round(props.done / seconds) : 0;
  return (
    <div class="progress-line" role="status" aria-live="polite">
      <progress max={props.total || undefined} value={props.total ? props.done : undefined} aria-label={props.label} />
      <span class="muted">
        {props.label}: {props.done.toLocaleString()}{props.total ? ` of ${props.total.toLocaleString()}` : ''} {props.unit}
        {rate ? ` · ${rate.toLocaleString()} a second` : ''}
      </span>
    </div>
  );
}
