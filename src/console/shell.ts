/**
 * The one HTML document of the console. It holds no data and no inline code: the
 * scripts and the style sheet are files of 'self', so the policy is script-src 'self'
 * and style-src 'self', and the page may talk to nothing but this server.
 */
import type { EngineResponse } from '../core/request.js';
import { MANAGEMENT_SCOPES, managementAudience } from '../management/management-api.js';
import { html } from '../pages/html.js';
import { CONSOLE_CLIENT_ID } from '../management/console-client.js';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const SECURITY_HEADERS = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export function consoleShell(issuer: string): EngineResponse {
  const document = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="tessera-issuer" content="${issuer}">
<meta name="tessera-client-id" content="${CONSOLE_CLIENT_ID}">
<meta name="tessera-audience" content="${managementAudience(issuer)}">
<meta name="tessera-scopes" content="${MANAGEMENT_SCOPES.join(' ')}">
<title>Tessera admin console</title>
<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="assets/console.css">
<script type="module" src="assets/main.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<div id="app" class="app">
<main id="main" tabindex="-1"><p class="loading" role="status">Loading the console…</p></main>
</div>
<noscript><p>The admin console needs JavaScript.</p></noscript>
</body>
</html>`;
  return { status: 200, headers: { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' }, html: document.value };
}
