import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startIamSandbox, type IamSandbox } from '../../sandbox/index.js'

const NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/'

describe('IAM Query API wire format', () => {
  let sandbox: IamSandbox

  beforeAll(async () => {
    sandbox = await startIamSandbox({
      seed: { users: ['alice'], groups: ['team'] }
    })
  })
  afterAll(() => sandbox.close())

  // No signature, no credentials: the sandbox does not check them.
  const post = (params: Record<string, string>) =>
    fetch(`${sandbox.url}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Version: '2010-05-08', ...params }).toString()
    })

  it('binds to 127.0.0.1 on a port the OS picks', () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(Number(new URL(sandbox.url).port)).toBeGreaterThan(0)
  })

  it('listens on the port it is given', async () => {
    const port = Number(new URL(sandbox.url).port)
    await expect(startIamSandbox({ port })).rejects.toThrow(/EADDRINUSE/)
  })

  it('wraps a result in XResponse/XResult with the IAM namespace', async () => {
    const response = await post({ Action: 'GetUser', UserName: 'alice' })
    const xml = await response.text()

    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/xml')
    const requestId = response.headers.get('x-amzn-requestid')
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(xml).toMatch(
      new RegExp(
        `^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<GetUserResponse xmlns="${NAMESPACE}"><GetUserResult><User>`
      )
    )
    expect(xml).toContain('<UserName>alice</UserName>')
    expect(xml).toContain(
      `</GetUserResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetUserResponse>`
    )
  })

  it('sends no Result element for calls that return nothing', async () => {
    const response = await post({
      Action: 'AddUserToGroup',
      GroupName: 'team',
      UserName: 'alice'
    })
    const xml = await response.text()
    expect(response.status).toBe(200)
    expect(xml).toMatch(
      /<AddUserToGroupResponse xmlns="[^"]+"><ResponseMetadata>/
    )
    expect(xml).not.toContain('AddUserToGroupResult')
  })

  it("answers errors in IAM's ErrorResponse envelope", async () => {
    const response = await post({ Action: 'GetUser', UserName: 'nobody' })
    const xml = await response.text()
    const requestId = response.headers.get('x-amzn-requestid') ?? ''

    expect(response.status).toBe(404)
    expect(xml).toContain(
      `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type>` +
        '<Code>NoSuchEntity</Code>' +
        '<Message>The user with name nobody cannot be found.</Message>' +
        `</Error><RequestId>${requestId}</RequestId></ErrorResponse>`
    )
  })

  it('escapes text in XML', async () => {
    const description = `a < b & "c" > 'd'`
    const response = await post({
      Action: 'CreatePolicy',
      PolicyName: 'escaped',
      Description: description,
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }]
      })
    })
    const xml = await response.text()
    expect(response.status).toBe(200)
    expect(xml).toContain(
      `<Description>a &lt; b &amp; "c" &gt; 'd'</Description>`
    )
  })

  it('answers an unknown action with InvalidAction', async () => {
    const response = await post({ Action: 'LaunchRocket' })
    expect(response.status).toBe(400)
    const xml = await response.text()
    expect(xml).toContain('<Code>InvalidAction</Code>')
    expect(xml).toContain('LaunchRocket')
  })

  it('answers another API version with InvalidAction', async () => {
    const response = await post({
      Action: 'GetUser',
      UserName: 'alice',
      Version: '2099-01-01'
    })
    expect(response.status).toBe(400)
    expect(await response.text()).toContain('<Code>InvalidAction</Code>')
  })

  it('answers a missing parameter as IAM does', async () => {
    const response = await post({ Action: 'GetPolicy' })
    expect(response.status).toBe(400)
    const xml = await response.text()
    expect(xml).toContain('<Code>ValidationError</Code>')
    expect(xml).toContain(
      "Value null at 'policyArn' failed to satisfy constraint"
    )
  })

  it('accepts parameters in a GET query string too', async () => {
    const response = await fetch(
      `${sandbox.url}/?Action=GetUser&Version=2010-05-08&UserName=alice`
    )
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('<UserName>alice</UserName>')
  })
})
