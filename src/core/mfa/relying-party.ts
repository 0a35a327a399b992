/**
 * Who Tessera is to a passkey (WebAuthn's relying party): its id (a domain the
 * credential is scoped to), the origins whose pages may use the credential, and the
 * name authenticators show. By default all three follow the issuer; a deployment
 * behind a proxy, or sharing passkeys with a parent domain, overrides them
 * (`server.webauthn`). Checked once, at construction: a bad value is a TypeError.
 * Browsers offer passkeys only on https pages (and http://localhost), and never for
 * an IP address: an issuer like http://127.0.0.1:8080 works, without passkeys.
 */

export interface RelyingParty {
  /** The RP ID: the issuer's host name, or a registrable suffix of it. */
  id: string;
  /** Origins (scheme://host[:port]) a passkey's answer may come from. */
  origins: string[];
  /** What authenticators show beside the account. */
  name: string;
}

export interface RelyingPartyOverrides {
  rpId?: string;
  rpName?: string;
  origins?: string[];
}

/** The relying party for this issuer, with the overrides applied and checked. */
export function relyingPartyFor(issuer: string, overrides: RelyingPartyOverrides = {}): RelyingParty {
  const url = new URL(issuer);
  const id = (overrides.rpId ?? url.hostname).toLowerCase();
  // The issuer's own pages ask for passkeys: their host must sit on the RP ID, or no browser will go along.
  if (!within(url.hostname, id)) throw new TypeError(`webauthn rpId: ${id} is neither the issuer's host (${url.hostname}) nor a parent domain of it`);
  const origins = (overrides.origins ?? [url.origin]).map((origin) => {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new TypeError(`webauthn origins: ${JSON.stringify(origin)} is not a URL`);
    }
    if (parsed.origin !== origin.replace(/\/$/, ''))
      throw new TypeError(`webauthn origins: ${JSON.stringify(origin)} must be an origin only (scheme://host[:port]), no path`);
    if (!within(parsed.hostname, id)) throw new TypeError(`webauthn origins: ${parsed.origin} is not on the relying party ${id} (nor a subdomain of it)`);
    return parsed.origin;
  });
  return { id, origins, name: overrides.rpName ?? url.host };
}

/** Whether `host` is `domain` or a subdomain of it. */
const within = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);
