#!/usr/bin/env node
// `npm run check`: the type check, the XSS scan of the TSX views, the scan for access checks
// written by hand in route handlers and the Biome lint run at the same time (each on its own
// core where there are several); each one's output is printed whole when it ends, and the
// check fails when any of them fails.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const bin = (name) => path.join(__dirname, '..', 'node_modules', '.bin', name);
const steps = [
  ['TypeScript', bin('tsc'), ['-p', 'tsconfig.json']],
  ['XSS scan', process.execPath, [path.join(__dirname, 'xss-scan.cjs')]],
  ['Access scan', process.execPath, [path.join(__dirname, 'access-scan.cjs')]],
  ['Biome', bin('biome'), ['check', 'src', 'test', 'bench']],
];

function run([name, command, args]) {
  const started = Date.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks = [];
  child.stdout.on('data', (d) => chunks.push(d));
  child.stderr.on('data', (d) => chunks.push(d));
  return new Promise((resolve) => {
    child.on('error', (error) => chunks.push(Buffer.from(`${error.message}\n`)));
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const output = Buffer.concat(chunks).toString();
      process.stdout.write(`== ${name}: ${code === 0 ? 'ok' : 'FAILED'} (${seconds} s)\n${output}`);
      resolve(code === 0);
    });
  });
}

Promise.all(steps.map(run)).then((results) => {
  process.exitCode = results.every(Boolean) ? 0 : 1;
});
