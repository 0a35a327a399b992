// The module hooks of log-module-loads.mjs (they run on the loader thread).
import { appendFileSync } from 'node:fs';

export async function load(url, context, next) {
  if (process.env.TESSERA_TEST_LOAD_LOG) appendFileSync(process.env.TESSERA_TEST_LOAD_LOG, `${process.pid} ${url}\n`);
  return next(url, context);
}
