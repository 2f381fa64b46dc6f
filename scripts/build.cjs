#!/usr/bin/env node
// `npm run build`: src/ compiled to plain JavaScript in dist/, with the files the code reads
// beside it (styles, scripts, the migrations' lock), for production: Node runs dist/main.js
// without a TypeScript loader, which spares each process about 50 MB and its start-up
// compilation. The types are checked by `npm run check`, not here.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
fs.cpSync(path.join(root, 'src'), dist, {
  recursive: true,
  filter: (file) => !/\.tsx?$/.test(file),
});
