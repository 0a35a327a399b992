/**
 * The `email:` part of the server settings, resolved from the environment (first)
 * and the config file. Without SMTP, development writes each message to the log;
 * production (NODE_ENV=production) turns the mail flows off by default and refuses
 * to start when one is turned on explicitly, since its mail could never arrive.
 */
import type { ConfigFile } from '../core/config/schema.js';
import { ConfigError } from '../core/errors.js';
import type { MailFeatures } from '../core/mail/mail-context.js';
import { SERVER_SETTINGS, type SettingName } from './setting-declarations.js';
import { readSetting, type SettingSources } from './setting-reader.js';

type EmailConfig = NonNullable<NonNullable<ConfigFile['server']>['email']>;

export interface SmtpSettings {
  url?: string;
  host?: string;
  port?: number;
  secure?: boolean;
  user?: string;
  password?: string;
}

export interface EmailSettings {
  /** Absent: no SMTP server; messages go to the log (development only). */
  smtp?: SmtpSettings;
  from: string;
  templatesDir?: string;
  features: MailFeatures;
}

const DEV_FROM = 'Tessera <tessera@localhost>';

/** One mail setting from the environment or the config file's `email:` (setting-declarations.ts). */
function reader(env: NodeJS.ProcessEnv, email: EmailConfig | undefined) {
  const sources: SettingSources = { env, server: { email } };
  return <T>(name: SettingName) => readSetting<T>(SERVER_SETTINGS[name], sources);
}

function smtpFrom(read: ReturnType<typeof reader>): SmtpSettings | undefined {
  const url = read<string>('smtpUrl');
  const port = read<number>('smtpPort');
  const host = read<string>('smtpHost');
  if (!url && !host) return undefined;
  const smtp: SmtpSettings = url ? { url } : { host: host! };
  if (port !== undefined) smtp.port = port;
  const secure = read<boolean>('smtpSecure');
  if (secure !== undefined) smtp.secure = secure;
  const user = read<string>('smtpUser');
  const password = read<string>('smtpPassword');
  if (user) smtp.user = user;
  if (password) smtp.password = password;
  return smtp;
}

export function resolveEmailSettings(env: NodeJS.ProcessEnv, email: EmailConfig | undefined): EmailSettings {
  const read = reader(env, email);
  const smtp = smtpFrom(read);
  const production = env.NODE_ENV === 'production';
  const from = read<string>('mailFrom');
  if (smtp && !from)
    throw new ConfigError('email.from (or TESSERA_MAIL_FROM) is required with SMTP: the sender address, e.g. "Tessera <no-reply@example.com>"');
  const domains = (read<string[]>('signUpDomains') ?? []).map((d) => d.toLowerCase());
  const explicit = {
    passwordReset: email?.passwordReset,
    verification: email?.verification,
    invitations: email?.invitations,
    signUp: read<boolean>('signUp'),
  };
  if (production && !smtp) {
    const on = Object.entries(explicit)
      .filter(([, value]) => value === true)
      .map(([name]) => name);
    if (on.length > 0) {
      throw new ConfigError(
        `email: ${on.join(', ')} ${on.length === 1 ? 'needs' : 'need'} mail, but no SMTP server is configured and NODE_ENV=production; set email.smtp (or TESSERA_SMTP_URL) and email.from, or turn ${on.length === 1 ? 'it' : 'them'} off`,
      );
    }
  }
  const byDefault = smtp !== undefined || !production;
  const settings: EmailSettings = {
    from: from ?? DEV_FROM,
    features: {
      passwordReset: explicit.passwordReset ?? byDefault,
      verification: explicit.verification ?? byDefault,
      invitations: explicit.invitations ?? byDefault,
      signUp: { enabled: explicit.signUp ?? false, domains },
    },
  };
  if (smtp) settings.smtp = smtp;
  if (email?.templates) settings.templatesDir = email.templates;
  return settings;
}

/** Whether any flow would send mail. */
export function mailNeeded(settings: EmailSettings): boolean {
  const f = settings.features;
  return f.passwordReset || f.verification || f.invitations || f.signUp.enabled;
}
