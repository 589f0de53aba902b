import type { IconNode } from 'lucide';

// Icon draws one icon of the Lucide set (the package ships each icon as
// the SVG elements it is made of). Icons are decoration: the control
// next to one carries the words, so the icon is hidden from screen
// readers unless it is given a label of its own.
export function Icon(props: { icon: IconNode; label?: string; size?: number }) {
  const size = props.size ?? 18;
  return (
    <svg xmlns="http://www.w3.org/2000/svg" width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor"
      stroke-width="2" stroke-linecap="round" stroke-linejoin="round" class="icon"
      aria-hidden={props.label ? undefined : 'true'} role={props.label ? 'img' : undefined} aria-label={props.label}>
      {props.icon.map(([tag, attrs], i) => {
        const Tag = tag as 'path';
        return <Tag key={i} {...(attrs as Record<string, string>)} />;
      })}
    </svg>
  );
}
