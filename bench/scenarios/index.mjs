/**
 * The HTTP scenarios, in report order: each one request (or flow) against every
 * server it lists, on a fresh server each. A scenario is `{ id, title, servers,
 * prepare(url, endpoints, running) }`; `prepare` checks the server answers right and
 * says what to load (see lib/measure.mjs).
 */
import { flow } from './flow.mjs';
import { introspect } from './introspect.mjs';
import { jwt } from './jwt.mjs';
import { pat } from './pat.mjs';
import { reference } from './reference.mjs';

export const SCENARIOS = [jwt, reference, introspect, pat, flow];
