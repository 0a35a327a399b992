#!/usr/bin/env node
/**
 * Summarizes V8 CPU profiles (`node --cpu-prof`, e.g. from bench/engine-ab.mjs with
 * PROF=DIR): where the busy samples went, as shares of the samples that were not idle.
 * Prints the top functions by self time, the same grouped by source file (a
 * dependency's files as one package), and, for the functions named with --focus, their
 * inclusive share (self plus everything they called). A native frame (a driver's
 * statement, a digest) is named with the nearest caller in our code or a package.
 *
 *   node bench/prof-summary.mjs FILE_OR_DIR [...] [--top 30] [--focus NAME,NAME]
 *
 * Several profiles are summed (a directory: every .cpuprofile under it).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  if (at === -1) return fallback;
  const [, value] = args.splice(at, 2);
  return value;
};
const top = Number(option('--top', '30'));
const focus = option('--focus', '')
  .split(',')
  .filter((name) => name !== '');
if (args.length === 0) {
  console.error('usage: node bench/prof-summary.mjs FILE_OR_DIR [...] [--top 30] [--focus NAME,NAME]');
  process.exit(2);
}

const files = args.flatMap(function profiles(path) {
  return statSync(path).isDirectory() ? readdirSync(path).flatMap((name) => profiles(join(path, name))) : path.endsWith('.cpuprofile') ? [path] : [];
});

/** Where a function lives: a dependency as its package, our own code as its path under dist/ or src/. */
function placeOf(url) {
  if (!url) return '(native or V8)';
  if (url.startsWith('node:')) return url;
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1];
  const own = /\/(dist|src|bench)\/(.*)$/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

/** The nearest JavaScript function above a native frame: which statement.run, which digest. */
function callerOf(nodes, parent, id) {
  for (let at = parent.get(id); at !== undefined; at = parent.get(at)) {
    const { functionName, url, lineNumber } = nodes.get(at).callFrame;
    if (url && !url.startsWith('node:')) return `${functionName || '(anonymous)'} ${placeOf(url)}:${lineNumber + 1}`;
  }
  return 'nothing';
}

const IDLE = new Set(['(idle)', '(program)', '(garbage collector)']);
const selfByFunction = new Map();
const selfByPlace = new Map();
const inclusive = new Map(focus.map((name) => [name, 0]));
let busy = 0;
let gc = 0;
let program = 0;
let total = 0;
const add = (map, key, n) => map.set(key, (map.get(key) ?? 0) + n);

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const childId of node.children ?? []) parent.set(childId, node.id);
  const hits = new Map();
  for (const id of profile.samples) add(hits, id, 1);
  for (const [id, count] of hits) {
    const node = nodes.get(id);
    const { functionName, url, lineNumber } = node.callFrame;
    total += count;
    if (functionName === '(idle)') continue;
    if (functionName === '(program)') program += count;
    if (functionName === '(garbage collector)') gc += count;
    busy += count;
    const name = functionName || '(anonymous)';
    add(selfByFunction, IDLE.has(name) ? name : `${name} ${url ? `${placeOf(url)}:${lineNumber + 1}` : `(native, from ${callerOf(nodes, parent, id)})`}`, count);
    add(selfByPlace, IDLE.has(name) ? name : placeOf(url), count);
    if (focus.length > 0) {
      // Inclusive: a sample counts once for each focused function on its stack.
      const seen = new Set();
      for (let at = id; at !== undefined; at = parent.get(at)) {
        const frame = nodes.get(at).callFrame.functionName;
        if (inclusive.has(frame) && !seen.has(frame)) {
          seen.add(frame);
          add(inclusive, frame, count);
        }
      }
    }
  }
}

const share = (n) => `${((100 * n) / busy).toFixed(1).padStart(5)}%`;
console.log(`${files.length} profile(s), ${busy} busy samples of ${total} (GC ${share(gc)}, V8 "program" ${share(program)} of busy)`);
const print = (title, map, limit = top) => {
  console.log(`\n${title}`);
  for (const [key, n] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) console.log(`${share(n)}  ${key}`);
};
print('self time by function', selfByFunction);
print('self time by place', selfByPlace);
if (focus.length > 0) print('inclusive (self and callees; an async function only up to its first await)', inclusive, inclusive.size);
