// @ts-check
/** What the server told the page about itself (meta tags of the console's HTML). */

/** @param {string} name */
function meta(name) {
  const value = document.querySelector(`meta[name="${name}"]`)?.getAttribute('content');
  if (!value) throw new Error(`the page lacks <meta name="${name}">`);
  return value;
}

export const config = {
  issuer: meta('tessera-issuer'),
  clientId: meta('tessera-client-id'),
  audience: meta('tessera-audience'),
  scopes: meta('tessera-scopes'),
  /** The console's own address: its redirect URI and post-logout URI. */
  home: `${meta('tessera-issuer')}/admin/`,
};
