/** The engine's mail option from the server settings: the transport, the sender, the flows and the deployment's templates. */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { MailOptions } from '../core/mail/mail-context.js';
import { MAIL_KINDS, type MailTemplate, type TemplateOverrides } from '../core/mail/templates.js';
import type { EmailSettings } from '../server/email-settings.js';
import { logTransport } from './log-transport.js';
import { smtpTransport } from './smtp-transport.js';

const PARTS: [keyof MailTemplate, string][] = [
  ['subject', 'subject'],
  ['text', 'txt'],
  ['html', 'html'],
];

/** Reads <kind>.subject, <kind>.txt and <kind>.html from `dir`, where present. */
export async function loadTemplates(dir: string): Promise<TemplateOverrides> {
  const overrides: TemplateOverrides = {};
  for (const kind of MAIL_KINDS) {
    for (const [part, extension] of PARTS) {
      let text: string;
      try {
        text = await readFile(join(resolve(dir), `${kind}.${extension}`), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw new ConfigError(`email.templates: cannot read ${kind}.${extension} in ${dir}: ${(error as Error).message}`);
      }
      (overrides[kind] ??= {})[part] = part === 'subject' ? text.trim() : text;
    }
  }
  return overrides;
}

export async function mailOptions(
  settings: EmailSettings,
  log: { info(fields: object, message: string): void; warn(fields: object, message: string): void },
): Promise<MailOptions> {
  return {
    transport: settings.smtp ? smtpTransport(settings.smtp) : logTransport((fields, message) => log.info(fields, message)),
    from: settings.from,
    features: settings.features,
    ...(settings.templatesDir ? { templates: await loadTemplates(settings.templatesDir) } : {}),
    onError: (error) => log.warn({ err: error }, 'queuing mail failed'),
  };
}
