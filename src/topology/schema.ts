/**
 * The published JSON Schema (schema/sentinel-compose.schema.json) is the one description of the
 * spec's shape: editors use it for completion, `checkShape` walks it for validation, and the
 * README's spec reference is tested against it. Loaded from the package root so that the same
 * file serves src/ under tests and dist/ when installed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean;
  required?: string[];
  oneOf?: JsonSchema[];
  default?: unknown;
  examples?: unknown[];
  description?: string;
  definitions?: Record<string, JsonSchema>;
}

export const SCHEMA_FILE = fileURLToPath(new URL('../../schema/sentinel-compose.schema.json', import.meta.url));

let cached: JsonSchema | undefined;

export function specSchema(): JsonSchema {
  cached ??= JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as JsonSchema;
  return cached;
}

/** Follows a local `#/definitions/x` reference, keeping the referring node's description. */
export function deref(node: JsonSchema, root: JsonSchema = specSchema()): JsonSchema {
  if (!node.$ref) return node;
  const name = node.$ref.replace(/^#\/definitions\//, '');
  const target = root.definitions?.[name];
  if (!target) throw new Error(`schema: unknown $ref ${node.$ref}`);
  const { $ref: _ref, ...rest } = node;
  return { ...deref(target, root), ...rest };
}
