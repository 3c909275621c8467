// Validates gateway output against OpenAI's published OpenAPI document (../shared/specs/openai-openapi.json).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = path.dirname(fileURLToPath(import.meta.url));
const specPath = process.env.OPENAI_SPEC ?? path.resolve(here, '../../../shared/specs/openai-openapi.json');
const spec = JSON.parse(readFileSync(specPath, 'utf8'));

// OpenAPI 3.1 schemas are JSON Schema 2020-12 plus a few annotations (discriminator, x-oai-*): validate with those ignored.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
ajv.addFormat('unixtime', { type: 'number', validate: n => Number.isInteger(n) && n >= 0 });
ajv.addSchema({ $id: 'openai', components: spec.components });

const cache = new Map();

/** Throws with every violation when `value` does not match components.schemas[name]. */
export function assertSchema(name, value) {
  if (!spec.components.schemas[name]) {
    throw new Error(`No schema ${name} in the OpenAI spec`);
  }

  let validate = cache.get(name);
  if (!validate) {
    validate = ajv.compile({ $ref: `openai#/components/schemas/${name}` });
    cache.set(name, validate);
  }

  if (!validate(value)) {
    const errors = validate.errors.map(e => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('\n  ');
    throw new Error(`${name} does not match OpenAI's schema:\n  ${errors}\n${JSON.stringify(value).slice(0, 2000)}`);
  }
}
