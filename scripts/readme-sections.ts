/**
 * The parts of README.md that are generated from the files they describe,
 * so the documentation cannot drift from the behaviour: the config
 * reference (from the validator's shape definition), the action's inputs
 * and outputs (from action.yml), and files shown in full (workflows, IAM
 * policies, the example config).
 *
 * A generated part sits between `<!-- BEGIN generated:NAME -->` and
 * `<!-- END generated:NAME -->`; NAME is `config-reference`, `inputs`,
 * `outputs`, or `file:PATH`.
 */
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { ACTION_PRESETS } from '../src/config/actions.js'
import { CONFIG_SHAPE, type Shape } from '../src/config/definition.js'

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

function typeOf(shape: Shape): string {
  switch (shape.kind) {
    case 'array':
      return `list of ${typeOf(shape.items)}`
    case 'map':
      return `map of name → ${shape.values.kind === 'array' ? typeOf(shape.values) : shape.values.kind === 'object' ? 'policy' : typeOf(shape.values)}`
    case 'oneOf':
      return shape.variants
        .map(v => (v.kind === 'object' ? '{cidr, note}' : typeOf(v)))
        .join(' or ')
    case 'integer':
      return shape.enum
        ? shape.enum.join(' \\| ')
        : shape.minimum !== undefined
          ? `integer ${shape.minimum}–${shape.maximum}`
          : 'integer'
    default:
      return shape.kind
  }
}

function defaultOf(shape: Shape, required: boolean): string {
  if (required) return 'required'
  if ('default' in shape && shape.default !== undefined) {
    return `\`${JSON.stringify(shape.default).replace(/"/g, "'")}\``
  }
  return '—'
}

/** One row per key, in file order, with nested keys under their parents. */
export function configReference(): string {
  const rows: string[] = []
  const walk = (shape: Shape, path: string, required: boolean) => {
    if (path) {
      rows.push(
        `| \`${path}\` | ${cell(typeOf(shape))} | ${defaultOf(shape, required)} | ${cell(shape.description ?? '')} |`
      )
    }
    if (shape.kind === 'object') {
      for (const [key, child] of Object.entries(shape.properties)) {
        walk(
          child,
          path ? `${path}.${key}` : key,
          shape.required?.includes(key) ?? false
        )
      }
    } else if (shape.kind === 'map' && shape.values.kind === 'object') {
      walk(shape.values, `${path}.NAME`, false)
    }
  }
  walk(CONFIG_SHAPE, '', false)
  const presets = Object.entries(ACTION_PRESETS)
    .map(
      ([name, actions]) =>
        `| \`${name}\` | ${actions.map(a => `\`${a}\``).join(', ')} |`
    )
    .join('\n')
  return [
    '| Key | Type | Default | Meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    'Action presets:',
    '',
    '| Preset | Actions |',
    '| --- | --- |',
    presets
  ].join('\n')
}

interface ActionMetadata {
  inputs: Record<string, { description: string; default?: string }>
  outputs: Record<string, { description: string }>
}

export function inputsTable(actionYml: string): string {
  const meta = parse(actionYml) as ActionMetadata
  return [
    '| Input | Default | Meaning |',
    '| --- | --- | --- |',
    ...Object.entries(meta.inputs).map(
      ([name, input]) =>
        `| \`${name}\` | ${input.default === undefined || input.default === '' ? '—' : `\`${input.default}\``} | ${cell(input.description.trim())} |`
    )
  ].join('\n')
}

export function outputsTable(actionYml: string): string {
  const meta = parse(actionYml) as ActionMetadata
  return [
    '| Output | Meaning |',
    '| --- | --- |',
    ...Object.entries(meta.outputs).map(
      ([name, output]) => `| \`${name}\` | ${cell(output.description.trim())} |`
    )
  ].join('\n')
}

function fence(path: string): string {
  const language = path.endsWith('.json')
    ? 'json'
    : path.endsWith('.yml') || path.endsWith('.yaml')
      ? 'yaml'
      : ''
  return ['```' + language, readFileSync(path, 'utf8').trimEnd(), '```'].join(
    '\n'
  )
}

function generate(name: string): string {
  if (name === 'config-reference') return configReference()
  if (name === 'inputs') return inputsTable(readFileSync('action.yml', 'utf8'))
  if (name === 'outputs')
    return outputsTable(readFileSync('action.yml', 'utf8'))
  if (name.startsWith('file:')) return fence(name.slice('file:'.length))
  throw new Error(`README.md: unknown generated part "${name}"`)
}

const PART =
  /(<!-- BEGIN generated:(\S+) -->\n)(?:[\s\S]*?\n)?(<!-- END generated:\2 -->)/g

/** README text with every generated part brought up to date. */
export function renderReadme(text: string): string {
  return text.replace(
    PART,
    (_all, begin: string, name: string, end: string) =>
      `${begin}${generate(name)}\n${end}`
  )
}

/** The names of the generated parts the README holds. */
export function generatedParts(text: string): string[] {
  return [...text.matchAll(PART)].map(m => m[2])
}
