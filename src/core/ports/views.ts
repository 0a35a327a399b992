/**
 * What the engine shows a person, as a port: the engine decides which page and
 * fills a plain view model; the host supplies how it looks (src/pages, passed in
 * as `views` when the engine is assembled). This keeps HTML, CSS and CSP out of
 * src/core, as oidc-provider takes `renderError`/`logoutSource` as options.
 */
import type { EngineResponse } from '../request.js';

export interface SignInView {
  action: string;
  csrf: string;
  clientName: string;
  /** The client's origin: signing in may redirect straight there, which CSP form-action governs. */
  formActions: string[];
  username?: string;
  error?: string;
  status?: number;
  /** "Forgot your password?" and "Create an account", when those flows are on. */
  links?: SignInLinks;
  /** "Sign in with …" buttons for upstream identity providers. */
  providers?: UpstreamButton[];
  /** Signing in with a passkey: a button (and passkeys offered as the username field autofills): where its form posts, and the request. */
  passkey?: PasskeyPrompt & { action: string };
}

/** What a page needs to ask the browser for a passkey: the options (JSON) for navigator.credentials, and the script that does it. */
export interface PasskeyPrompt {
  options: string;
  /** The script's URL (served by Tessera; CSP allows it and nothing else). */
  script: string;
}

/** A link that starts a round trip to an upstream identity provider (or leads back). */
export interface UpstreamButton {
  name: string;
  href: string;
}

/** The account page's linked upstream identities, and the providers that could be linked. */
export interface IdentitiesView {
  identities: { providerId: string; providerName: string; subject: string; label: string; linkedAt: number; canUnlink: boolean }[];
  /** Providers to link, with the URL that starts it. */
  linkable: UpstreamButton[];
}

/** Where the links under the sign-in form go; each absent when its flow is off. */
export interface SignInLinks {
  forgotPassword?: string;
  signUp?: string;
}

export interface ConsentView {
  action: string;
  csrf: string;
  clientName: string;
  username: string;
  /** Only the scopes not yet granted. */
  scopes: { name: string; description: string }[];
  apiName?: string;
  formActions: string[];
  /** The request came from a device through the verification page (RFC 8628): say so, against phishing. */
  device?: boolean;
  /**
   * A client nobody here checked (a client ID metadata document, with its URL as clientId,
   * or one that registered itself, RFC 7591): its name is only what it declares, so the
   * page says so and shows where it would send the user back.
   */
  unverified?: { clientId?: string; redirectHost: string };
}

/** The verification page of the device flow (RFC 8628 §3.3): where the user types the code their device shows. */
export interface DeviceCodeView {
  action: string;
  csrf: string;
  /** Pre-filled from verification_uri_complete, or what was typed before an error. */
  userCode?: string;
  error?: string;
  status?: number;
}

/** The end of a device flow in the browser: the user goes back to the device. */
export interface DeviceDoneView {
  clientName: string;
  approved: boolean;
}

export interface LogoutConfirmView {
  action: string;
  xsrf: string;
  /** The request's parameters, carried through the confirmation form. */
  fields: Record<string, string>;
  formActions: string[];
}

export type AccountSection = 'apps' | 'tokens' | 'password' | 'security' | 'sessions' | 'identities';

export interface AccountView {
  /** Where forms post: `${issuer}/account`. */
  base: string;
  issuer: string;
  csrf: string;
  username: string;
  name?: string;
  notice?: { section: AccountSection; kind: 'success' | 'error'; text: string };
  /** A credential just created: its secret, shown this once. */
  created?: { name: string; secret: string; usage: string };
  apps: { clientId: string; name: string; scopes: string[]; grantedAt: number }[];
  tokens: { id: string; kindLabel: string; name: string; access: string; createdAt: number; expiresAt?: number; lastUsedAt?: number }[];
  hasUserToken: boolean;
  /** APIs the user may create personal access tokens for, with the scopes their roles allow. */
  patApis: { identifier: string; name: string; scopes: { name: string; description: string }[] }[];
  /** Lifetimes a personal access token may have, up to the configured maximum. */
  expiry: { seconds: number; label: string }[];
  defaultExpiry: number;
  /** Values to put back in a form after an error. */
  form?: { name?: string; endpoints?: string; scopes?: string[]; expiresIn?: number; dpopJkt?: string };
  hasPassword: boolean;
  /** The email address and whether it is confirmed; `resend` when a confirmation link can be mailed. */
  email?: { address: string; verified: boolean; resend: boolean };
  /** Linked upstream identities and providers to link (absent when no provider is set up). */
  identities?: IdentitiesView;
  /** Second factors and recovery codes. */
  security: {
    factors: { id: string; type: 'totp' | 'passkey'; name: string; createdAt: number; lastUsedAt?: number }[];
    recoveryCodes: { total: number; remaining: number };
    /** Setting up an authenticator app: the sealed secret the confirm form carries back, the URI (QR code) and the secret as text. */
    enrolment?: { sealed: string; uri: string; secret: string };
    /** New recovery codes, shown this once. */
    newRecoveryCodes?: string[];
    /** Whether policy requires this user to keep a second factor. */
    required: boolean;
    /** Adding a passkey: the name it will have, and the request for navigator.credentials.create(). */
    passkeyEnrolment?: PasskeyPrompt & { name: string };
  };
  sessions: { id: string; current: boolean; createdAt: number; lastSeenAt: number; userAgent?: string; ip?: string }[];
  status?: number;
}

/** The second step of a sign-in: a one-time code, or setting up an authenticator app first (`enrolment`). */
export interface SecondFactorView {
  action: string;
  csrf: string;
  username: string;
  /** The user has no factor yet: the otpauth:// URI (the page draws its QR code) and the secret as text. */
  enrolment?: { uri: string; secret: string };
  /** Why a second factor is asked for, when the user is made to set one up. */
  reason?: string;
  /** The user has passkeys: the request for one of them. `only` when there is no code to type instead (no app, no recovery code left). */
  passkey?: PasskeyPrompt & { only: boolean };
  /** Setting a factor up: a passkey may be added instead of an authenticator app. */
  passkeyEnrolment?: PasskeyPrompt;
  formActions: string[];
  error?: string;
  status?: number;
}

/** A page between signing in and going on: recovery codes to save, or how many remain. */
export interface SignInNoticeView {
  title: string;
  message: string;
  /** New recovery codes, shown this once. */
  codes?: string[];
  next: string;
  formActions: string[];
}

/** Every page the engine can answer with. Each returns a complete response (status, headers, HTML). */
export interface Views {
  /** A page that says what went wrong and what to do; `status` is the HTTP status. */
  error(title: string, message: string, status: number): EngineResponse;
  signIn(view: SignInView): EngineResponse;
  /** A round trip to an upstream identity provider failed or was refused; `back` leads to where it started. */
  upstreamError(view: { title: string; message: string; status: number; back?: UpstreamButton }): EngineResponse;
  consent(view: ConsentView): EngineResponse;
  /** response_mode=form_post (OAuth 2.0 Form Post Response Mode): posts `fields` to `action`. */
  formPost(action: string, fields: Record<string, string>): EngineResponse;
  logoutConfirm(view: LogoutConfirmView): EngineResponse;
  signedOut(): EngineResponse;
  account(view: AccountView): EngineResponse;
  deviceCode(view: DeviceCodeView): EngineResponse;
  deviceDone(view: DeviceDoneView): EngineResponse;
  secondFactor(view: SecondFactorView): EngineResponse;
  signInNotice(view: SignInNoticeView): EngineResponse;
}
