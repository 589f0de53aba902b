const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// parseAddresses splits what was typed or pasted (one per line, or
// separated by commas, semicolons or spaces; "Name <a@b.c>" too) and names
// every address that is not one.
export function parseAddresses(text: string): { emails: string[]; bad: string[] } {
  const emails: string[] = [];
  const bad: string[] = [];
  const add = (raw: string, email: string) => {
    email = email.trim().toLowerCase();
    if (!EMAIL.test(email)) bad.push(raw);
    else if (!emails.includes(email)) emails.push(email);
  };
  for (let part of text.split(/[\n,;]+/)) {
    part = part.trim();
    if (!part) continue;
    const angle = /<([^<>]+)>\s*$/.exec(part); // "Name <a@b.c>"
    if (angle) add(part, angle[1]);
    else for (const word of part.split(/\s+/)) add(word, word);
  }
  return { emails, bad };
}

// joinLinkOf is the Join link of an organisation's invitations, as the
// invitation e-mail carries it.
export function joinLinkOf(org: string): string {
  return `${location.origin}/join?org=${encodeURIComponent(org)}`;
}
