#!/usr/bin/env node
// Fails when a file that registers routes checks who may call them by hand. Access is declared
// in the route's registration (`config: { access }`) and enforced by the platform's hook
// (src/platform/http/access.ts); the resource checks (this person, this place) belong to the
// domain functions, which ask `can`/`ensure`. Usage: node scripts/access-scan.cjs [dir…]
// (default: src). Exit 1 with one line per finding.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** A file that registers routes on a Fastify instance. */
const REGISTERS_ROUTES = /\b(?:app|api|scope|instance|fastify)\.(?:get|post|put|patch|delete|route)\s*[<(]/;

/** The platform's own mechanism is where these belong. */
const MECHANISM = new Set([path.join('src', 'platform', 'http', 'access.ts')]);

const RULES = [
  [/\bactor\.kind\s*[!=]==/, 'compares actor.kind: declare the access, or use isSignedIn/signedInActor'],
  [/\bmemberships\.\w+\(.*\brole\b|\b(?:m|membership)\.role\s*[!=]==/, 'reads the roles: declare the access instead'],
  [
    /\b(?:isAdmin|isHelperIn|hasRoleIn|helperCollectivites|managedCollectivites|ensureAdmin)\s*\(/,
    'calls a role predicate: declare the access, or ask can() for what to show',
  ],
  [/(?<![.\w])ensure\s*\(/, 'calls ensure(): the resource check belongs in a domain function'],
  [/\bnew\s+ForbiddenError\b/, 'throws ForbiddenError: declare the access, or refuse in a domain function'],
  [/\bpreHandler\b/, 'adds its own preHandler: declare the access instead'],
  [/\bredirect\(\s*['"`]\/connexion['"`]\s*\)/, 'sends to sign-in itself: declare the access instead'],
];

function* sourceFiles(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') yield* sourceFiles(full);
    } else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
      yield full;
    }
  }
}

/** The findings of one file's text, as `line: reason`. */
function scan(text) {
  if (!REGISTERS_ROUTES.test(text)) return [];
  const findings = [];
  text.split('\n').forEach((line, index) => {
    const code = line.trim();
    if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return;
    for (const [pattern, reason] of RULES) {
      if (pattern.test(line)) findings.push(`${index + 1}: ${reason}\n    ${code}`);
    }
  });
  return findings;
}

const roots = process.argv.slice(2);
const findings = [];
for (const root of roots.length > 0 ? roots : ['src']) {
  for (const file of sourceFiles(root)) {
    if (MECHANISM.has(path.relative(process.cwd(), file))) continue;
    for (const finding of scan(fs.readFileSync(file, 'utf8'))) findings.push(`${file}:${finding}`);
  }
}
if (findings.length > 0) {
  console.error(
    `access-scan: ${findings.length} hand-written access check(s) in route files; each route declares ` +
      `its access in its registration (config: { access }, see src/platform/http/access.ts):\n` +
      findings.join('\n'),
  );
  process.exit(1);
}
