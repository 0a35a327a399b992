/**
 * The entities both SQL stores keep as JSON documents, each declared once: its table,
 * its key, the columns it is found or sorted by (read from the document), and how an
 * upsert treats a row that exists. ./document-collection.ts turns a definition into
 * each dialect's SQL; ./document-store.ts builds the repositories from them; and
 * ./schema-parity.test.ts checks every definition against both stores' migrated schema.
 *
 * The document (`doc`, JSON text) is the entity itself. Columns copy the fields that
 * are searched, sorted or constrained (unique, foreign), so the document stays the one
 * truth: a reader parses `doc` and never the columns. Management ETags are hashes of
 * the entity (src/management/etag.ts), so no version column is needed here.
 */
import type { Api, Client, Consent, FederatedIdentity, IdentityProvider, Role, ServiceAccount, User } from '../core/model.js';

/** A column beside the document: its SQL type (for sorting and the parity check) and its value. */
export interface DocumentColumn<T> {
  type: 'text' | 'integer';
  /** May be null (the document may lack the field). */
  nullable?: boolean;
  value(doc: T): string | number | null;
}

export interface DocumentTable<T> {
  table: string;
  /** The columns beside `doc`, in insert order. */
  columns: Readonly<Record<string, DocumentColumn<T>>>;
  /** The primary key: what `get` and `delete` take, in this order. */
  key: readonly string[];
  /**
   * What an upsert matches an existing row by, when not the key: a natural key under a
   * UNIQUE constraint (users by username). On a match the row keeps its key and the
   * other columns and the document are replaced.
   */
  upsertOn?: readonly string[];
  /** What a replacing upsert keeps from the stored document (a user's id, say). */
  keep?(existing: T, incoming: T): T;
  /** A column that must match too for `update` and `delete` of one row: whose it is. */
  owner?: string;
  /** List order (ties broken by the later columns). */
  order: readonly string[];
  /** Rows of other tables that belong to one of these, deleted with it in one transaction. */
  dependents?: readonly { table: string; column: string }[];
}

const text = <T>(value: (doc: T) => string): DocumentColumn<T> => ({ type: 'text', value });

/** The common case: a document keyed, and listed, by one text field. */
const keyedBy = <T>(table: string, key: string, value: (doc: T) => string): DocumentTable<T> => ({
  table,
  columns: { [key]: text(value) },
  key: [key],
  order: [key],
});

export const API_TABLE = keyedBy<Api>('apis', 'identifier', (a) => a.identifier);
export const CLIENT_TABLE = keyedBy<Client>('clients', 'client_id', (c) => c.clientId);
export const ROLE_TABLE = keyedBy<Role>('roles', 'name', (r) => r.name);

export const USER_TABLE: DocumentTable<User> = {
  table: 'users',
  columns: {
    id: text((u) => u.id),
    username: text((u) => u.username),
    // Lower-cased, so finding users by email address ignores case.
    email: { type: 'text', nullable: true, value: (u) => u.email?.toLowerCase() ?? null },
  },
  key: ['id'],
  upsertOn: ['username'],
  keep: (existing, incoming) => ({ ...incoming, id: existing.id }),
  order: ['username'],
  dependents: [
    { table: 'federated_identities', column: 'user_id' },
    { table: 'user_factors', column: 'user_id' },
    { table: 'recovery_codes', column: 'user_id' },
  ],
};

export const SERVICE_ACCOUNT_TABLE: DocumentTable<ServiceAccount> = {
  table: 'service_accounts',
  columns: { id: text((a) => a.id), name: text((a) => a.name) },
  key: ['id'],
  upsertOn: ['name'],
  keep: (existing, incoming) => ({ ...incoming, id: existing.id, createdAt: existing.createdAt }),
  order: ['name'],
};

export const CONSENT_TABLE: DocumentTable<Consent> = {
  table: 'consents',
  columns: { user_id: text((c) => c.userId), client_id: text((c) => c.clientId) },
  key: ['user_id', 'client_id'],
  order: ['client_id'],
};

export const IDENTITY_PROVIDER_TABLE: DocumentTable<IdentityProvider> = {
  ...keyedBy<IdentityProvider>('identity_providers', 'id', (p) => p.id),
  dependents: [{ table: 'federated_identities', column: 'provider_id' }],
};

export const FEDERATED_IDENTITY_TABLE: DocumentTable<FederatedIdentity> = {
  table: 'federated_identities',
  columns: {
    provider_id: text((i) => i.providerId),
    subject: text((i) => i.subject),
    user_id: text((i) => i.userId),
    created_at: { type: 'integer', value: (i) => i.createdAt },
  },
  key: ['provider_id', 'subject'],
  // A link is updated or unlinked only for the user it belongs to.
  owner: 'user_id',
  order: ['provider_id', 'created_at'],
};

/** A definition without its entity type: what the schema-parity test compares. */
export type DocumentTableShape = Omit<DocumentTable<never>, 'columns' | 'keep'> & {
  columns: Readonly<Record<string, Omit<DocumentColumn<never>, 'value'>>>;
};

/** Every definition (a new document entity joins this list), for the schema-parity test. */
export const DOCUMENT_TABLES: readonly DocumentTableShape[] = [
  API_TABLE,
  CLIENT_TABLE,
  ROLE_TABLE,
  USER_TABLE,
  SERVICE_ACCOUNT_TABLE,
  CONSENT_TABLE,
  IDENTITY_PROVIDER_TABLE,
  FEDERATED_IDENTITY_TABLE,
];
