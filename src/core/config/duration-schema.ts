/**
 * The configuration's duration type: seconds as a number, or a string such as "90s",
 * "15m", "1h", "30d" (the CLI's form too). Its own file so that every schema file can
 * use it without importing another schema file.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';

export const duration = z
  .union([z.number(), z.string()])
  .meta({ title: 'duration' })
  .transform((value, ctx) => {
    const seconds = parseDuration(value);
    if (seconds === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected a positive duration such as 3600, "15m", "1h" or "30d"' });
      return z.NEVER;
    }
    return seconds;
  });
