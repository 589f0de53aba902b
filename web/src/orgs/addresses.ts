// joinLinkOf is the Join link of an organisation's invitations, as the
// invitation e-mail carries it.
export function joinLinkOf(org: string): string {
  return `${location.origin}/join?org=${encodeURIComponent(org)}`;
}
