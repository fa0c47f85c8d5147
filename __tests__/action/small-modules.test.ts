import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AnnotationProperties } from '@actions/core'
import {
  annotateDiagnostics,
  annotatePlanErrors
} from '../../src/action/annotate.js'
import {
  credentialSource,
  mayUseInstanceMetadata
} from '../../src/action/credentials.js'
import {
  EMPTY_OUTPUTS,
  OUTPUT_NAMES,
  writeOutputs
} from '../../src/action/outputs.js'
import { planFileName, writePlanFile } from '../../src/action/plan-file.js'
import { maskSecrets } from '../../src/action/secrets.js'
import { repositoryPath } from '../../src/action/workflow-context.js'
import type { Diagnostic } from '../../src/config/diagnostics.js'
import { plan } from './plans.js'

const FILE = '.github/sagemaker-ip-allowlist.yml'

function recorder() {
  const seen: { kind: string; message: string; p: AnnotationProperties }[] = []
  return {
    seen,
    sink: {
      error: (message: string, p: AnnotationProperties) =>
        seen.push({ kind: 'error', message, p }),
      warning: (message: string, p: AnnotationProperties) =>
        seen.push({ kind: 'warning', message, p })
    }
  }
}

describe('annotations', () => {
  it('puts each diagnostic on its line and column', () => {
    const diagnostics: Diagnostic[] = [
      {
        severity: 'error',
        file: '/abs/x.yml',
        line: 4,
        col: 7,
        message: 'bad'
      },
      {
        severity: 'warning',
        file: '/abs/x.yml',
        line: 9,
        col: 3,
        message: 'odd'
      }
    ]
    const { seen, sink } = recorder()

    annotateDiagnostics(diagnostics, FILE, sink)

    expect(seen).toEqual([
      {
        kind: 'error',
        message: 'bad',
        p: {
          title: 'sagemaker-ip-allowlist: config error',
          file: FILE,
          startLine: 4,
          startColumn: 7
        }
      },
      {
        kind: 'warning',
        message: 'odd',
        p: {
          title: 'sagemaker-ip-allowlist: config warning',
          file: FILE,
          startLine: 9,
          startColumn: 3
        }
      }
    ])
  })

  it('puts a plan error on its line, or on the file when it has none', () => {
    const { seen, sink } = recorder()

    annotatePlanErrors(
      plan({
        errors: [
          { message: 'user zed does not exist', loc: { line: 12, col: 9 } },
          { message: 'quota reached' }
        ]
      }),
      FILE,
      sink
    )

    expect(seen.map(s => s.p)).toEqual([
      {
        title: 'sagemaker-ip-allowlist: plan error',
        file: FILE,
        startLine: 12,
        startColumn: 9
      },
      { title: 'sagemaker-ip-allowlist: plan error', file: FILE }
    ])
  })
})

describe('credentialSource', () => {
  const none = () => false

  it('finds the key pair configure-aws-credentials exports', () => {
    expect(
      credentialSource(
        { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' },
        none
      )
    ).toBe('the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables')
  })

  it('needs both halves of the key pair', () => {
    expect(credentialSource({ AWS_ACCESS_KEY_ID: 'a' }, none)).toBeUndefined()
  })

  it('finds web identity, container credentials and profiles', () => {
    expect(
      credentialSource(
        { AWS_WEB_IDENTITY_TOKEN_FILE: '/t', AWS_ROLE_ARN: 'arn' },
        none
      )
    ).toContain('web identity')
    expect(
      credentialSource({ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://x' }, none)
    ).toContain('container')
    expect(credentialSource({ AWS_PROFILE: 'ops' }, none)).toBe(
      "the profile 'ops'"
    )
  })

  it('finds a shared credentials file in the home folder', () => {
    const exists = (path: string) => path === '/home/u/.aws/credentials'

    expect(credentialSource({ HOME: '/home/u' }, exists)).toBe(
      'the shared file /home/u/.aws/credentials'
    )
    expect(credentialSource({ HOME: '/home/v' }, exists)).toBeUndefined()
  })

  it('trusts instance metadata on self-hosted runners only', () => {
    expect(mayUseInstanceMetadata({ RUNNER_ENVIRONMENT: 'self-hosted' })).toBe(
      true
    )
    expect(
      mayUseInstanceMetadata({ RUNNER_ENVIRONMENT: 'github-hosted' })
    ).toBe(false)
    expect(mayUseInstanceMetadata({})).toBe(false)
  })
})

describe('maskSecrets', () => {
  it('masks the token and every AWS credential present, and nothing empty', () => {
    const masked: string[] = []

    maskSecrets(
      'ghs_token',
      {
        AWS_ACCESS_KEY_ID: 'AKIA1',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: '',
        AWS_REGION: 'us-east-1'
      },
      secret => masked.push(secret)
    )

    expect(masked).toEqual(['ghs_token', 'AKIA1', 'secret'])
  })

  it('masks nothing for an empty token and no credentials', () => {
    const masked: string[] = []

    maskSecrets('', {}, secret => masked.push(secret))

    expect(masked).toEqual([])
  })
})

describe('outputs', () => {
  it('writes every output, empty ones included', () => {
    const written: [string, string][] = []

    writeOutputs({ ...EMPTY_OUTPUTS, digest: 'abc' }, (name, value) =>
      written.push([name, value])
    )

    expect(written.map(([name]) => name)).toEqual([...OUTPUT_NAMES])
    expect(Object.fromEntries(written)).toMatchObject({
      digest: 'abc',
      summary: ''
    })
  })
})

describe('plan file', () => {
  it('names one file per config path', () => {
    expect(planFileName('.github/sagemaker-ip-allowlist.yml')).toBe(
      '.github_sagemaker-ip-allowlist.yml.plan.json'
    )
    expect(planFileName('./a b/c.yml')).toBe('a_b_c.yml.plan.json')
    expect(planFileName('x.yml')).not.toBe(planFileName('y.yml'))
  })

  it('writes the JSON plan under RUNNER_TEMP', () => {
    const temp = mkdtempSync(join(tmpdir(), 'plan-file-'))

    const path = writePlanFile(plan(), FILE, { RUNNER_TEMP: temp })

    expect(path.startsWith(join(temp, 'sagemaker-ip-allowlist'))).toBe(true)
    const json = JSON.parse(readFileSync(path, 'utf8')) as { digest: string }
    expect(json.digest).toBe(plan().digest)
  })

  it('falls back to the OS temporary folder outside a runner', () => {
    const path = writePlanFile(plan(), FILE, {})

    expect(path.startsWith(tmpdir())).toBe(true)
  })
})

describe('repositoryPath', () => {
  it('names the file relative to the workspace, with forward slashes', () => {
    expect(repositoryPath('/w/repo/.github/a.yml', '/w/repo')).toBe(
      '.github/a.yml'
    )
    expect(repositoryPath('./.github/a.yml', '/w/repo')).toBe('.github/a.yml')
    expect(repositoryPath('.github\\a.yml')).toBe('.github/a.yml')
  })

  it('keeps a path outside the workspace as given', () => {
    expect(repositoryPath('/elsewhere/a.yml', '/w/repo')).toBe(
      '/elsewhere/a.yml'
    )
  })
})
