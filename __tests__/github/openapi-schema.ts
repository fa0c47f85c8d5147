/**
 * A small structural checker for GitHub's OpenAPI 3.0 description from
 * `@octokit/openapi`: enough to hold the fake server's answers to the
 * shapes octokit and the action rely on (required properties, types,
 * nullability, enums, formats, combinators), with `$ref`s resolved.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

/** The subset of an OpenAPI 3.0 schema object the checker reads. */
export interface Schema {
  $ref?: string
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array'
  nullable?: boolean
  format?: string
  enum?: unknown[]
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  items?: Schema
  oneOf?: Schema[]
  anyOf?: Schema[]
  allOf?: Schema[]
  pattern?: string
  minimum?: number
  maxLength?: number
  minItems?: number
}

interface Response {
  $ref?: string
  content?: Record<string, { schema?: Schema }>
}

/** The parts of the description the checker walks. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>
  components: {
    schemas: Record<string, Schema>
    responses: Record<string, Response>
  }
}

/** Reads the description of api.github.com shipped in `@octokit/openapi`. */
export function loadGitHubApi(): OpenApiDocument {
  const require = createRequire(import.meta.url)
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json')
  return JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument
}

function resolve<T extends { $ref?: string }>(
  document: OpenApiDocument,
  node: T
): T {
  let current = node
  while (current.$ref !== undefined) {
    const path = current.$ref.replace(/^#\//, '').split('/')
    let target: unknown = document
    for (const segment of path) {
      target = (target as Record<string, unknown> | undefined)?.[segment]
    }
    if (target === undefined) throw new Error(`Unresolved $ref ${current.$ref}`)
    current = target as T
  }
  return current
}

/**
 * The JSON schema of the response to `method path` with `status`, where
 * `path` is the template as the description spells it.
 */
export function responseSchema(
  document: OpenApiDocument,
  method: string,
  path: string,
  status: number
): Schema {
  const operation = document.paths[path]?.[method.toLowerCase()]
  if (operation === undefined) throw new Error(`No operation ${method} ${path}`)
  const declared = operation.responses[String(status)]
  if (declared === undefined) {
    throw new Error(`${method} ${path} declares no ${status} response`)
  }
  const schema = resolve(document, declared).content?.['application/json']
    ?.schema
  if (schema === undefined) {
    throw new Error(`${method} ${path} ${status} has no JSON schema`)
  }
  return schema
}

const DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') {
    return Number.isInteger(value) ? 'integer' : 'number'
  }
  return typeof value
}

/**
 * Every way `value` breaks `schema`, each as `path: problem`; empty when
 * it conforms.
 */
export function checkSchema(
  document: OpenApiDocument,
  schemaOrRef: Schema,
  value: unknown,
  at = '$'
): string[] {
  const schema = resolve(document, schemaOrRef)
  if (value === null) {
    return schema.nullable === true || schema.type === undefined
      ? []
      : [`${at}: null where ${schema.type} is required`]
  }

  const problems: string[] = []
  for (const part of schema.allOf ?? []) {
    problems.push(...checkSchema(document, part, value, at))
  }
  if (schema.oneOf !== undefined) {
    const matching = schema.oneOf.filter(
      option => checkSchema(document, option, value, at).length === 0
    ).length
    if (matching !== 1) {
      problems.push(`${at}: matches ${matching} of the oneOf options, not 1`)
    }
  }
  if (
    schema.anyOf !== undefined &&
    schema.anyOf.every(
      option => checkSchema(document, option, value, at).length > 0
    )
  ) {
    problems.push(`${at}: matches none of the anyOf options`)
  }

  const actual = typeOf(value)
  if (schema.type !== undefined) {
    const fits =
      actual === schema.type ||
      (schema.type === 'number' && actual === 'integer')
    if (!fits)
      return [...problems, `${at}: ${actual} where ${schema.type} is required`]
  }
  if (schema.enum !== undefined && !schema.enum.includes(value)) {
    problems.push(
      `${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`
    )
  }

  if (typeof value === 'string') {
    if (schema.format === 'date-time' && !DATE_TIME.test(value)) {
      problems.push(`${at}: '${value}' is not a date-time`)
    }
    if (schema.format === 'uri' && !URL.canParse(value)) {
      problems.push(`${at}: '${value}' is not a URI`)
    }
    if (
      schema.pattern !== undefined &&
      !new RegExp(schema.pattern).test(value)
    ) {
      problems.push(`${at}: '${value}' does not match ${schema.pattern}`)
    }
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      problems.push(`${at}: longer than ${schema.maxLength}`)
    }
  }
  if (typeof value === 'number' && schema.minimum !== undefined) {
    if (value < schema.minimum) problems.push(`${at}: below ${schema.minimum}`)
  }

  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      problems.push(`${at}: fewer than ${schema.minItems} items`)
    }
    if (schema.items !== undefined) {
      const items = schema.items
      value.forEach((item, index) =>
        problems.push(...checkSchema(document, items, item, `${at}[${index}]`))
      )
    }
  } else if (typeof value === 'object') {
    const record = value as Record<string, unknown>
    for (const name of schema.required ?? []) {
      if (!(name in record)) problems.push(`${at}: missing required '${name}'`)
    }
    for (const [name, property] of Object.entries(record)) {
      const declared = schema.properties?.[name]
      if (declared !== undefined) {
        problems.push(
          ...checkSchema(document, declared, property, `${at}.${name}`)
        )
      } else if (schema.additionalProperties === false) {
        problems.push(`${at}: unexpected property '${name}'`)
      } else if (typeof schema.additionalProperties === 'object') {
        problems.push(
          ...checkSchema(
            document,
            schema.additionalProperties,
            property,
            `${at}.${name}`
          )
        )
      }
    }
  }
  return problems
}
