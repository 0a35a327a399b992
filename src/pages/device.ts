/**
 * The device flow's pages (RFC 8628 §3.3): the form where a person types the code
 * their device shows, and the page that sends them back to the device.
 */
import type { DeviceCodeView, DeviceDoneView } from '../core/ports/views.js';
import type { EngineResponse } from '../core/request.js';
import { appName } from './app-name.js';
import { html } from './html.js';
import { page } from './layout.js';

const STYLE = `
input#user_code { font-size: 1.4rem; letter-spacing: .15em; text-transform: uppercase; text-align: center; font-family: ui-monospace, monospace; }
`;

export function deviceCodePage(view: DeviceCodeView): EngineResponse {
  return page(
    html`<h1>Connect a device</h1>
<p>Enter the code shown on your device: your TV, a command-line tool, or another app that asked you to visit this page.</p>
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
<form method="post" action="${view.action}">
  <input type="hidden" name="csrf" value="${view.csrf}">
  <label for="user_code">Code</label>
  <input type="text" id="user_code" name="user_code" value="${view.userCode ?? ''}" placeholder="XXXX-XXXX" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" maxlength="20" required autofocus>
  <p class="muted">Only continue if you started this yourself, on a device you have in front of you.</p>
  <div class="actions"><button type="submit" class="primary">Continue</button></div>
</form>`,
    { title: 'Connect a device', style: STYLE, ...(view.status ? { status: view.status } : {}) },
  );
}

export function deviceDonePage(view: DeviceDoneView): EngineResponse {
  return view.approved
    ? page(
        html`<h1>Device connected</h1>
<p><strong>${appName(view.clientName)}</strong> can now act for you. Return to your device: it will continue on its own in a few seconds.</p>
<p class="muted">You can close this window. You can revoke this access at any time on your account page.</p>`,
        { title: 'Device connected' },
      )
    : page(
        html`<h1>Access denied</h1>
<p><strong>${appName(view.clientName)}</strong> was not given access. Your device will say that the request was denied.</p>
<p class="muted">You can close this window.</p>`,
        { title: 'Access denied' },
      );
}
