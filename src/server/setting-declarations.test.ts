import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SERVER_SETTINGS, type SettingDeclaration } from './setting-declarations.js';
import { settingDescription, settingJson, settingSchema } from './setting-reader.js';
import { startHelp } from './settings-reference.js';

const declarations = Object.entries(SERVER_SETTINGS) as [string, SettingDeclaration][];

describe('server setting declarations', () => {
  it('name every variable TESSERA_ in upper snake case, each once', () => {
    const names = declarations.flatMap(([, d]) => (d.env ? [d.env] : []));
    for (const name of names) assert.match(name, /^TESSERA_[A-Z0-9]+(_[A-Z0-9]+)*$/);
    assert.equal(new Set(names).size, names.length);
    const old = declarations.flatMap(([, d]) => d.formerly ?? []);
    for (const name of old) assert.ok(!names.includes(name), `${name} is both a name and a former name`);
  });
  it('point at keys of the server section, and describe and type every setting', () => {
    for (const [name, d] of declarations) {
      assert.ok(settingDescription(d), `${name} has no description`);
      if (d.readIn) continue;
      assert.ok(settingSchema(d), `${name} has no type`);
      assert.ok(settingJson(d), name);
      assert.ok(d.env || d.flag || d.config, `${name} cannot be set`);
    }
  });
  it('are all in tessera start --help, with the deprecated names', () => {
    const help = startHelp().replace(/\s+/g, ' ');
    for (const [, d] of declarations) {
      if (d.flag) assert.match(help, new RegExp(`--${d.flag.name} `));
      if (d.env) assert.match(help, new RegExp(`\\b${d.env}\\b`));
      for (const old of d.formerly ?? []) assert.match(help, new RegExp(`${old} \\(now ${d.env}\\)`));
    }
  });
});
