import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { ValidationError } from '../errors.ts';

export type JsonSchemaObject = Record<string, unknown>;

// ajv-formats is CommonJS: its default export arrives wrapped.
type AddFormats = (ajv: Ajv2020) => unknown;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

/**
 * JSON Schema validation for capability inputs and outputs (draft 2020-12, and the draft-07
 * schemas MCP tools advertise, which it reads the same for the keywords tools use). Validators
 * are compiled once per schema and cached.
 */
const ajv = new Ajv2020({ strict: false, allErrors: false, validateSchema: true, addUsedSchema: false });
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();
const MAX_CACHED = 2_000;

/** Checks that a schema compiles; returns the problem, or null. */
export function schemaProblem(schema: JsonSchemaObject): string | null {
  try {
    compile(schema);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

function compile(schema: JsonSchemaObject): ValidateFunction {
  const { $schema: _ignored, ...rest } = schema;
  const key = JSON.stringify(rest);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(rest);
    if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value as string);
    compiled.set(key, validate);
  }
  return validate;
}

/**
 * A validator answering null when the value matches, else a ValidationError naming the field
 * (`input.channel`), as every other 400 does.
 */
export function schemaValidator(schema: JsonSchemaObject) {
  const validate = compile(schema);
  return (value: unknown, root: string): ValidationError | null => {
    if (validate(value)) return null;
    const [first] = validate.errors ?? [];
    const path = (first?.instancePath ?? '')
      .split('/')
      .slice(1)
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
    const missing = first?.keyword === 'required' ? (first.params as { missingProperty?: string }).missingProperty : undefined;
    if (missing) path.push(missing);
    const param = [root, ...path].join('.');
    const message = missing ? `${param} is required.` : `${param} ${first?.message ?? 'is invalid'}.`;
    return new ValidationError(message, param);
  };
}
