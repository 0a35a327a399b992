/**
 * The authorization-code + PKCE flow driver (scenario "flow"), run as its own process
 * like lib/load.mjs and speaking the same protocol: {"event":"warm"} after the warm-up,
 * a line on stdin, then {"event":"result", ...} where a "response" is a completed flow.
 *
 *   node lib/flow.mjs '<json spec>'
 *   spec: { base, authorizePath, tokenPath, clientId, basic, redirectUri, scope, username,
 *           password, concurrency, warmupSeconds, seconds }
 *
 * Each flow is a new browser (an empty cookie jar) that does what a person would:
 * GET the authorization URL (S256 PKCE, prompt=consent), follow redirects, fill in the
 * sign-in form (username, password and the page's hidden fields), then the consent
 * form (decision=allow), until the redirect to the client carries `code`; the client
 * then redeems it at the token endpoint (client_secret_basic + code_verifier) and
 * checks that the answer holds an access token and an ID token. Forms are read from
 * the HTML, so one driver serves both servers. Any other outcome is a failed flow.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { createInterface } from 'node:readline';

const spec = JSON.parse(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency * 2 });

function send(method, url, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = httpRequest(
      { method, hostname: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, agent, headers, timeout: 30_000 },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

const unescape = (s) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#x2F;|&#47;/g, '/').replace(/&#39;|&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** The first form of a page: its action and hidden fields, and whether it asks for a password or a decision. */
function readForm(html) {
  const form = /<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const fields = {};
  for (const input of form[2].matchAll(/<input\b[^>]*>/gi)) {
    const tag = input[0];
    const type = /\btype="([^"]*)"/i.exec(tag)?.[1]?.toLowerCase();
    const name = /\bname="([^"]*)"/i.exec(tag)?.[1];
    if (type === 'hidden' && name) fields[name] = unescape(/\bvalue="([^"]*)"/i.exec(tag)?.[1] ?? '');
  }
  return { action: unescape(form[1]), fields, password: /name="password"/i.test(form[2]), decision: /name="decision"/i.test(form[2]) };
}

class FlowError extends Error {
  constructor(message, response) {
    super(message);
    this.status = response?.status ?? 'error';
    this.sample = response ? `${message}: HTTP ${response.status} ${String(response.body).slice(0, 200)}` : message;
  }
}

async function oneFlow(stats) {
  const jar = new Map();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(12).toString('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: spec.clientId,
    redirect_uri: spec.redirectUri,
    scope: spec.scope,
    state,
    nonce: randomBytes(12).toString('base64url'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    prompt: 'consent',
  });
  const browse = async (method, url, form) => {
    const headers = { accept: 'text/html' };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let body;
    if (form) {
      body = new URLSearchParams(form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const response = await send(method, url, { headers, body });
    stats.requests++;
    for (const cookie of [response.headers['set-cookie'] ?? []].flat()) {
      const [pair, ...attributes] = cookie.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (gone) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  };

  let response = await browse('GET', `${spec.base}${spec.authorizePath}?${query}`);
  let url = `${spec.base}${spec.authorizePath}`;
  let code;
  let posts = 0;
  for (let step = 0; step < 16 && code === undefined; step++) {
    if (response.status >= 300 && response.status < 400 && response.headers.location) {
      const next = new URL(response.headers.location, url).href;
      if (next.startsWith(spec.redirectUri)) {
        const params = new URL(next).searchParams;
        if (params.get('state') !== state) throw new FlowError(`redirect without our state: ${next.slice(0, 200)}`, response);
        code = params.get('code');
        if (!code) throw new FlowError(`redirect without a code: ${next.slice(0, 200)}`, response);
        break;
      }
      url = next;
      response = await browse('GET', next);
      continue;
    }
    if (response.status !== 200) throw new FlowError('unexpected answer', response);
    const form = readForm(response.body);
    if (!form) throw new FlowError('a page without a form', response);
    const fields = { ...form.fields };
    if (form.password) Object.assign(fields, { username: spec.username, password: spec.password });
    else if (form.decision) fields.decision = 'allow';
    else throw new FlowError('a form that is neither sign-in nor consent', response);
    url = new URL(form.action, url).href;
    posts++;
    response = await browse('POST', url, fields);
  }
  if (code === undefined) throw new FlowError('no code after 16 steps', response);
  const token = await send('POST', `${spec.base}${spec.tokenPath}`, {
    headers: { authorization: spec.basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: spec.redirectUri, code_verifier: verifier }).toString(),
  });
  stats.requests++;
  if (token.status !== 200) throw new FlowError('token request refused', token);
  const answer = JSON.parse(token.body);
  if (typeof answer.access_token !== 'string' || !answer.access_token.startsWith('eyJ') || typeof answer.id_token !== 'string') {
    throw new FlowError('token answer without a JWT access token and an ID token', token);
  }
  if (posts !== 2) throw new FlowError(`expected a sign-in and a consent form, submitted ${posts} forms`, token);
  stats.posts += posts;
}

async function run(seconds, record) {
  const stats = { flows: 0, failed: 0, requests: 0, posts: 0, statusCodes: {}, samples: [] };
  const latencies = [];
  const deadline = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (Date.now() < deadline) {
      const t0 = process.hrtime.bigint();
      try {
        await oneFlow(stats);
        stats.flows++;
        if (record) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch (error) {
        stats.failed++;
        const key = error instanceof FlowError ? String(error.status) : 'error';
        stats.statusCodes[key] = (stats.statusCodes[key] ?? 0) + 1;
        if (stats.samples.length < 3) stats.samples.push({ status: key, body: error.sample ?? String(error.message).slice(0, 300) });
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  return { stats, latencies, elapsed: Number(process.hrtime.bigint() - started) / 1e9 };
}

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : NaN);
const say = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

if (spec.warmupSeconds > 0) {
  const warm = await run(spec.warmupSeconds, false);
  if (warm.stats.flows === 0 && warm.stats.failed > 0) {
    process.stderr.write(`flow: every warm-up flow failed, e.g. ${JSON.stringify(warm.stats.samples[0])}\n`);
  }
}
say({ event: 'warm' });
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once('line', resolve));
lines.close();

const cpuBefore = process.cpuUsage();
const { stats, latencies, elapsed } = await run(spec.seconds, true);
const cpu = process.cpuUsage(cpuBefore);
const sorted = latencies.sort((a, b) => a - b);
say({
  event: 'result',
  seconds: elapsed,
  responses: stats.flows + stats.failed,
  ok: stats.flows,
  statusCodes: { ...(stats.flows ? { 200: stats.flows } : {}), ...stats.statusCodes },
  non2xx: stats.failed,
  errors: 0,
  timeouts: 0,
  mismatches: 0,
  samples: stats.samples,
  p50ms: percentile(sorted, 50),
  p99ms: percentile(sorted, 99),
  maxms: sorted.length ? sorted[sorted.length - 1] : NaN,
  loaderCpuPercent: ((cpu.user + cpu.system) / 1e6 / elapsed) * 100,
  requestsPerFlow: stats.flows ? stats.requests / (stats.flows + stats.failed) : NaN,
});
agent.destroy();
