/** What the `registration:` block of the configuration file resolves to (config/registration-schema.ts). */
import { registrationSchema, type RegistrationInput } from '../config/registration-schema.js';

export type RegistrationPolicy = RegistrationInput;

/** Registration closed: the default when the configuration file has no `registration:` block. */
export const REGISTRATION_DISABLED: RegistrationPolicy = registrationSchema.parse({});

/** Fills in defaults, e.g. for `{ enabled: true }` in tests and embedding code. */
export function registrationPolicy(input: Partial<Record<keyof RegistrationPolicy, unknown>> = {}): RegistrationPolicy {
  return registrationSchema.parse(input);
}
