// Brand is the product's mark and name.
export function Brand(props: { compact?: boolean }) {
  return (
    <span class="brand">
      <svg class="mark" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
        <rect x="3" y="7" width="26" height="20" rx="4" fill="var(--accent)" />
        <path d="M10 7V6a6 6 0 0 1 12 0v1" fill="none" stroke="var(--accent)" stroke-width="3" />
        <circle cx="16" cy="16" r="3" fill="var(--accent-fg)" />
        <rect x="14.8" y="17" width="2.4" height="5" rx="1" fill="var(--accent-fg)" />
      </svg>
      {props.compact ? null : <span class="name">Coffer</span>}
    </span>
  );
}
