/**
 * `npm run demo`: Tessera and the Organizer API side by side, and a walkthrough that
 * proves every credential works.
 *
 *   1. starts Tessera (`bin/tessera.js start`, built by `npm run build`) with
 *      tessera.yaml on a fresh data directory in the system's temp directory;
 *   2. starts the Organizer API (app.ts, SDK only) in this process;
 *   3. creates a PAT, a SAT, a user token and an action token with the CLI against the
 *      same data directory, gets an M2M token with client_credentials, and signs alice
 *      in to CalendarApp, MyTodos and the sandboxed TextApp through Tessera's own pages;
 *   4. prints, for each, copy-pasteable curl lines with the real tokens, runs each call
 *      itself and prints the real status and a short response;
 *   5. keeps both servers running until Ctrl-C (SIGINT) or SIGTERM, then stops both and
 *      deletes the data directory.
 *
 * Environment: DEMO_TESSERA_PORT (9000), DEMO_ORGANIZER_PORT (9100), DEMO_VERBOSE=1 (show
 * Tessera's own output and the API's request log), DEMO_EXIT=1 (stop after the walkthrough).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ORGANIZER_AUDIENCE } from './app.js';
import { startOrganizer, type RunningOrganizer } from './server.js';
import { ScriptedBrowser } from './sign-in.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const CONFIG = join(HERE, 'tessera.yaml');
const BIN = join(ROOT, 'bin/tessera.js');
const TESSERA_PORT = Number(process.env.DEMO_TESSERA_PORT ?? 9000);
const ORGANIZER_PORT = Number(process.env.DEMO_ORGANIZER_PORT ?? 9100);
const VERBOSE = process.env.DEMO_VERBOSE === '1';
const ISSUER = `http://127.0.0.1:${TESSERA_PORT}`;

// ---------------------------------------------------------------------------------
// The configuration: secrets and alice's password come from tessera.yaml itself.

interface ConfigClient {
  clientId: string;
  secrets?: string[];
  redirectUris?: string[];
}
const config = parseYaml(readFileSync(CONFIG, 'utf8')) as { clients: ConfigClient[]; users: { username: string; password: string }[] };
const client = (id: string) => {
  const found = config.clients.find((c) => c.clientId === id);
  if (!found) throw new Error(`tessera.yaml has no client ${id}`);
  return { id, secret: found.secrets?.[0] ?? '', redirectUri: found.redirectUris?.[0] ?? '' };
};
const alice = config.users.find((u) => u.username === 'alice')!;

// ---------------------------------------------------------------------------------
// Output.

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = paint('1');
const dim = paint('2');
const green = paint('32');
const red = paint('31');
const cyan = paint('36');
const out = (line = '') => process.stdout.write(`${line}\n`);
const section = (title: string, text?: string) => {
  out();
  out(bold(`━━ ${title} ${'━'.repeat(Math.max(3, 76 - title.length))}`));
  if (text) for (const line of text.split('\n')) out(dim(line));
};
const short = (body: unknown, max = 160) => {
  const s = typeof body === 'string' ? body : JSON.stringify(body);
  return s.length > max ? `${s.slice(0, max)}…` : s;
};
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

let calls = 0;
const failures: string[] = [];

// ---------------------------------------------------------------------------------
// Processes and cleanup.

let tessera: ChildProcess | undefined;
let tesseraExited: Promise<number | null> | undefined;
let organizer: RunningOrganizer | undefined;
let dataDir: string | undefined;
const tesseraOutput: string[] = [];
let stopping = false;

function remember(prefix: string, chunk: Buffer): void {
  for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
    tesseraOutput.push(line);
    if (tesseraOutput.length > 200) tesseraOutput.shift();
    if (VERBOSE) process.stderr.write(dim(`[tessera${prefix}] ${line}\n`));
  }
}

let stoppingSince = 0;

async function stopAll(code: number, signal?: string): Promise<void> {
  if (stopping) {
    // The same signal often arrives twice at once (the terminal or `timeout` signals the
    // whole process group, and npm forwards it too): only a later one means "no waiting".
    if (signal === undefined || Date.now() - stoppingSince < 2000) return;
    if (tessera?.exitCode === null) tessera.kill('SIGKILL');
    process.exit(1);
  }
  stopping = true;
  stoppingSince = Date.now();
  out();
  out(dim('stopping the Organizer API and Tessera…'));
  await organizer?.close();
  if (tessera && tessera.exitCode === null && tessera.signalCode === null) {
    tessera.kill('SIGTERM');
    const timer = setTimeout(() => tessera?.kill('SIGKILL'), 15_000);
    await tesseraExited;
    clearTimeout(timer);
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  out(dim('stopped.'));
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(failures.length ? 1 : 0, 'SIGINT'));
process.on('SIGTERM', () => void stopAll(failures.length ? 1 : 0, 'SIGTERM'));
process.on('exit', () => {
  // Last resort (an uncaught error): never leave Tessera running.
  if (tessera && tessera.exitCode === null && tessera.signalCode === null) tessera.kill('SIGKILL');
});

const childEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TESSERA_LOG_LEVEL: process.env.TESSERA_LOG_LEVEL ?? (VERBOSE ? 'info' : 'warn'),
    TESSERA_ADMIN_USERNAME: 'admin',
    TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
  };
  // The demo always runs on its own embedded SQLite store, whatever this shell points at.
  for (const name of [
    'DATABASE_URL',
    'TESSERA_DATABASE_URL',
    'TESSERA_DATA_DIR',
    'TESSERA_MASTER_KEY',
    'TESSERA_MASTER_KEY_FILE',
    'TESSERA_ISSUER',
    'TESSERA_PORT',
    'TESSERA_HOST',
  ])
    delete env[name];
  return env;
};
const ADMIN_PASSWORD = randomBytes(12).toString('base64url');

async function startTessera(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm run demo does)');
  dataDir = mkdtempSync(join(tmpdir(), 'tessera-demo-'));
  // Its own process group: a Ctrl-C in the terminal reaches the demo, which then stops
  // Tessera exactly once (a second signal would make Tessera skip its clean shutdown).
  tessera = spawn(
    process.execPath,
    [BIN, 'start', '--config', CONFIG, '--data', dataDir, '--port', String(TESSERA_PORT), '--host', '127.0.0.1', '--issuer', ISSUER],
    { cwd: ROOT, env: childEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  tessera.stdout!.on('data', (chunk: Buffer) => remember('', chunk));
  tessera.stderr!.on('data', (chunk: Buffer) => remember(':err', chunk));
  const child = tessera;
  let isReady = false;
  tesseraExited = new Promise((done) => child.once('exit', (exitCode) => done(exitCode)));
  void tesseraExited.then((exitCode) => {
    if (stopping || !isReady) return; // before ready, the wait below reports it
    out(red(`Tessera stopped on its own (exit ${exitCode ?? child.signalCode}):\n  ${tesseraOutput.slice(-10).join('\n  ')}`));
    void stopAll(1);
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Tessera exited (${child.exitCode ?? child.signalCode}) before it was ready:\n  ${tesseraOutput.slice(-15).join('\n  ')}`);
    }
    // Its own banner first: a server already on the port must not pass for ours.
    const started = tesseraOutput.some((line) => line.startsWith('Tessera is running'));
    try {
      const ready = started && (await fetch(`${ISSUER}/readyz`, { signal: AbortSignal.timeout(1000) }));
      if (ready && ready.ok) {
        isReady = true;
        return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`Tessera was not ready within 30 s:\n  ${tesseraOutput.slice(-15).join('\n  ')}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** `node bin/tessera.js ARGS --data DIR`; returns stdout (a token is printed alone on it). */
function cli(args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [BIN, ...args, '--data', dataDir!], { cwd: ROOT, env: childEnv() }, (error, stdout, stderr) => {
      if (error) fail(new Error(`tessera ${args.slice(0, 3).join(' ')} failed: ${stderr.trim() || error.message}`));
      else done(stdout.trim());
    });
  });
}

const cliLine = (args: string[]) =>
  `node bin/tessera.js ${args.map((a) => (/^[\w./:=-]+$/.test(a) ? a : q(a))).join(' ')} --data ${relative(ROOT, dataDir!).startsWith('..') ? dataDir : relative(ROOT, dataDir!)}`;

// ---------------------------------------------------------------------------------
// Calls: print the curl line, run the same request, print what came back.

interface Credential {
  scheme: 'Bearer' | 'Token' | 'ActionToken';
  token: string;
}

interface CallOptions {
  body?: unknown;
  /** The status this call should answer (default: any 2xx). */
  expect?: number;
  /** Sent exactly as written (curl --path-as-is); fetch would resolve dot segments first. */
  raw?: boolean;
  /** Extra check on the response body: a message when it is wrong. */
  verify?: (body: Record<string, unknown>) => string | undefined;
  note?: string;
}

function rawRequest(base: string, path: string, method: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((done, fail) => {
    const req = request({ host: hostname, port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', fail);
    req.end();
  });
}

async function call(title: string, credential: Credential, method: string, path: string, options: CallOptions = {}): Promise<Record<string, unknown>> {
  calls++;
  const url = `${organizer!.url}${path}`;
  const authorization = `${credential.scheme} ${credential.token}`;
  const parts = ['curl -s'];
  if (options.raw) parts.push('--path-as-is');
  if (method !== 'GET') parts.push(`-X ${method}`);
  parts.push(url, `-H ${q(`Authorization: ${authorization}`)}`);
  if (options.body !== undefined) parts.push(`-H 'Content-Type: application/json'`, `-d ${q(JSON.stringify(options.body))}`);
  out();
  out(`  ${cyan('▸')} ${title}${options.note ? dim(`  (${options.note})`) : ''}`);
  out(`    ${parts.join(' ')}`);
  let status: number;
  let text: string;
  if (options.raw) {
    ({ status, text } = await rawRequest(organizer!.url, path, method, { authorization }));
  } else {
    const response = await fetch(url, {
      method,
      headers: { authorization, ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    status = response.status;
    text = await response.text();
  }
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: shown as text
  }
  const expected = options.expect === undefined ? status >= 200 && status < 300 : status === options.expect;
  const wrong = expected ? options.verify?.(body) : undefined;
  const ok = expected && wrong === undefined;
  out(`    ${ok ? green('✓') : red('✗')} ${bold(String(status))} ${short(text)}`);
  if (!expected) failures.push(`${title}: expected ${options.expect ?? '2xx'}, got ${status}`);
  if (wrong) {
    out(`      ${red(wrong)}`);
    failures.push(`${title}: ${wrong}`);
  }
  return body;
}

/** POST a form to Tessera's token endpoint, as the printed curl does. */
async function token(form: Record<string, string>, basic?: { id: string; secret: string }): Promise<Record<string, unknown>> {
  calls++;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (basic) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(basic.id)}:${encodeURIComponent(basic.secret)}`).toString('base64')}`;
  const response = await fetch(`${ISSUER}/token`, { method: 'POST', headers, body: new URLSearchParams(form) });
  const body = (await response.json()) as Record<string, unknown>;
  const shown = Object.fromEntries(
    Object.entries(body).map(([k, v]) => [k, typeof v === 'string' && v.length > 24 && /token$/.test(k) ? `${v.slice(0, 16)}…` : v]),
  );
  out(`    ${response.ok ? green('✓') : red('✗')} ${bold(String(response.status))} ${short(shown, 200)}`);
  if (!response.ok) {
    failures.push(`token endpoint (${form.grant_type}): ${response.status} ${JSON.stringify(body)}`);
    throw new Error(`the token endpoint refused ${form.grant_type}: ${JSON.stringify(body)}`);
  }
  return body;
}

const tokenCurl = (basic: { id: string; secret: string } | undefined, form: Record<string, string>) =>
  `curl -s${basic ? ` -u ${basic.id}:${basic.secret}` : ''} ${ISSUER}/token ${Object.entries(form)
    .map(([k, v]) => `-d ${k}=${/^[\w.:/@-]+$/.test(v) ? v : q(v)}`)
    .join(' ')}`;

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

// ---------------------------------------------------------------------------------
// The walkthrough.

async function walkthrough(): Promise<void> {
  const api = organizer!.url;
  out(bold('Tessera × Organizer: every credential against a real API'));
  out(`  Tessera (authorization server)  ${ISSUER}   discovery ${ISSUER}/.well-known/openid-configuration`);
  out(`  Organizer API (resource server) ${api}   audience ${ORGANIZER_AUDIENCE}`);
  out(`  configuration                   ${relative(ROOT, CONFIG)}`);
  out(`  data directory                  ${dataDir}  ${dim('(deleted on exit)')}`);
  out(dim('  Every ▸ below is a real call: the curl line is what the demo sent, ✓ means the answer was the one expected.'));

  // -- PAT ------------------------------------------------------------------------
  const patArgs = [
    'tokens',
    'create',
    'pat',
    '--user',
    'alice',
    '--api',
    ORGANIZER_AUDIENCE,
    '--scope',
    'read:calendars write:calendars read:contacts write:contacts',
    '--name',
    'demo script',
    '--expires-in',
    '30d',
  ];
  section(
    '1. Personal access token (PAT): alice, for a script',
    `A long-lived, named token with chosen scopes (within alice's role); it lacks read:tasks on purpose.\n$ ${cliLine(patArgs)}`,
  );
  const pat: Credential = { scheme: 'Bearer', token: await cli(patArgs) };
  out(`    ${pat.token}`);
  const work = await call('create a calendar', pat, 'POST', '/calendars', { body: { name: 'Work' } });
  const workId = String(work.id);
  await call('add an event to it', pat, 'POST', `/calendars/${workId}/events`, {
    body: { title: 'Planning with Bob', start: '2026-05-04T09:30:00Z', end: '2026-05-04T10:00:00Z', attendees: ['bob@example.com'] },
  });
  await call('add a contact', pat, 'POST', '/contacts', { body: { name: 'Bob', email: 'bob@example.com' } });
  await call("list calendars (alice's own data space)", pat, 'GET', '/calendars', {
    verify: (b) => (b.space === 'user' ? undefined : `space is ${String(b.space)}`),
  });
  await call('read tasks without read:tasks', pat, 'GET', '/tasks', { expect: 403, note: 'refused: insufficient_scope' });

  // -- user token ---------------------------------------------------------------------
  const userTokenArgs = ['tokens', 'create', 'user-token', '--user', 'alice'];
  section(
    '2. User token: Authorization: Token <40 hex>',
    `The user's own key: all of alice's access through her roles; one per user.\n$ ${cliLine(userTokenArgs)}`,
  );
  const userToken: Credential = { scheme: 'Token', token: await cli(userTokenArgs) };
  out(`    ${userToken.token}`);
  const task = await call('create a task', userToken, 'POST', '/tasks', { body: { title: 'Book the dentist', due: '2026-05-08' } });
  await call('complete it', userToken, 'PATCH', `/tasks/${String(task.id)}`, { body: { done: true } });
  await call('list calendars: the same data as the PAT', userToken, 'GET', '/calendars', {
    verify: (b) => ((b.calendars as { id: string }[] | undefined)?.some((c) => c.id === workId) ? undefined : "the PAT's calendar is missing"),
  });

  // -- action token ---------------------------------------------------------------------
  const actionArgs = [
    'tokens',
    'create',
    'action-token',
    '--user',
    'alice',
    '--name',
    'events feed',
    '--endpoint',
    'GET /calendars/*/events',
    '--endpoint',
    'POST /calendars/*/events',
  ];
  section(
    '3. Action token: Authorization: ActionToken <40 hex>',
    `Like a user token, but only for the endpoints listed (for server-side integrations only).\n$ ${cliLine(actionArgs)}`,
  );
  const actionToken: Credential = { scheme: 'ActionToken', token: await cli(actionArgs) };
  out(`    ${actionToken.token}`);
  await call('read the events of a calendar', actionToken, 'GET', `/calendars/${workId}/events`);
  await call('add an event', actionToken, 'POST', `/calendars/${workId}/events`, { body: { title: 'Standup', start: '2026-05-05T08:00:00Z' } });
  await call('read contacts (not in its list)', actionToken, 'GET', '/contacts', { expect: 403, note: 'refused: endpoint_not_allowed' });
  await call('sneak out of its list with dot segments', actionToken, 'GET', `/calendars/${workId}/events/../../../contacts`, {
    raw: true,
    expect: 400,
    note: 'refused: ambiguous path',
  });

  // -- M2M ---------------------------------------------------------------------------
  const m2m = client('reminder-service');
  const ccForm = { grant_type: 'client_credentials', resource: ORGANIZER_AUDIENCE, scope: 'read:calendars write:calendars read:tasks' };
  section(
    '4. Machine-to-machine: client_credentials → JWT access token',
    "The reminder service acts for itself: no user, so it works in a data space of its own\n(never any user's data). The API verifies the JWT locally against the JWKS.",
  );
  out(`    ${tokenCurl(m2m, ccForm)}`);
  const cc = await token(ccForm, m2m);
  const m2mToken: Credential = { scheme: 'Bearer', token: String(cc.access_token) };
  await call('create a calendar in its own space', m2mToken, 'POST', '/calendars', { body: { name: 'Reminders' } });
  await call('list calendars: only its own', m2mToken, 'GET', '/calendars', {
    verify: (b) => (b.space === 'client' && !(b.calendars as { id: string }[]).some((c) => c.id === workId) ? undefined : "it saw a user's data"),
  });
  await call('read contacts without read:contacts', m2mToken, 'GET', '/contacts', { expect: 403, note: 'refused: insufficient_scope' });

  // -- SAT ---------------------------------------------------------------------------
  const satArgs = [
    'tokens',
    'create',
    'sat',
    '--service-account',
    'nightly-sync',
    '--api',
    ORGANIZER_AUDIENCE,
    '--scope',
    'read:calendars read:tasks',
    '--name',
    'nightly backup',
  ];
  section('5. Service access token (SAT): the nightly-sync service account', `A non-human identity with a role; its own data space.\n$ ${cliLine(satArgs)}`);
  const sat: Credential = { scheme: 'Bearer', token: await cli(satArgs) };
  out(`    ${sat.token}`);
  await call('list calendars', sat, 'GET', '/calendars', { verify: (b) => (b.space === 'service' ? undefined : `space is ${String(b.space)}`) });
  await call('create a calendar without write:calendars', sat, 'POST', '/calendars', {
    body: { name: 'Nope' },
    expect: 403,
    note: 'refused: insufficient_scope',
  });

  // -- browser flows -------------------------------------------------------------------
  const browser = new ScriptedBrowser('alice', alice.password);
  const pkce = () => {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  };
  const authorizeUrl = (params: Record<string, string>) => `${ISSUER}/authorize?${new URLSearchParams(params).toString().replace(/\+/g, '%20')}`;
  const signIn = async (url: string) => {
    const { params, pages } = await browser.authorize(ISSUER, url);
    if (!params.code) throw new Error(`no code came back: ${JSON.stringify(params)}`);
    out(dim(`    The demo did it too, as alice (${pages.length ? pages.join(' → ') : 'already signed in, nothing asked'}), and exchanged its code:`));
    return params.code;
  };

  const calendarApp = client('calendar-app');
  const calPkce = pkce();
  const calUrl = authorizeUrl({
    client_id: calendarApp.id,
    response_type: 'code',
    redirect_uri: calendarApp.redirectUri,
    scope: 'openid profile read:calendars write:calendars read:contacts',
    state: 'demo',
    nonce: 'demo-nonce',
    code_challenge: calPkce.challenge,
    code_challenge_method: 'S256',
    prompt: 'consent',
  });
  const calForm = { grant_type: 'authorization_code', redirect_uri: calendarApp.redirectUri, code_verifier: calPkce.verifier };
  section(
    '6. CalendarApp: authorization code flow with consent (a confidential web app)',
    `Open in a browser, sign in as alice / ${alice.password}, press Allow:\n  ${calUrl}\nThe browser then lands on ${calendarApp.redirectUri}?code=...  (nothing listens there: copy the code from the address bar) and the app exchanges it:`,
  );
  out(`    ${tokenCurl(calendarApp, { ...calForm, code: 'PASTE_THE_CODE' })}`);
  const calTokens = await token({ ...calForm, code: await signIn(calUrl) }, calendarApp);
  const calToken: Credential = { scheme: 'Bearer', token: String(calTokens.access_token) };
  await call("CalendarApp lists alice's calendars", calToken, 'GET', '/calendars', {
    verify: (b) => (b.space === 'user' && (b.calendars as { id: string }[]).some((c) => c.id === workId) ? undefined : "alice's calendar is missing"),
  });
  await call('and reads her contacts, to invite them', calToken, 'GET', '/contacts');
  await call('but not her tasks (not consented)', calToken, 'GET', '/tasks', { expect: 403, note: 'refused: insufficient_scope' });
  await call('nor delete a calendar: that takes a two-factor sign-in in the last 5 minutes', calToken, 'DELETE', `/calendars/${workId}`, {
    expect: 401,
    note: 'refused: insufficient_user_authentication, RFC 9470',
  });
  out(dim(`    The challenge names acr_values and max_age: the app sends alice back to ${ISSUER}/authorize with them, and Tessera`));
  out(dim('    asks her for a one-time code (set an authenticator app up on /account first). test/demo/organizer.test.ts does the round trip.'));

  const myTodos = client('mytodos');
  const todoPkce = pkce();
  const todoUrl = authorizeUrl({
    client_id: myTodos.id,
    response_type: 'code',
    redirect_uri: myTodos.redirectUri,
    scope: 'openid read:tasks write:tasks',
    state: 'demo',
    code_challenge: todoPkce.challenge,
    code_challenge_method: 'S256',
    prompt: 'consent',
  });
  const todoForm = { grant_type: 'authorization_code', client_id: myTodos.id, redirect_uri: myTodos.redirectUri, code_verifier: todoPkce.verifier };
  section(
    '7. MyTodos: a single-page app (public client, PKCE, no secret)',
    `Open in a browser, sign in as alice, press Allow:\n  ${todoUrl}\nThen exchange the code from ${myTodos.redirectUri}?code=... with the PKCE verifier:`,
  );
  out(`    ${tokenCurl(undefined, { ...todoForm, code: 'PASTE_THE_CODE' })}`);
  const todoTokens = await token({ ...todoForm, code: await signIn(todoUrl) });
  const todoToken: Credential = { scheme: 'Bearer', token: String(todoTokens.access_token) };
  await call("MyTodos lists alice's tasks", todoToken, 'GET', '/tasks', {
    verify: (b) => ((b.tasks as { id: string }[]).some((t) => t.id === task.id) ? undefined : "alice's task is missing"),
  });
  await call('adds one', todoToken, 'POST', '/tasks', { body: { title: 'Call Bob back' } });
  await call('but cannot read calendars', todoToken, 'GET', '/calendars', { expect: 403, note: 'refused: insufficient_scope' });

  const textApp = client('textapp');
  const sbxUrl = authorizeUrl({
    client_id: textApp.id,
    response_type: 'code',
    redirect_uri: textApp.redirectUri,
    scope: 'openid read:calendars write:calendars read:tasks write:tasks',
    state: 'demo',
  });
  const sbxForm = { grant_type: 'authorization_code', redirect_uri: textApp.redirectUri };
  section(
    '8. TextApp: silent sign-in into a sandbox (sandbox: true)',
    `No consent page: the app gets tokens for a sandbox subject (sub: sbx_...), never for alice.\nOpen in a browser (sign in as alice if asked):\n  ${sbxUrl}\nThen exchange the code from ${textApp.redirectUri}?code=...:`,
  );
  out(`    ${tokenCurl(textApp, { ...sbxForm, code: 'PASTE_THE_CODE' })}`);
  const sbxTokens = await token({ ...sbxForm, code: await signIn(sbxUrl) }, textApp);
  const sbxToken: Credential = { scheme: 'Bearer', token: String(sbxTokens.access_token) };
  const sbxClaims = claims(sbxToken.token);
  out(dim(`    access token claims: sub=${String(sbxClaims.sub)} sandbox=${String(sbxClaims.sandbox)}`));
  await call("TextApp lists calendars: an empty sandbox, none of alice's", sbxToken, 'GET', '/calendars', {
    verify: (b) => (b.space === 'sandbox' && (b.calendars as unknown[]).length === 0 ? undefined : 'the sandbox is not empty'),
  });
  const trial = await call('creates a calendar in its sandbox', sbxToken, 'POST', '/calendars', { body: { name: 'TextApp trial' } });
  await call("cannot open alice's calendar by its id", sbxToken, 'GET', `/calendars/${workId}`, { expect: 404, note: 'not in its data space' });
  await call("and alice's PAT does not see the sandbox's calendar", pat, 'GET', '/calendars', {
    verify: (b) => ((b.calendars as { id: string }[]).some((c) => c.id === trial.id) ? "the sandbox data leaked into alice's" : undefined),
  });
  out();
  out(dim(`    To reach alice's real data, TextApp sends her through the normal consent flow: add &prompt=consent to its URL.`));

  // -- summary ---------------------------------------------------------------------------
  section('Summary');
  if (failures.length === 0) out(green(`  All ${calls} calls answered as expected.`));
  else {
    out(red(`  ${failures.length} of ${calls} calls did not answer as expected:`));
    for (const failure of failures) out(red(`    - ${failure}`));
  }
  out();
  out(`  More tokens:      node bin/tessera.js tokens --help   ${dim(`(add --data ${dataDir})`)}`);
  out(`  Management API:   ${ISSUER}/api/v1   ${dim(`(admin / ${ADMIN_PASSWORD})`)}`);
  out(`  Organizer API:    ${api}   Tessera: ${ISSUER}`);
  out();
}

async function main(): Promise<void> {
  try {
    await startTessera();
    organizer = await startOrganizer({
      issuer: ISSUER,
      introspectionSecret: client('organizer-api').secret,
      port: ORGANIZER_PORT,
      ...(VERBOSE ? { log: (line: object) => process.stderr.write(dim(`[organizer] ${JSON.stringify(line)}\n`)) } : {}),
    });
    await walkthrough();
  } catch (error) {
    if (stopping) return;
    out();
    out(red(`demo failed: ${(error as Error).message}`));
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') out(red(`  port ${ORGANIZER_PORT} is in use: set DEMO_ORGANIZER_PORT`));
    if (!VERBOSE && tesseraOutput.length) out(dim(`  Tessera said:\n    ${tesseraOutput.slice(-10).join('\n    ')}`));
    await stopAll(1);
  }
  if (stopping) return;
  if (process.env.DEMO_EXIT === '1') return stopAll(failures.length ? 1 : 0);
  out(bold('Both servers keep running: press Ctrl-C to stop them.'));
}

await main();
