import type { IamError } from './iam-error.js'

/** The namespace of every IAM Query API response. */
export const IAM_XML_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/'

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  // A bare CR would be normalised away by the parser.
  '\r': '&#13;'
}

/** Escapes text for an XML element body (quotes need no escaping there). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>\r]/g, c => ESCAPES[c] ?? c)
}

/** `<name>value</name>`, or nothing when the value is absent. */
export function el(
  name: string,
  value: string | number | boolean | undefined
): string {
  if (value === undefined) return ''
  const text = typeof value === 'string' ? escapeXml(value) : String(value)
  return `<${name}>${text}</${name}>`
}

/** A list in the Query API's shape: `<name><member>…</member>…</name>`. */
export function memberList<T>(
  name: string,
  items: readonly T[],
  render: (item: T) => string
): string {
  let body = ''
  for (const item of items) body += `<member>${render(item)}</member>`
  return `<${name}>${body}</${name}>`
}

/** The success envelope; `result` is omitted for calls that return nothing. */
export function responseXml(
  action: string,
  result: string | undefined,
  requestId: string
): string {
  const resultXml =
    result === undefined ? '' : `<${action}Result>${result}</${action}Result>`
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<${action}Response xmlns="${IAM_XML_NAMESPACE}">${resultXml}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
    `</${action}Response>`
  )
}

/** IAM's error envelope. */
export function errorXml(error: IamError, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<ErrorResponse xmlns="${IAM_XML_NAMESPACE}"><Error>` +
    el('Type', error.type) +
    el('Code', error.code) +
    el('Message', error.message) +
    `</Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  )
}
