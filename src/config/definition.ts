/**
 * The shape of the config file, written once. The loader checks YAML nodes
 * against it (types, unknown keys, required keys) and `toJsonSchema` turns it
 * into the JSON Schema that editors use, so the two cannot drift apart.
 */
import { MAX_DESCRIPTION_LENGTH } from './iam-rules.js'

export type Shape =
  | StringShape
  | BooleanShape
  | IntegerShape
  | ArrayShape
  | ObjectShape
  | MapShape
  | OneOfShape

interface Described {
  readonly description?: string
  /** How to write the value, quoted in "missing key" errors. */
  readonly example?: string
}

export interface StringShape extends Described {
  readonly kind: 'string'
  readonly pattern?: string
  readonly minLength?: number
  readonly maxLength?: number
  readonly default?: string
}

export interface BooleanShape extends Described {
  readonly kind: 'boolean'
  readonly default?: boolean
}

export interface IntegerShape extends Described {
  readonly kind: 'integer'
  readonly minimum?: number
  readonly maximum?: number
  readonly default?: number
  readonly enum?: readonly number[]
}

export interface ArrayShape extends Described {
  readonly kind: 'array'
  readonly items: Shape
  readonly default?: readonly unknown[]
}

/** A mapping with a fixed set of keys. */
export interface ObjectShape extends Described {
  readonly kind: 'object'
  readonly properties: Readonly<Record<string, Shape>>
  readonly required?: readonly string[]
}

/** A mapping from user-chosen names to values of one shape. */
export interface MapShape extends Described {
  readonly kind: 'map'
  readonly keyPattern: string
  readonly values: Shape
}

/** One of several shapes, told apart by their YAML node type. */
export interface OneOfShape extends Described {
  readonly kind: 'oneOf'
  readonly variants: readonly Shape[]
}

/** Keys: letters, digits, `-` and `_`, the policy key also ends up in the IAM name. */
export const NAME_KEY_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]*$'

/** Where the CLI and the action look for the file unless told otherwise. */
export const DEFAULT_CONFIG_PATH = '.github/sagemaker-ip-allowlist.yml'
export const DEFAULT_POLICY_NAME_PREFIX = 'sagemaker-ip-allowlist-'
export const DEFAULT_POLICY_PATH = '/sagemaker-ip-allowlist/'
export const DEFAULT_CONCURRENCY = 8
export const MAX_CONCURRENCY = 64

const principalList = (what: string): ArrayShape => ({
  kind: 'array',
  description: `IAM ${what} names the policy is attached to.`,
  items: { kind: 'string', minLength: 1 },
  default: []
})

const allowlistEntry: OneOfShape = {
  kind: 'oneOf',
  description:
    'An IPv4 or IPv6 CIDR; a bare address means /32 or /128. Either a string or a mapping with a note.',
  variants: [
    { kind: 'string', minLength: 1 },
    {
      kind: 'object',
      properties: {
        cidr: {
          kind: 'string',
          minLength: 1,
          description: 'The CIDR.',
          example: 'cidr: 192.0.2.0/24'
        },
        note: {
          kind: 'string',
          description: 'Why this range is here; shown in plans.'
        }
      },
      required: ['cidr']
    }
  ]
}

const policy: ObjectShape = {
  kind: 'object',
  description:
    'One customer managed IAM policy that denies the actions unless the source address is allowed.',
  properties: {
    description: {
      kind: 'string',
      maxLength: MAX_DESCRIPTION_LENGTH,
      description:
        'The IAM policy description (set when the policy is created).'
    },
    allow: {
      kind: 'array',
      example: 'allow: [office]',
      description: 'Allowlist names and/or literal CIDRs the policy admits.',
      items: { kind: 'string', minLength: 1 }
    },
    actions: {
      kind: 'array',
      description:
        'Presets (notebook, studio, mlflow, partner-app) or full action names such as sagemaker:CreatePresignedDomainUrl.',
      items: { kind: 'string', minLength: 1 },
      default: ['notebook']
    },
    resources: {
      kind: 'array',
      description:
        "SageMaker ARNs or ARN patterns the policy applies to; '*' for all.",
      items: { kind: 'string', minLength: 1 },
      default: ['*']
    },
    'vpc-endpoints': {
      kind: 'array',
      description:
        'VPC endpoint ids (vpce-...) whose calls are exempt from the IP check (aws:SourceVpce).',
      items: { kind: 'string', minLength: 1 },
      default: []
    },
    attach: {
      kind: 'object',
      description: 'The principals the policy is attached to.',
      properties: {
        users: principalList('user'),
        groups: principalList('group'),
        roles: principalList('role')
      }
    }
  },
  required: ['allow']
}

/** The whole file. */
export const CONFIG_SHAPE: ObjectShape = {
  kind: 'object',
  description:
    'sagemaker-ip-allowlist: source-IP allowlists for Amazon SageMaker, kept as IAM Deny policies.',
  properties: {
    version: {
      kind: 'integer',
      example: 'version: 1',
      enum: [1],
      description: 'The config format version. Only 1 exists.'
    },
    settings: {
      kind: 'object',
      description: 'Optional settings.',
      properties: {
        'policy-name-prefix': {
          kind: 'string',
          default: DEFAULT_POLICY_NAME_PREFIX,
          description:
            'The IAM policy name is this prefix followed by the policy key.'
        },
        'policy-path': {
          kind: 'string',
          default: DEFAULT_POLICY_PATH,
          description:
            'The IAM path of the policies. The tool only ever touches policies under this path.'
        },
        prune: {
          kind: 'boolean',
          default: false,
          description:
            'Delete policies the tool owns that are no longer in this file (otherwise they are reported as orphans).'
        },
        concurrency: {
          kind: 'integer',
          minimum: 1,
          maximum: MAX_CONCURRENCY,
          default: DEFAULT_CONCURRENCY,
          description: 'How many IAM reads run at once.'
        }
      }
    },
    allowlists: {
      kind: 'map',
      keyPattern: NAME_KEY_PATTERN,
      description: 'Named lists of CIDRs.',
      values: { kind: 'array', items: allowlistEntry }
    },
    policies: {
      kind: 'map',
      example: 'policies: with at least one policy under it',
      keyPattern: NAME_KEY_PATTERN,
      description: 'The policies, by key.',
      values: policy
    }
  },
  required: ['version', 'policies']
}

type JsonSchema = Record<string, unknown>

function shapeToSchema(shape: Shape): JsonSchema {
  const out: JsonSchema = {}
  if (shape.description) out.description = shape.description
  switch (shape.kind) {
    case 'string':
      out.type = 'string'
      if (shape.minLength !== undefined) out.minLength = shape.minLength
      if (shape.maxLength !== undefined) out.maxLength = shape.maxLength
      if (shape.pattern !== undefined) out.pattern = shape.pattern
      if (shape.default !== undefined) out.default = shape.default
      break
    case 'boolean':
      out.type = 'boolean'
      if (shape.default !== undefined) out.default = shape.default
      break
    case 'integer':
      out.type = 'integer'
      if (shape.enum) out.enum = [...shape.enum]
      if (shape.minimum !== undefined) out.minimum = shape.minimum
      if (shape.maximum !== undefined) out.maximum = shape.maximum
      if (shape.default !== undefined) out.default = shape.default
      break
    case 'array':
      out.type = 'array'
      out.items = shapeToSchema(shape.items)
      if (shape.default !== undefined) out.default = shape.default
      break
    case 'object':
      out.type = 'object'
      out.properties = Object.fromEntries(
        Object.entries(shape.properties).map(([k, v]) => [k, shapeToSchema(v)])
      )
      if (shape.required?.length) out.required = [...shape.required]
      out.additionalProperties = false
      break
    case 'map':
      out.type = 'object'
      out.propertyNames = { pattern: shape.keyPattern }
      out.additionalProperties = shapeToSchema(shape.values)
      break
    case 'oneOf':
      out.oneOf = shape.variants.map(shapeToSchema)
      break
  }
  return out
}

/** The JSON Schema (draft 2020-12) of the config file. */
export function toJsonSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'sagemaker-ip-allowlist config',
    ...shapeToSchema(CONFIG_SHAPE)
  }
}
