#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI itself is bundled into dist/cli.js by `npm run build` (run on `npm install`).
require('../dist/cli.js');
