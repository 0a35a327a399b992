import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { mailNeeded, resolveEmailSettings } from './email-settings.js';

const smtp = { smtp: 'smtp://mail.example.com:587', from: 'Auth <no-reply@example.com>' };

test('development without SMTP: the flows are on and mail goes to the log; sign-up stays off', () => {
  const settings = resolveEmailSettings({}, undefined);
  assert.equal(settings.smtp, undefined);
  assert.deepEqual(settings.features, { passwordReset: true, verification: true, invitations: true, signUp: { enabled: false, domains: [] } });
  assert.equal(mailNeeded(settings), true);
});

test('production without SMTP: the flows are off, and turning one on refuses to start', () => {
  const settings = resolveEmailSettings({ NODE_ENV: 'production' }, undefined);
  assert.equal(mailNeeded(settings), false);
  assert.throws(
    () => resolveEmailSettings({ NODE_ENV: 'production' }, { signUp: { enabled: true, domains: [] } }),
    (e: Error) => e instanceof ConfigError && /signUp needs mail/.test(e.message),
  );
  assert.throws(() => resolveEmailSettings({ NODE_ENV: 'production', TESSERA_SIGNUP: 'true' }, { passwordReset: true }), /passwordReset, signUp need mail/);
  assert.equal(mailNeeded(resolveEmailSettings({ NODE_ENV: 'production' }, smtp)), true);
});

test('SMTP from the file or the environment (which wins), with a sender required', () => {
  assert.deepEqual(resolveEmailSettings({}, smtp).smtp, { url: 'smtp://mail.example.com:587' });
  const env = {
    TESSERA_SMTP_HOST: 'smtp.example.org',
    TESSERA_SMTP_PORT: '465',
    TESSERA_SMTP_SECURE: 'true',
    TESSERA_SMTP_USER: 'u',
    TESSERA_SMTP_PASSWORD: 'p',
    TESSERA_MAIL_FROM: 'x@example.org',
  };
  const fromEnv = resolveEmailSettings(env, undefined);
  assert.deepEqual(fromEnv.smtp, { host: 'smtp.example.org', port: 465, secure: true, user: 'u', password: 'p' });
  assert.equal(fromEnv.from, 'x@example.org');
  assert.throws(() => resolveEmailSettings({ TESSERA_SMTP_URL: 'smtp://m.example.com' }, undefined), /email.from/);
  assert.throws(() => resolveEmailSettings({ TESSERA_SMTP_URL: 'http://m.example.com', TESSERA_MAIL_FROM: 'a@b.c' }, undefined), /smtp:\/\//);
  assert.throws(() => resolveEmailSettings({ TESSERA_SIGNUP: 'maybe' }, undefined), /TESSERA_SIGNUP must be true or false/);
  assert.deepEqual(resolveEmailSettings({ TESSERA_SIGNUP: 'yes', TESSERA_SIGNUP_DOMAINS: 'Example.com, example.org' }, undefined).features.signUp, {
    enabled: true,
    domains: ['example.com', 'example.org'],
  });
});
