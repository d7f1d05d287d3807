/**
 * Types from JSON Schemas: a capability's `input` and `output` schemas are written once, in the
 * manifest's dialect, and its handler's types follow from them.
 *
 * Only the keywords below are understood; any other schema maps to `unknown`, which is safe to
 * narrow by hand. Types only: nothing here exists at run time.
 *
 * @example
 * type Input = FromSchema<{
 *   type: 'object';
 *   properties: { city: { type: 'string' }; days: { type: 'integer' }; units: { enum: ['metric', 'imperial'] } };
 *   required: ['city'];
 * }>;
 * // { city: string; days?: number; units?: 'metric' | 'imperial' }
 */

export type JsonPrimitive = string | number | boolean | null;
/** Any JSON value: what crosses between a plugin and its host. */
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };

/** The values of the `type` keyword. */
export type JsonSchemaType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';

/**
 * A JSON Schema as the manifest holds it. The named keywords are the ones `FromSchema` maps; any
 * other keyword (`description`, `minimum`, `format`…) is allowed and ignored by the types.
 *
 * @example
 * const input = { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } satisfies JsonSchemaDefinition;
 */
export interface JsonSchemaDefinition {
  readonly type?: JsonSchemaType | readonly JsonSchemaType[];
  readonly properties?: { readonly [key: string]: JsonSchemaDefinition };
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchemaDefinition;
  readonly items?: JsonSchemaDefinition;
  readonly enum?: readonly JsonPrimitive[];
  readonly const?: JsonPrimitive;
  /** OpenAPI style: the value may also be `null`. */
  readonly nullable?: boolean;
  readonly [keyword: string]: unknown;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type RequiredKeys<Schema> = Schema extends { readonly required: readonly (infer Key)[] } ? Key : never;

type FromObject<Schema> = Schema extends { readonly properties: infer Properties }
  ? Simplify<
      { -readonly [K in keyof Properties & RequiredKeys<Schema>]: FromSchema<Properties[K]> } & {
        -readonly [K in Exclude<keyof Properties, RequiredKeys<Schema>>]?: FromSchema<Properties[K]>;
      }
    >
  : Schema extends { readonly additionalProperties: infer Values extends JsonSchemaDefinition }
    ? Record<string, FromSchema<Values>>
    : Record<string, unknown>;

type FromArray<Schema> = Schema extends { readonly items: infer Items } ? FromSchema<Items>[] : unknown[];

// Distributes over a union of types, so `type: ['string', 'null']` is `string | null`.
type FromType<Schema, Type> = Type extends 'string'
  ? string
  : Type extends 'number' | 'integer'
    ? number
    : Type extends 'boolean'
      ? boolean
      : Type extends 'null'
        ? null
        : Type extends 'array'
          ? FromArray<Schema>
          : Type extends 'object'
            ? FromObject<Schema>
            : never;

type FromKeywords<Schema> = Schema extends { readonly const: infer Value }
  ? Value
  : Schema extends { readonly enum: readonly (infer Value)[] }
    ? Value
    : Schema extends { readonly type: readonly (infer Type)[] }
      ? FromType<Schema, Type>
      : Schema extends { readonly type: infer Type }
        ? FromType<Schema, Type>
        : unknown;

/**
 * The TypeScript type of the values a JSON Schema accepts (`object` with `properties` and
 * `required`, `string`, `number`, `integer`, `boolean`, `null`, `array` with `items`, `enum`,
 * `const`, `nullable`, and type unions).
 *
 * @example
 * const schema = { type: 'array', items: { type: 'string' }, nullable: true } as const;
 * type Tags = FromSchema<typeof schema>; // string[] | null
 */
export type FromSchema<Schema> = Schema extends { readonly nullable: true } ? FromKeywords<Schema> | null : FromKeywords<Schema>;
