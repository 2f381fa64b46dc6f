#!/usr/bin/env node
// Runs the XSS scan of @kitajs/ts-html-plugin (`xss-scan`) with one correction: up to 4.1.4
// it checks the false branch of a conditional twice and never the true one, so that
// `{cond ? `… ${name}` : 'x'}` in a JSX child passed unescaped. This loads the plugin's
// `util.js` with that line corrected, and fails if the line is no longer there (then check
// whether a new version fixed it and remove this wrapper).
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

const pluginDir = path.dirname(require.resolve('@kitajs/ts-html-plugin/package.json'));
const utilFile = path.join(pluginDir, 'dist', 'util.js');
const WRONG = 'return [node.whenFalse, node.whenFalse];';
const RIGHT = 'return [node.whenTrue, node.whenFalse];';

const source = fs.readFileSync(utilFile, 'utf8');
if (!source.includes(WRONG)) {
  console.error(`xss-scan: ${utilFile} changed; check whether the conditional fix is still needed.`);
  process.exit(3);
}
const loadJs = Module._extensions['.js'];
Module._extensions['.js'] = (module, filename) => {
  if (filename !== utilFile) return loadJs(module, filename);
  module._compile(source.replace(WRONG, RIGHT), filename);
};
require(path.join(pluginDir, 'dist', 'cli.js'));
