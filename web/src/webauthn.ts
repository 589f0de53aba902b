// The browser's WebAuthn calls (navigator.credentials), for security keys
// (docs/protocol.md §8.2). The options come from the client core as the
// server made them ({publicKey: …}, JSON) and the browser's answer goes
// back as it is (PublicKeyCredential.toJSON()): no rule lives here, only
// the JSON ⇄ ArrayBuffer encoding the browser API needs.

type JSONOptions = { publicKey: Record<string, unknown> };

const fromB64url = (s: string): ArrayBuffer => {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
};

const toB64url = (b: ArrayBuffer): string => {
  let s = '';
  for (const c of new Uint8Array(b)) s += String.fromCharCode(c);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

type PKC = typeof PublicKeyCredential & {
  parseCreationOptionsFromJSON?: (o: unknown) => PublicKeyCredentialCreationOptions;
  parseRequestOptionsFromJSON?: (o: unknown) => PublicKeyCredentialRequestOptions;
};

function creationOptions(o: Record<string, unknown>): PublicKeyCredentialCreationOptions {
  const P = window.PublicKeyCredential as PKC;
  if (P.parseCreationOptionsFromJSON) return P.parseCreationOptionsFromJSON(o);
  const user = o.user as Record<string, unknown>;
  return {
    ...o,
    challenge: fromB64url(o.challenge as string),
    user: { ...user, id: fromB64url(user.id as string) },
    excludeCredentials: ((o.excludeCredentials ?? []) as Record<string, unknown>[]).map((c) => ({ ...c, id: fromB64url(c.id as string) })),
  } as unknown as PublicKeyCredentialCreationOptions;
}

function requestOptions(o: Record<string, unknown>): PublicKeyCredentialRequestOptions {
  const P = window.PublicKeyCredential as PKC;
  if (P.parseRequestOptionsFromJSON) return P.parseRequestOptionsFromJSON(o);
  return {
    ...o,
    challenge: fromB64url(o.challenge as string),
    allowCredentials: ((o.allowCredentials ?? []) as Record<string, unknown>[]).map((c) => ({ ...c, id: fromB64url(c.id as string) })),
  } as unknown as PublicKeyCredentialRequestOptions;
}

// asJSON is PublicKeyCredential.toJSON(), spelled out where a browser
// lacks it.
function asJSON(c: PublicKeyCredential): unknown {
  const withJSON = c as PublicKeyCredential & { toJSON?: () => unknown };
  if (withJSON.toJSON) return withJSON.toJSON();
  const r = c.response as AuthenticatorAttestationResponse & AuthenticatorAssertionResponse;
  const response: Record<string, unknown> = { clientDataJSON: toB64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toB64url(r.attestationObject);
    response.transports = r.getTransports?.() ?? [];
  } else {
    response.authenticatorData = toB64url(r.authenticatorData);
    response.signature = toB64url(r.signature);
    if (r.userHandle) response.userHandle = toB64url(r.userHandle);
  }
  return { id: c.id, rawId: toB64url(c.rawId), type: c.type, response, clientExtensionResults: c.getClientExtensionResults(), authenticatorAttachment: c.authenticatorAttachment ?? undefined };
}

// KeyUnavailable: the browser gave no credential (cancelled, timed out,
// no key of this account, or no WebAuthn at all).
export class KeyUnavailable extends Error {}

async function ask<T>(fn: () => Promise<T | null>): Promise<T> {
  if (!window.PublicKeyCredential || !navigator.credentials) throw new KeyUnavailable('This browser cannot use security keys here (WebAuthn needs https, or localhost).');
  try {
    const c = await fn();
    if (!c) throw new KeyUnavailable('The security key gave no answer.');
    return c;
  } catch (e) {
    if (e instanceof KeyUnavailable) throw e;
    throw new KeyUnavailable('The security key did not answer: cancelled, timed out, or not a key registered for this account.');
  }
}

// createKey runs navigator.credentials.create for the core's creation
// options and returns the new credential's JSON for the core.
export async function createKey(options: unknown): Promise<string> {
  const o = (options as JSONOptions).publicKey;
  const c = await ask(() => navigator.credentials.create({ publicKey: creationOptions(o) }) as Promise<PublicKeyCredential | null>);
  return JSON.stringify(asJSON(c));
}

// useKey runs navigator.credentials.get for the core's assertion options
// and returns the assertion's JSON for the core.
export async function useKey(options: unknown): Promise<string> {
  const o = (options as JSONOptions).publicKey;
  const c = await ask(() => navigator.credentials.get({ publicKey: requestOptions(o) }) as Promise<PublicKeyCredential | null>);
  return JSON.stringify(asJSON(c));
}
