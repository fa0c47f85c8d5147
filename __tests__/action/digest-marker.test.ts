import { describe, expect, it } from '@jest/globals'
import {
  digestMarker,
  readDigestMarker
} from '../../src/action/digest-marker.js'
import { commentMarker } from '../../src/github/comment.js'

const MARKER = commentMarker('.github/sagemaker-ip-allowlist.yml')
const DIGEST = 'ab'.repeat(32)
const OTHER = 'cd'.repeat(32)

describe('digestMarker', () => {
  it('is a hidden HTML comment', () => {
    expect(digestMarker(DIGEST)).toBe(
      `<!-- sagemaker-ip-allowlist digest=${DIGEST} -->`
    )
  })

  it('refuses anything but a SHA-256 in hex', () => {
    expect(() => digestMarker('abc')).toThrow(RangeError)
    expect(() => digestMarker(DIGEST.toUpperCase())).toThrow(RangeError)
  })
})

describe('readDigestMarker', () => {
  const stored = (lines: string[]) => [MARKER, ...lines].join('\n')

  it('reads the line right after the config marker', () => {
    expect(
      readDigestMarker(stored([digestMarker(DIGEST), 'plan']), MARKER)
    ).toBe(DIGEST)
  })

  it('reads a body GitHub handed back with CRLF line ends', () => {
    const body = stored([digestMarker(DIGEST), 'plan']).replace(/\n/g, '\r\n')

    expect(readDigestMarker(body, MARKER)).toBe(DIGEST)
  })

  it('ignores a digest line further down, where file text could put one', () => {
    const body = stored(['### plan', digestMarker(OTHER)])

    expect(readDigestMarker(body, MARKER)).toBeUndefined()
  })

  it('ignores a comment of another config file', () => {
    const body = [commentMarker('other.yml'), digestMarker(DIGEST)].join('\n')

    expect(readDigestMarker(body, MARKER)).toBeUndefined()
  })

  it('finds nothing in a comment written without a plan', () => {
    expect(readDigestMarker(stored(['**invalid**']), MARKER)).toBeUndefined()
    expect(readDigestMarker(MARKER, MARKER)).toBeUndefined()
  })

  it('refuses a malformed digest', () => {
    const body = stored([`<!-- sagemaker-ip-allowlist digest=${DIGEST}0 -->`])

    expect(readDigestMarker(body, MARKER)).toBeUndefined()
  })
})
