/**
 * JSON Schema as Gemini's `Schema` accepts it: Gemini fails a whole request on keywords it does
 * not know, has no `$ref`, `oneOf`, `const` or type lists, so tools' schemas are rewritten here.
 */
type JsonObject = Record<string, unknown>;

/** JSON-schema keywords Gemini's `Schema` rejects (it fails the whole request on unknown names). */
const UNSUPPORTED_SCHEMA_KEYS = new Set([
  '$schema',
  '$id',
  '$comment',
  '$anchor',
  '$defs',
  'definitions',
  'additionalProperties',
  'unevaluatedProperties',
  'patternProperties',
  'propertyNames',
  'dependentRequired',
  'dependentSchemas',
  'additionalItems',
  'prefixItems',
  'contains',
  'const',
  'examples',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'uniqueItems',
  'if',
  'then',
  'else',
  'not',
  'allOf',
  'oneOf',
  'contentEncoding',
  'contentMediaType',
  'readOnly',
  'writeOnly',
  'deprecated',
  'strict',
]);

/**
 * A JSON schema Gemini accepts: unsupported keywords removed at every level, local `$ref`s
 * inlined, `oneOf` read as `anyOf`, `const` as a one-value `enum`, `type: [x, 'null']` as
 * `nullable`. Property names are never touched, only schema positions.
 */
export function cleanSchema(schema: unknown, root: unknown = schema, depth = 0): unknown {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  if (depth > 32) return {};
  const source = schema as JsonObject;
  if (typeof source.$ref === 'string') {
    const target = resolveRef(root, source.$ref);
    const { $ref: _ref, ...siblings } = source;
    return cleanSchema({ ...(target as JsonObject), ...siblings }, root, depth + 1);
  }
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(source)) {
    if (UNSUPPORTED_SCHEMA_KEYS.has(key)) continue;
    if (key === 'properties' && value && typeof value === 'object' && !Array.isArray(value)) {
      result.properties = Object.fromEntries(
        Object.entries(value).map(([name, property]) => [name, cleanSchema(property, root, depth + 1)]),
      );
    } else if (key === 'items') {
      result.items = Array.isArray(value) ? cleanSchema(value[0] ?? {}, root, depth + 1) : cleanSchema(value, root, depth + 1);
    } else if (key === 'anyOf' && Array.isArray(value)) {
      result.anyOf = value.map((item) => cleanSchema(item, root, depth + 1));
    } else if (key === 'type' && Array.isArray(value)) {
      const types = value.filter((type) => type !== 'null');
      if (types.length < value.length) result.nullable = true;
      if (types.length === 1) result.type = types[0];
      else if (types.length > 1) result.anyOf = types.map((type) => ({ type }));
    } else {
      result[key] = value;
    }
  }
  if (Array.isArray(source.oneOf) && !result.anyOf) result.anyOf = source.oneOf.map((item) => cleanSchema(item, root, depth + 1));
  if (Array.isArray(source.allOf)) {
    // Gemini has no allOf: merge the branches into one schema.
    for (const branch of source.allOf) {
      const cleaned = cleanSchema(branch, root, depth + 1) as JsonObject;
      const { properties, required, ...rest } = cleaned;
      Object.assign(result, rest);
      if (properties) result.properties = { ...(result.properties as JsonObject | undefined), ...(properties as JsonObject) };
      if (Array.isArray(required)) result.required = [...new Set([...((result.required as string[] | undefined) ?? []), ...required])];
    }
  }
  // Gemini accepts only these string formats and fails the request on any other.
  if (result.type === 'string' && typeof result.format === 'string' && !['enum', 'date-time'].includes(result.format)) delete result.format;
  if (source.const !== undefined && result.enum === undefined) {
    result.enum = [source.const];
    if (result.type === undefined && typeof source.const === 'string') result.type = 'string';
  }
  if (typeof source.exclusiveMinimum === 'number' && result.minimum === undefined) result.minimum = source.exclusiveMinimum;
  if (typeof source.exclusiveMaximum === 'number' && result.maximum === undefined) result.maximum = source.exclusiveMaximum;
  if (Array.isArray(result.anyOf) && result.anyOf.some((item) => (item as JsonObject | undefined)?.type === 'null')) {
    result.anyOf = result.anyOf.filter((item) => (item as JsonObject | undefined)?.type !== 'null');
    result.nullable = true;
    if ((result.anyOf as unknown[]).length === 1) {
      Object.assign(result, (result.anyOf as JsonObject[])[0]);
      delete result.anyOf;
    }
  }
  return result;
}

function resolveRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return {};
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node && typeof node === 'object' ? (node as JsonObject)[key] : undefined;
  }
  return node && typeof node === 'object' ? node : {};
}

/** Function parameters: Gemini rejects an OBJECT schema with no properties, so such a function takes none. */
export function functionParameters(parameters: unknown): unknown {
  if (!parameters || typeof parameters !== 'object') return undefined;
  const cleaned = cleanSchema(parameters) as JsonObject;
  const properties = cleaned.properties as JsonObject | undefined;
  if ((cleaned.type === undefined || cleaned.type === 'object') && (!properties || Object.keys(properties).length === 0)) return undefined;
  return cleaned;
}
