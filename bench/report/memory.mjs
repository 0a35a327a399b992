/**
 * Section h: idle and peak RSS per server over every run of this invocation, the
 * memory figures gathered in one place.
 */
import { SERVERS } from '../lib/servers.mjs';
import { fmt, table } from './format.mjs';

/** Every run's idle and peak RSS, per server. */
export function memoryReport(results) {
  const runs = [];
  const add = (label, where, r) => {
    if (r && !r.error && (Number.isFinite(r.rssIdleMB) || r.keepPeak)) runs.push({ label, where, idle: r.rssIdleMB, peak: r.rssPeakMB });
  };
  add('raw node:http', 'floor', results.floors.rawHttp);
  add('node:http + ES256', 'floor', results.floors.signHttp);
  for (const scenario of results.scenarios) for (const r of scenario.results) add(SERVERS[r.server].label, scenario.id, r);
  for (const section of results.sections ?? []) {
    if (section.id === 'store') {
      for (const r of section.store) add(`Tessera (${r.backend}, ${fmt.int(r.size)} tokens)`, `store ${r.what}`, r);
    }
  }
  const labels = [...new Set(runs.map((r) => r.label))];
  const rows = labels.map((label) => {
    const mine = runs.filter((r) => r.label === label);
    const idle = mine.map((r) => r.idle).filter(Number.isFinite);
    const peak = mine.reduce((a, b) => (b.peak > a.peak ? b : a));
    return [label, String(mine.length), `${fmt.one(Math.min(...idle))} - ${fmt.one(Math.max(...idle))}`, `${fmt.one(peak.peak)} (${peak.where})`];
  });
  return ['h. memory per server: RSS idle (after start-up and one request) and peak (under load), over every run above', table(['server', 'runs', 'RSS idle MB', 'RSS peak MB (in)'], rows).replace(/^/gm, '  ')];
}
