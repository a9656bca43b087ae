/** `npm run schema`: regenerates suites/schema.json from the zod suite schema. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { suiteJsonSchema } from './jsonSchema.js';

const target = fileURLToPath(new URL('../../../suites/schema.json', import.meta.url));
writeFileSync(target, JSON.stringify(suiteJsonSchema(), null, 2) + '\n');
console.log(`wrote ${target}`);
