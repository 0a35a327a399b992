// Tessera's passkey script: the one script the sign-in, second-step and account pages
// load (CSP allows this file by its URL, and no inline script). It finds the forms
// marked data-passkey, runs navigator.credentials.create() or .get() with the options
// the server put in data-options (WebAuthn's JSON form: binary values as base64url),
// writes the answer as JSON into the form's hidden `credential` field and submits it.
// A sign-in form marked data-conditional also offers passkeys in the username field's
// autofill, where the browser supports conditional mediation. No request of its own.

/** @param {string} value base64url */
function toBytes(value) {
  const text = atob(value.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (value.length % 4)) % 4));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** @param {ArrayBuffer | null} buffer */
function toBase64url(buffer) {
  if (!buffer) return undefined;
  let text = '';
  for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** @param {{ id: string, transports?: string[] }[] | undefined} list */
function descriptors(list) {
  return (list ?? []).map((c) => ({ type: 'public-key', id: toBytes(c.id), ...(c.transports ? { transports: c.transports } : {}) }));
}

/** @param {any} json creation options, as the server sent them */
function creationOptions(json) {
  return {
    ...json,
    challenge: toBytes(json.challenge),
    user: { ...json.user, id: toBytes(json.user.id) },
    excludeCredentials: descriptors(json.excludeCredentials),
  };
}

/** @param {any} json request options, as the server sent them */
function requestOptions(json) {
  const options = { ...json, challenge: toBytes(json.challenge) };
  if (json.allowCredentials) options.allowCredentials = descriptors(json.allowCredentials);
  return options;
}

/** The answer as the server reads it (RegistrationResponseJSON / AuthenticationResponseJSON). @param {any} credential */
function answerJson(credential) {
  const r = credential.response;
  /** @type {Record<string, unknown>} */
  const response = { clientDataJSON: toBase64url(r.clientDataJSON) };
  if ('attestationObject' in r) {
    response.attestationObject = toBase64url(r.attestationObject);
    if (typeof r.getTransports === 'function') response.transports = r.getTransports();
  } else {
    response.authenticatorData = toBase64url(r.authenticatorData);
    response.signature = toBase64url(r.signature);
    if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
  }
  return JSON.stringify({
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response,
    clientExtensionResults: credential.getClientExtensionResults(),
    ...(credential.authenticatorAttachment ? { authenticatorAttachment: credential.authenticatorAttachment } : {}),
  });
}

/** @param {HTMLFormElement} form */
function setUp(form) {
  const status = /** @type {HTMLElement | null} */ (form.querySelector('.passkey-status'));
  const button = /** @type {HTMLButtonElement | null} */ (form.querySelector('[data-passkey-button]'));
  const field = /** @type {HTMLInputElement} */ (form.querySelector('input[name="credential"]'));
  const say = (/** @type {string} */ text) => {
    if (status) status.textContent = text;
  };
  if (!window.PublicKeyCredential || !navigator.credentials) {
    if (button) button.disabled = true;
    say('This browser cannot use passkeys.');
    return;
  }
  const create = form.dataset.passkey === 'create';
  const options = JSON.parse(form.dataset.options ?? '{}');
  /** @type {AbortController | undefined} */
  let waiting;

  /** @param {any} credential */
  const send = (credential) => {
    field.value = answerJson(credential);
    form.submit();
  };

  /** @param {unknown} error */
  const failed = (error) => {
    const name = error instanceof DOMException ? error.name : '';
    if (name === 'AbortError') return;
    if (button) button.disabled = false;
    if (name === 'NotAllowedError') say('The passkey request was cancelled or timed out. Try again.');
    else if (name === 'InvalidStateError') say('That passkey is already added to your account.');
    else say('Your browser could not use a passkey here.');
  };

  form.addEventListener('submit', (event) => {
    if (field.value) return;
    event.preventDefault();
    waiting?.abort();
    if (button) button.disabled = true;
    say('Follow your browser’s prompt…');
    const request = create
      ? navigator.credentials.create({ publicKey: creationOptions(options) })
      : navigator.credentials.get({ publicKey: requestOptions(options) });
    request.then((credential) => (credential ? send(credential) : failed(undefined)), failed);
  });

  if (!create && form.dataset.conditional === 'true' && typeof PublicKeyCredential.isConditionalMediationAvailable === 'function') {
    PublicKeyCredential.isConditionalMediationAvailable().then(
      (available) => {
        if (!available) return;
        waiting = new AbortController();
        navigator.credentials
          .get({ publicKey: requestOptions(options), mediation: 'conditional', signal: waiting.signal })
          .then((credential) => credential && send(credential), failed);
      },
      () => {},
    );
  }
}

for (const form of document.querySelectorAll('form[data-passkey]')) setUp(/** @type {HTMLFormElement} */ (form));
