#!/usr/bin/env node
/**
 * Reads a V8 CPU profile (`node --cpu-prof`, or `PROF=DIR node bench/ab.mjs ...`) and
 * prints where the busy time went: self time by function and by file, each as a share
 * of the non-idle samples, so a change can be aimed at what a profile shows rather
 * than at a guess. The idle and (program) / (garbage collector) entries are printed
 * apart. Optional: `--top N` rows (default 30), `--match TEXT` to also print the
 * inclusive (self + callees) share of every function whose name or file contains TEXT;
 * `--groups` to also split the busy time of a Tessera token request into parts (signing,
 * audit, client authentication, metrics, the rest of the engine, HTTP and node:http,
 * start-up, GC): each sample goes to the first part in PARTS's order that any frame of
 * its stack belongs to (a signature made inside the HTTP handler is signing). Shares
 * are also given without start-up, i.e. of the time spent serving requests.
 *
 *   node bench/profile-summary.mjs FILE.cpuprofile [--top 40] [--match audit] [--groups]
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const top = Number(option('--top', '30'));
const match = option('--match', undefined);
const groupsAt = args.indexOf('--groups');
const groups = groupsAt >= 0;
if (groups) args.splice(groupsAt, 1);
const file = args[0];
if (!file) {
  console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [--top N] [--match TEXT]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));

/** Self time of each node, from the sample timeline (timeDeltas[i] belongs to samples[i]). */
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const shortFile = (url) => {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm);
  const at = path.search(/\/(dist|src|bench)\//);
  return at >= 0 ? path.slice(at + 1) : path;
};
const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);
const byFunction = new Map();
const byFile = new Map();
const special = new Map();
let busy = 0;
for (const [id, us] of selfUs) {
  const { callFrame } = nodes.get(id);
  const name = callFrame.functionName || '(anonymous)';
  if (SPECIAL.has(name)) {
    special.set(name, (special.get(name) ?? 0) + us);
    if (name === '(idle)') continue;
  }
  busy += us;
  const where = shortFile(callFrame.url);
  const key = `${name}  ${where}:${callFrame.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  byFile.set(where, (byFile.get(where) ?? 0) + us);
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const pct = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
const ms = (us) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)} ${ms(us)}  ${key}`);
};
console.log(`${file}\nsampled ${ms(total)}, busy (not idle) ${ms(busy)}; shares below are of busy time`);
for (const [name, us] of special) console.log(`  ${name}: ${ms(us)}${name === '(idle)' ? '' : ` ${pct(us)}`}`);
print('self time by function', byFunction);
print('self time by file', byFile);

if (match) {
  // Inclusive time: a node's self time plus its descendants', counted once per function
  // on a stack even when it recurses.
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map();
  for (const [id, us] of selfUs) {
    if (nodes.get(id).callFrame.functionName === '(idle)') continue;
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const { callFrame } = nodes.get(at);
      const key = `${callFrame.functionName || '(anonymous)'}  ${shortFile(callFrame.url)}:${callFrame.lineNumber + 1}`;
      if (!key.toLowerCase().includes(match.toLowerCase()) || seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  print(`inclusive time of functions matching "${match}"`, inclusive);
}

/** The parts of a token request, by where a frame's code lives; the first that matches wins. */
const PARTS = [
  ['start-up (modules, key generation)', (name, file) => file.startsWith('node:internal/modules') || file.includes('cjs-module-lexer') || name === 'generateKeyPairSync' || name === 'compileSourceTextModule'],
  ['signing (ES256, JWS)', (_name, file) => file === 'node:internal/crypto/sig' || file.endsWith('core/keys/jws.js')],
  ['audit (record, seal, store)', (name, file) => file.includes('core/audit/') || name === 'appendAuditEvents'],
  ['client authentication', (_name, file) => file.includes('core/client-auth/') || file.endsWith('secret-hasher.js')],
  ['metrics', (_name, file) => file.endsWith('http/metrics.js') || file.includes('http/local-') || file.includes('prom-client')],
  ['engine, rest (grant, token endpoint, catalog, store)', (_name, file) => file.includes('dist/core/') || file.includes('dist/stores/') || file.includes('better-sqlite3')],
  ['HTTP (node:http, sockets, Tessera http/)', (_name, file) => file.startsWith('node:_http') || file.startsWith('node:net') || file.includes('stream') || file.includes('dist/http/')],
];
if (groups) {
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const parts = new Map();
  for (const [id, us] of selfUs) {
    const leaf = nodes.get(id).callFrame.functionName;
    if (leaf === '(idle)') continue;
    let part = leaf === '(garbage collector)' ? 'garbage collector' : leaf === '(program)' ? '(program): V8 and native, unattributed' : undefined;
    let best = PARTS.length;
    for (let at = id; part === undefined && at !== undefined; at = parent.get(at)) {
      const { callFrame } = nodes.get(at);
      const index = PARTS.findIndex(([, test]) => test(callFrame.functionName, shortFile(callFrame.url)));
      if (index >= 0 && index < best) best = index;
    }
    part ??= PARTS[best]?.[0] ?? 'other (event loop, timers, microtasks)';
    parts.set(part, (parts.get(part) ?? 0) + us);
  }
  print('busy time by part of the request', parts);
  const startUp = parts.get(PARTS[0][0]) ?? 0;
  console.log(`\nwithout start-up (${ms(startUp).trim()}), of ${ms(busy - startUp).trim()} serving requests:`);
  for (const [key, us] of [...parts].sort((a, b) => b[1] - a[1])) {
    if (key !== PARTS[0][0]) console.log(`${((100 * us) / (busy - startUp)).toFixed(1).padStart(5)}%  ${key}`);
  }
}
