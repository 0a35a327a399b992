/**
 * Every import of every TypeScript file under src/, read with the TypeScript compiler's
 * parser (not a regex): static imports and re-exports, type-only ones (erased when
 * compiled), and import() calls (loaded only when reached). The rules that judge them
 * are in import-rules.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import ts from 'typescript';

export type ImportKind = 'static' | 'type' | 'dynamic';

export interface ImportEdge {
  /** The importing file, relative to the repository root: `src/core/x.ts`. */
  from: string;
  /** The specifier as written. */
  specifier: string;
  kind: ImportKind;
  /** A relative import: the file it names, relative to the root (`.js` read as `.ts`). */
  file?: string;
  /** A package import: its name (`pg`, `@scope/name`, `node:crypto`). */
  packageName?: string;
}

const BUILTINS = new Set(builtinModules);

function sourceFiles(root: string, dir: string): string[] {
  return readdirSync(posix.join(root, dir)).flatMap((name) => {
    const path = posix.join(dir, name);
    if (statSync(posix.join(root, path)).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(root, path);
    return /\.(m|c)?tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function packageOf(specifier: string): string {
  if (specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0]!)) return specifier.startsWith('node:') ? specifier : `node:${specifier}`;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function edge(from: string, specifier: string, kind: ImportKind): ImportEdge {
  if (!specifier.startsWith('.')) return { from, specifier, kind, packageName: packageOf(specifier) };
  const file = posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.(m|c)?js$/, '.$1ts');
  return { from, specifier, kind, file };
}

/** An import declaration is type-only when its clause is (`import type`) or every named binding is. */
function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return !clause.name && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

export function importsOf(path: string, text: string): ImportEdge[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false);
  const edges: ImportEdge[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      edges.push(edge(path, node.moduleSpecifier.text, isTypeOnlyImport(node) ? 'type' : 'static'));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      edges.push(edge(path, node.moduleSpecifier.text, node.isTypeOnly ? 'type' : 'static'));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteralLike(argument)) edges.push(edge(path, argument.text, 'dynamic'));
      else edges.push({ from: path, specifier: argument ? argument.getText(source) : '', kind: 'dynamic' });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      edges.push(edge(path, node.argument.literal.text, 'type'));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** The imports of every source file under `dir` (default src/) of the repository at `root`. */
export function readImports(root: string, dir = 'src'): ImportEdge[] {
  return sourceFiles(root, dir).flatMap((path) => importsOf(path, readFileSync(posix.join(root, path), 'utf8')));
}
