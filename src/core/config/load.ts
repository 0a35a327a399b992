/**
 * Parses and validates a configuration document. Every problem is reported with the
 * path of the field (`clients[2].redirectUris[0]: expected an absolute URI`), and
 * references between entities are checked, so misconfiguration fails at start.
 */
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import { configFileSchema, type ConfigFile } from './schema.js';

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/** What already exists in the store, so a file may refer to APIs and roles it does not define. */
export interface KnownEntities {
  apis: { identifier: string; scopes: { name: string }[] }[];
  roles: string[];
  identityProviders?: string[];
}

export function parseConfigText(text: string, source: string, known?: KnownEntities): ConfigFile {
  let raw: unknown;
  try {
    raw = parseYaml(text); // YAML is a superset of JSON: one parser reads both.
  } catch (error) {
    throw new ConfigError(`${source}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  return validateConfig(raw ?? {}, source, known);
}

export function validateConfig(raw: unknown, source: string, known?: KnownEntities): ConfigFile {
  const result = configFileSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${formatPath(issue.path) || '(root)'}: ${issue.message}`);
    throw new ConfigError(`${source} is invalid:\n${lines.join('\n')}`);
  }
  checkReferences(result.data, source, known);
  return result.data;
}

function checkReferences(config: ConfigFile, source: string, known?: KnownEntities): void {
  const problems: string[] = [];
  const apis = new Map<string, { scopes: { name: string }[] }>((known?.apis ?? []).map((api) => [api.identifier, api]));
  for (const api of config.apis) apis.set(api.identifier, api);
  const duplicates = (names: string[]) => names.filter((name, i) => names.indexOf(name) !== i);
  for (const id of duplicates(config.apis.map((a) => a.identifier))) problems.push(`apis: identifier ${id} appears twice`);
  for (const id of duplicates(config.clients.map((c) => c.clientId))) problems.push(`clients: clientId ${id} appears twice`);
  for (const name of duplicates(config.users.map((u) => u.username))) problems.push(`users: username ${name} appears twice`);
  const roleNames = new Set([...(known?.roles ?? []), ...config.roles.map((r) => r.name)]);

  const checkPermissions = (where: string, permissions: Record<string, string[]>) => {
    for (const [identifier, scopes] of Object.entries(permissions)) {
      const api = apis.get(identifier);
      if (!api) {
        problems.push(`${where}: unknown API ${identifier}`);
        continue;
      }
      for (const scope of scopes) {
        if (!api.scopes.some((s) => s.name === scope)) problems.push(`${where}: API ${identifier} has no scope ${scope}`);
      }
    }
  };
  config.clients.forEach((client, i) => {
    if (client.api && !apis.has(client.api)) problems.push(`clients[${i}].api: unknown API ${client.api}`);
    if (client.api) checkPermissions(`clients[${i}].scopes`, { [client.api]: client.scopes });
    checkPermissions(`clients[${i}].permissions`, client.permissions);
  });
  config.roles.forEach((role, i) => {
    checkPermissions(`roles[${i}].permissions`, role.permissions);
  });
  config.serviceAccounts.forEach((account, i) => {
    for (const role of account.roles) if (!roleNames.has(role)) problems.push(`serviceAccounts[${i}].roles: unknown role ${role}`);
  });
  const providerIds = new Set([...(known?.identityProviders ?? []), ...config.identityProviders.map((p) => p.id)]);
  for (const id of duplicates(config.identityProviders.map((p) => p.id))) problems.push(`identityProviders: id ${id} appears twice`);
  config.clients.forEach((client, i) => {
    for (const id of client.identityProviders ?? [])
      if (!providerIds.has(id)) problems.push(`clients[${i}].identityProviders: unknown identity provider ${id}`);
  });
  config.identityProviders.forEach((provider, i) => {
    for (const rule of provider.roleMappings) {
      for (const role of rule.roles) if (!roleNames.has(role)) problems.push(`identityProviders[${i}].roleMappings: unknown role ${role}`);
    }
  });
  config.users.forEach((user, i) => {
    for (const role of user.roles) if (!roleNames.has(role)) problems.push(`users[${i}].roles: unknown role ${role}`);
  });
  if (problems.length > 0) throw new ConfigError(`${source} is invalid:\n${problems.map((p) => `  ${p}`).join('\n')}`);
}
