// @ts-check
/**
 * The console's entry point: finish or start the sign-in, find out who is signed in,
 * then show the page the #hash names. Each page is one module under pages/.
 */
import { call, seg } from './api.js';
import { claimsOf, completeSignIn, currentSession, signIn, signOut, username } from './auth.js';
import { button, h, problem, replace } from './dom.js';
import { PAGES } from './pages/index.js';

/** @typedef {{ id: string, username: string, roles: string[], name?: string }} Me */
/** @typedef {{ me: Me, main: HTMLElement, params: URLSearchParams, go: (hash: string) => void, rerender: () => void }} Context */

const app = /** @type {HTMLElement} */ (document.getElementById('app'));

/**
 * A page alone in the frame (signed out, not an administrator, failed sign-in).
 * @param {string} title
 * @param {...import('./dom.js').Child} content
 */
function standalone(title, ...content) {
  const main = h('main', { id: 'main', class: 'standalone', tabindex: -1 }, h('h1', {}, title), ...content);
  replace(app, main);
  document.title = `${title} · Tessera`;
  main.focus();
}

/** @param {string} hash */
function routeOf(hash) {
  const [name = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  return { name, params: new URLSearchParams(query) };
}

/** @param {Me} me */
function frame(me) {
  const nav = h(
    'nav',
    { 'aria-label': 'Sections' },
    h(
      'ul',
      {},
      PAGES.map((p) => h('li', {}, h('a', { href: `#${p.name}`, 'data-page': p.name }, p.title))),
    ),
  );
  const main = h('main', { id: 'main', tabindex: -1 });
  replace(
    app,
    h(
      'header',
      { class: 'topbar' },
      h('a', { class: 'brand', href: '#' }, 'Tessera', h('span', { class: 'muted' }, ' admin')),
      h('span', { class: 'who' }, 'Signed in as ', h('strong', {}, me.username)),
      button('Sign out', signOut),
    ),
    h('div', { class: 'layout' }, nav, main),
  );
  return { nav, main };
}

/**
 * @param {Me} me
 * @param {HTMLElement} nav
 * @param {HTMLElement} main
 */
async function show(me, nav, main) {
  const { name, params } = routeOf(location.hash);
  const page = PAGES.find((p) => p.name === name) ?? PAGES[0];
  if (!page) return;
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.page === page.name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${page.title} · Tessera admin`;
  replace(main, h('p', { class: 'loading', role: 'status' }, 'Loading…'));
  /** @type {Context} */
  const context = {
    me,
    main,
    params,
    go: (hash) => (location.hash = hash),
    rerender: () => void show(me, nav, main),
  };
  try {
    replace(main);
    await page.render(context);
  } catch (error) {
    replace(main, h('h1', {}, page.title), problem(error));
  }
  main.focus({ preventScroll: true });
}

async function boot() {
  let session;
  try {
    session = (await completeSignIn()) ?? currentSession();
  } catch (error) {
    standalone(
      'Sign-in failed',
      problem(error),
      button('Sign in again', () => signIn(''), { kind: 'primary' }),
    );
    return;
  }
  const params = new URLSearchParams(location.search);
  if (!session && params.get('state') === 'signed-out') {
    history.replaceState(null, '', location.pathname);
    standalone(
      'Signed out',
      h('p', {}, 'You have signed out of the Tessera admin console.'),
      button('Sign in', () => signIn(''), { kind: 'primary' }),
    );
    return;
  }
  if (!session) {
    await signIn();
    return;
  }
  const claims = claimsOf(session.accessToken);
  /** @type {Me} */
  let me;
  try {
    me = (await call('GET', `/users/${seg(String(claims.sub))}`)).body;
  } catch (error) {
    const status = /** @type {{ status?: number }} */ (error).status;
    if (status === 403 || status === 404) {
      const name = await username(session);
      standalone(
        'You are not an administrator',
        h('p', {}, 'You are signed in', name ? [' as ', h('strong', {}, name)] : null, ', but this account may not manage Tessera.'),
        h(
          'p',
          {},
          'The admin console is for users with the ',
          h('code', {}, 'tessera-admin'),
          ' role (or a role granting management scopes). Ask an administrator for access, or sign out and sign in with another account.',
        ),
        button('Sign out', signOut, { kind: 'primary' }),
      );
      return;
    }
    standalone(
      'The console could not start',
      problem(error),
      button('Try again', () => location.reload(), { kind: 'primary' }),
    );
    return;
  }
  const { nav, main } = frame(me);
  window.addEventListener('hashchange', () => void show(me, nav, main));
  await show(me, nav, main);
}

void boot();
