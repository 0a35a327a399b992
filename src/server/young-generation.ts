/**
 * V8's young generation held at its initial size while a server starts. Start-up
 * allocates a lot that survives (modules, the engine, the store's statements), and each
 * scavenge that sees much survive doubles the semi-spaces (`--semi-space-growth-factor`,
 * 2 by default); they then stay large at idle, several MB of resident memory per process
 * that an idle server never uses. With the factor at 1 during start-up they keep their
 * initial size; once the process serves, the default comes back, so under load the young
 * generation grows as V8 sees fit (throughput is what it grows for).
 *
 * An operator who sized the young generation (`--max-semi-space-size` and the like, in
 * NODE_OPTIONS or on the node command line) keeps exactly what they asked for: nothing
 * is changed then.
 */
import v8 from 'node:v8';

/** V8's default growth factor in Node 20 (`node --v8-options`); young-generation.test.ts checks it. */
export const DEFAULT_SEMI_SPACE_GROWTH_FACTOR = 2;

/** Flags by which an operator sizes the young generation (V8 takes `_` for `-` in its flag names). */
const YOUNG_GENERATION_FLAG = /--(?:(?:min|max)[-_])?semi[-_]space|--max[-_]heap[-_]size|--single[-_]generation|--minor[-_]mc/;

/** Whether the operator sized the young generation, in NODE_OPTIONS or node's own arguments. */
export function operatorSizedYoungGeneration(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  return [...execArgv, nodeOptions].some((arg) => YOUNG_GENERATION_FLAG.test(arg));
}

/**
 * Keeps the young generation at its size from now until the returned function is called
 * (again calls do nothing). Does nothing when the operator sized it.
 */
export function holdYoungGeneration(sizedByOperator = operatorSizedYoungGeneration(), setFlags = v8.setFlagsFromString): () => void {
  if (sizedByOperator) return () => {};
  setFlags('--semi-space-growth-factor=1');
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    setFlags(`--semi-space-growth-factor=${DEFAULT_SEMI_SPACE_GROWTH_FACTOR}`);
  };
}
