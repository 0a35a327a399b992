/**
 * The runner's settings, read once from its arguments (--quick, --json) and the
 * BENCH_* environment; a bad value stops the run with exit code 2 before anything
 * starts. bench/README.md lists every variable with its default.
 */
const ARGS = process.argv.slice(2);
for (const arg of ARGS) {
  if (arg !== '--json' && arg !== '--quick') {
    console.error(`bench: unknown argument ${arg} (takes --quick and --json)`);
    process.exit(2);
  }
}
export const JSON_OUT = ARGS.includes('--json');
export const QUICK = ARGS.includes('--quick');
export const SECONDS = positive('BENCH_SECONDS', QUICK ? 2 : 5);
export const WARMUP_SECONDS = positive('BENCH_WARMUP_SECONDS', QUICK ? 1 : 1.5, true);
/** Flows are slow (a password hash each): longer runs, few in flight. */
export const FLOW_SECONDS = positive('BENCH_FLOW_SECONDS', QUICK ? 3 : 8);
export const FLOW_CONCURRENCY = 8;
/** Each of the four in-process SDK loops. */
export const SDK_SECONDS = QUICK ? 0.5 : 1.5;
export const STORE_SIZES = (process.env.BENCH_STORE_SIZES ?? (QUICK ? '10000,100000' : '10000,1000000')).split(',').map((n) => {
  const size = Number(n.trim());
  if (!Number.isInteger(size) || size < 1000 || size > 10_000_000) {
    console.error(`bench: BENCH_STORE_SIZES takes whole numbers from 1000 to 10000000; got ${n}`);
    process.exit(2);
  }
  return size;
});
/** Stored tokens introspection cycles through in the store-scale scenario. */
export const STORE_SAMPLE = 20_000;
export const CONNECTIONS = positive('BENCH_CONNECTIONS', 50);
export const RETRIES = positive('BENCH_RETRIES', 1, true);
export const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
export const SERVER_CPU = '0';
/**
 * Other processes' share of a benchmark core above which a run is flagged: any real
 * share of the server core skews its figures; the load generator's core has room.
 */
export const DISTURBED_SERVER_PERCENT = 5;
export const DISTURBED_LOADER_PERCENT = 15;
export const LOADER_CPU = '1';

function positive(name, fallback, zeroOk = false) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (!zeroOk && n === 0) || n > 120) {
    console.error(`bench: ${name} must be a number of at most 120${zeroOk ? '' : ', above 0'}; got ${raw}`);
    process.exit(2);
  }
  return n;
}
