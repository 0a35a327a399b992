import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderMail } from './templates.js';

test('fills values, escapes them in HTML only, keeps subjects on one line, and lets overrides replace a part', () => {
  const values = {
    issuer: 'https://id.example.com',
    username: '<b>eve</b>\nBcc: x',
    email: 'e@example.com',
    link: 'https://id.example.com/password/reset/abc',
    minutes: '30',
  };
  const mail = renderMail('password-reset', values);
  assert.match(mail.text, /<b>eve<\/b>/);
  assert.doesNotMatch(mail.html, /<b>eve/);
  assert.match(mail.html, /&#60;b&#62;eve/);
  assert.match(mail.html, /href="https:\/\/id\.example\.com\/password\/reset\/abc"/);
  const custom = renderMail('password-reset', values, { 'password-reset': { subject: 'New password for {{username}}' } });
  assert.equal(custom.subject, 'New password for <b>eve</b> Bcc: x');
  assert.equal(custom.text, mail.text, 'the other parts stay the defaults');
});
