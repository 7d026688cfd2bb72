// Regenerates schemas/modellint.schema.json from the compiled sources (run `npx tsc -b` first).
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { configJsonSchema } = require(join(root, 'out/server/src/config/json-schema.js'));
const { allRules } = require(join(root, 'out/server/src/rules/index.js'));
mkdirSync(join(root, 'schemas'), { recursive: true });
writeFileSync(join(root, 'schemas/modellint.schema.json'), JSON.stringify(configJsonSchema(allRules), null, 2) + '\n');
console.log('wrote schemas/modellint.schema.json');
