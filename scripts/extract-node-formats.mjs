#!/usr/bin/env node
// Extracts the message strings of real Node libraries from npm into test/templates/formats/*.jsonl
// (the Python and PostgreSQL side is scripts/extract-formats.py; see test/templates/formats/README.md).
//
//   npm install --prefix DIR fastify pino ioredis bullmq pg pg-pool @prisma/client --ignore-scripts
//   node scripts/extract-node-formats.mjs DIR/node_modules
//
// Each package's .js files are parsed with the TypeScript compiler (a dev dependency already) and
// these messages are kept, when they are a string literal or a template literal:
// * logging calls: `<x>.info|warn|error|debug|trace|fatal(...)` on a receiver named like a logger
//   (`log`, `logger`, `this.log`, `request.log`), the first string argument (pino takes an object first);
// * `debug('...%s', x)` (the debug package, printf style) and `console.log|warn|error(...)`;
// * error messages: `new <Name>Error(msg)` and fastify's `createError(code, msg)` (printf style),
//   which reach the logs when the error is logged.
// A template literal becomes a brace format (`${x}` is `{}`). Output as in extract-formats.py.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'test', 'templates', 'formats');
const LEVELS = new Set(['info', 'warn', 'error', 'debug', 'trace', 'fatal']);
/** Source name → packages (directories under node_modules) and the files to read in each. */
const SOURCES = {
  // pino, fastify's logger, has only 4 messages of its own: they join fastify's.
  fastify: [['fastify', ['fastify.js', 'lib']], ['pino', ['pino.js', 'lib']]],
  ioredis: [['ioredis', ['built']]],
  bullmq: [['bullmq', ['dist/cjs']]],
  'node-postgres': [['pg', ['lib']], ['pg-pool', ['index.js']], ['pg-protocol', ['dist']]],
  prisma: [['@prisma/client', ['runtime/client.js']]],
};

const modules = process.argv[2];
if (!modules) {
  console.error('usage: node scripts/extract-node-formats.mjs <node_modules directory>');
  process.exit(2);
}

function* jsFiles(path) {
  if (statSync(path).isDirectory()) {
    for (const e of readdirSync(path).sort()) if (e !== 'node_modules' && e !== 'test') yield* jsFiles(join(path, e));
  } else if (/\.(c|m)?js$/.test(path) && !path.endsWith('.min.js')) yield path;
}

const loggerish = (e) =>
  (ts.isIdentifier(e) && /log/i.test(e.text)) || (ts.isPropertyAccessExpression(e) && /log/i.test(e.name.text));

/** [format, style] of a string or template literal node, or null. */
function literal(node) {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text, null];
  if (ts.isTemplateExpression(node)) {
    const esc = (s) => s.replace(/[{}]/g, (c) => c + c);
    return [esc(node.head.text) + node.templateSpans.map((s) => '{}' + esc(s.literal.text)).join(''), 'brace'];
  }
  return null;
}

/** The message of a call or `new` expression, with the style its arguments imply, or null. */
function messageOf(node) {
  const callee = node.expression;
  const args = node.arguments ?? [];
  let kind = null;
  let idx = 0;
  if (ts.isNewExpression(node)) {
    if (ts.isIdentifier(callee) && /Error$/.test(callee.text)) kind = 'error';
  } else if (ts.isPropertyAccessExpression(callee)) {
    const m = callee.name.text;
    if (LEVELS.has(m) && loggerish(callee.expression)) kind = 'log';
    else if (ts.isIdentifier(callee.expression) && callee.expression.text === 'console' && /^(log|warn|error|info)$/.test(m)) kind = 'log';
  } else if (ts.isIdentifier(callee)) {
    if (callee.text === 'debug') kind = 'log';
    else if (callee.text === 'createError') {
      kind = 'error';
      idx = 1;
    }
  }
  if (!kind) return null;
  // pino and fastify log an object first: the message is the first string argument after it.
  for (let i = idx; i < args.length; i++) {
    const lit = literal(args[i]);
    if (lit) {
      const [format, style] = lit;
      const rest = args.length > i + 1 || callee.text === 'createError';
      return [format, style ?? (rest || /%[sdifjoO]/.test(format) ? 'printf' : 'literal')];
    }
    if (kind === 'error' || i > idx) return null;
  }
  return null;
}

for (const [source, pkgs] of Object.entries(SOURCES)) {
  const rows = new Map();
  for (const [pkg, parts] of pkgs) {
    const base = join(modules, pkg);
    const version = JSON.parse(readFileSync(join(base, 'package.json'), 'utf8')).version;
    for (const part of parts) {
      for (const file of jsFiles(join(base, part))) {
        const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
        const visit = (n) => {
          if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
            const m = messageOf(n);
            if (m && m[0].trim() && !rows.has(m[0])) {
              rows.set(m[0], {
                file: relative(modules, file),
                format: m[0],
                line: sf.getLineAndCharacterOfPosition(n.getStart()).line + 1,
                package: pkg,
                style: m[1],
                version,
              });
            }
          }
          ts.forEachChild(n, visit);
        };
        visit(sf);
      }
    }
  }
  const sorted = [...rows.values()].sort((a, b) => (a.format < b.format ? -1 : a.format > b.format ? 1 : 0));
  writeFileSync(join(OUT, `${source}.jsonl`), sorted.map((r) => JSON.stringify(r)).join('\n') + '\n');
  console.error(`${source}: ${sorted.length} format strings`);
}
