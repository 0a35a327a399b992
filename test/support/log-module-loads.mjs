// Preloaded with `node --import` (after tsx): every ES module a process loads is appended,
// as "<pid> <url>", to the file named by TESSERA_TEST_LOAD_LOG. Workers forked by
// node:cluster inherit the flag, so one file tells what each process of a machine loaded.
import { register } from 'node:module';

register(new URL('./log-module-loads-hooks.mjs', import.meta.url));
