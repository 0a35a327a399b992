/**
 * The messages Tessera sends, in English, as plain text and HTML. A deployment may
 * replace any part of any of them (src/server/mail-templates.ts reads a directory);
 * `{{name}}` is replaced by the value, HTML-escaped in the HTML part.
 */

/** Numeric character references: enough for text and attribute values in mail HTML. */
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const MAIL_KINDS = ['password-reset', 'verify-email', 'invitation', 'sign-up-exists'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

export interface MailTemplate {
  subject: string;
  text: string;
  html: string;
}

export type TemplateOverrides = Partial<Record<MailKind, Partial<MailTemplate>>>;

const button = (label: string) =>
  `<p><a href="{{link}}" style="display:inline-block;padding:10px 16px;background:#3457d5;color:#fff;border-radius:6px;text-decoration:none">${label}</a></p>\n<p style="color:#666;font-size:13px">Or open this address: {{link}}</p>`;
const frame = (body: string) => `<!doctype html><html lang="en"><body style="font-family:system-ui,sans-serif;line-height:1.5">\n${body}\n</body></html>`;

export const DEFAULT_TEMPLATES: Record<MailKind, MailTemplate> = {
  'password-reset': {
    subject: 'Reset your password',
    text: `Hello {{username}},\n\nSomeone (we hope you) asked to reset the password of your account at {{issuer}}.\nTo choose a new password, open this link within {{minutes}} minutes:\n\n{{link}}\n\nThe link works once. If you did not ask for this, ignore this message: your password stays as it is.\n`,
    html: frame(
      `<p>Hello {{username}},</p>\n<p>Someone (we hope you) asked to reset the password of your account at {{issuer}}. To choose a new password, use this link within {{minutes}} minutes:</p>\n${button('Choose a new password')}\n<p>The link works once. If you did not ask for this, ignore this message: your password stays as it is.</p>`,
    ),
  },
  'verify-email': {
    subject: 'Confirm your email address',
    text: `Hello {{username}},\n\nPlease confirm that {{email}} is your email address at {{issuer}} by opening this link within {{hours}} hours:\n\n{{link}}\n\nIf you did not expect this, ignore this message.\n`,
    html: frame(
      `<p>Hello {{username}},</p>\n<p>Please confirm that {{email}} is your email address at {{issuer}}, within {{hours}} hours:</p>\n${button('Confirm my email address')}\n<p>If you did not expect this, ignore this message.</p>`,
    ),
  },
  invitation: {
    subject: 'You are invited to {{issuer}}',
    text: `Hello,\n\nYou have been invited to an account at {{issuer}} (username: {{username}}).\nTo accept, open this link within {{days}} days and choose a password:\n\n{{link}}\n\nIf you did not expect this, ignore this message.\n`,
    html: frame(
      `<p>Hello,</p>\n<p>You have been invited to an account at {{issuer}} (username: <strong>{{username}}</strong>). To accept, choose a password within {{days}} days:</p>\n${button('Accept the invitation')}\n<p>If you did not expect this, ignore this message.</p>`,
    ),
  },
  'sign-up-exists': {
    subject: 'You already have an account',
    text: `Hello,\n\nSomeone (we hope you) tried to sign up at {{issuer}} with this email address, which already has an account.\nIf it was you, sign in, or choose a new password here:\n\n{{link}}\n\nIf it was not you, ignore this message.\n`,
    html: frame(
      `<p>Hello,</p>\n<p>Someone (we hope you) tried to sign up at {{issuer}} with this email address, which already has an account. If it was you, sign in, or choose a new password:</p>\n${button('Reset my password')}\n<p>If it was not you, ignore this message.</p>`,
    ),
  },
};

function fill(template: string, values: Record<string, string>, encode: (v: string) => string): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? encode(values[name]!) : whole));
}

/** The message of `kind` with `values` filled in, overrides taking precedence part by part. */
export function renderMail(kind: MailKind, values: Record<string, string>, overrides: TemplateOverrides = {}): MailTemplate {
  const template = { ...DEFAULT_TEMPLATES[kind], ...overrides[kind] };
  const plain = (v: string) => v.replace(/[\r\n]+/g, ' ');
  return { subject: fill(template.subject, values, plain), text: fill(template.text, values, (v) => v), html: fill(template.html, values, escapeHtml) };
}
