/**
 * Where the bench and the repository it measures live, for every runner module
 * wherever it sits under bench/ (servers and CLI verbs run from ROOT, children from BENCH).
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT = dirname(BENCH);
