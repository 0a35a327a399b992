/**
 * The `email:` part of the server settings, resolved from the environment (first)
 * and the config file. Without SMTP, development writes each message to the log;
 * production (NODE_ENV=production) turns the mail flows off by default and refuses
 * to start when one is turned on explicitly, since its mail could never arrive.
 */
import type { ConfigFile } from '../core/config/schema.js';
import { ConfigError } from '../core/errors.js';
import type { MailFeatures } from '../core/mail/mail-context.js';

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

function flag(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const text = env[name]?.trim().toLowerCase();
  if (text === undefined || text === '') return undefined;
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off'].includes(text)) return false;
  throw new ConfigError(`${name} must be true or false, got ${env[name]}`);
}

function smtpFrom(env: NodeJS.ProcessEnv, email: EmailConfig | undefined): SmtpSettings | undefined {
  const url = env.TESSERA_SMTP_URL || email?.smtp;
  if (url !== undefined && !/^smtps?:\/\/[^/]/.test(url)) throw new ConfigError('TESSERA_SMTP_URL / email.smtp must be an smtp:// or smtps:// URL');
  const port = env.TESSERA_SMTP_PORT ? Number(env.TESSERA_SMTP_PORT) : email?.port;
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) throw new ConfigError(`TESSERA_SMTP_PORT must be a port number, got ${env.TESSERA_SMTP_PORT}`);
  const host = env.TESSERA_SMTP_HOST || email?.host;
  if (!url && !host) return undefined;
  const smtp: SmtpSettings = url ? { url } : { host: host! };
  if (port !== undefined) smtp.port = port;
  const secure = flag(env, 'TESSERA_SMTP_SECURE') ?? email?.secure;
  if (secure !== undefined) smtp.secure = secure;
  const user = env.TESSERA_SMTP_USER || email?.user;
  const password = env.TESSERA_SMTP_PASSWORD || email?.password;
  if (user) smtp.user = user;
  if (password) smtp.password = password;
  return smtp;
}

export function resolveEmailSettings(env: NodeJS.ProcessEnv, email: EmailConfig | undefined): EmailSettings {
  const smtp = smtpFrom(env, email);
  const production = env.NODE_ENV === 'production';
  const from = env.TESSERA_MAIL_FROM || email?.from;
  if (smtp && !from) throw new ConfigError('email.from (or TESSERA_MAIL_FROM) is required with SMTP: the sender address, e.g. "Tessera <no-reply@example.com>"');
  const domains = env.TESSERA_SIGNUP_DOMAINS ? env.TESSERA_SIGNUP_DOMAINS.split(',').map((d) => d.trim().toLowerCase()).filter(Boolean) : (email?.signUp?.domains ?? []).map((d) => d.toLowerCase());
  const explicit = {
    passwordReset: email?.passwordReset,
    verification: email?.verification,
    invitations: email?.invitations,
    signUp: flag(env, 'TESSERA_SIGNUP') ?? email?.signUp?.enabled,
  };
  if (production && !smtp) {
    const on = Object.entries(explicit).filter(([, value]) => value === true).map(([name]) => name);
    if (on.length > 0) {
      throw new ConfigError(`email: ${on.join(', ')} ${on.length === 1 ? 'needs' : 'need'} mail, but no SMTP server is configured and NODE_ENV=production; set email.smtp (or TESSERA_SMTP_URL) and email.from, or turn ${on.length === 1 ? 'it' : 'them'} off`);
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
