import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { schemaText } from '../src/config/schema-file.js'
import { CONFIG_SHAPE } from '../src/config/definition.js'

describe('the published JSON Schema', () => {
  it('is the one generated from the validator definition (run npm run schema)', () => {
    expect(readFileSync('schema/config.schema.json', 'utf8')).toBe(schemaText())
  })

  it('describes every key the validator knows', () => {
    const schema = JSON.parse(schemaText())
    expect(Object.keys(schema.properties)).toEqual(
      Object.keys(CONFIG_SHAPE.properties)
    )
    const policy = schema.properties.policies.additionalProperties
    expect(Object.keys(policy.properties)).toEqual([
      'description',
      'allow',
      'actions',
      'resources',
      'vpc-endpoints',
      'attach'
    ])
    expect(policy.required).toEqual(['allow'])
    expect(policy.additionalProperties).toBe(false)
  })

  it('is referenced by the example file', () => {
    const example = readFileSync('examples/sagemaker-ip-allowlist.yml', 'utf8')
    expect(example.split('\n')[0]).toBe(
      '# yaml-language-server: $schema=../schema/config.schema.json'
    )
  })
})
