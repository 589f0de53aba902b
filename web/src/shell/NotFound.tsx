import { EmptyState } from '../ui/EmptyState';
import { Link } from './Link';

// NotFound is an address the app has no screen for.
export function NotFound(props: { path: string }) {
  return (
    <EmptyState title="Nothing here" text={`Coffer has no page at ${props.path}. It may have been an old link.`}>
      <Link href="/vault" class="button primary">Go to Passwords</Link>
    </EmptyState>
  );
}
