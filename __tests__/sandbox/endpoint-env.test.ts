import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { GetUserCommand, IAMClient } from '@aws-sdk/client-iam'
import { startIamSandbox, type IamSandbox } from '../../sandbox/index.js'

describe('AWS_ENDPOINT_URL_IAM', () => {
  let sandbox: IamSandbox
  const saved = process.env.AWS_ENDPOINT_URL_IAM

  beforeAll(async () => {
    sandbox = await startIamSandbox({ seed: { users: ['alice'] } })
  })
  afterAll(async () => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_IAM
    else process.env.AWS_ENDPOINT_URL_IAM = saved
    await sandbox.close()
  })

  it('points an SDK client built with no endpoint at the sandbox', async () => {
    process.env.AWS_ENDPOINT_URL_IAM = sandbox.url
    const iam = new IAMClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1
    })
    try {
      const { User } = await iam.send(new GetUserCommand({ UserName: 'alice' }))
      expect(User?.Arn).toBe('arn:aws:iam::123456789012:user/alice')
      expect(sandbox.calls().map(c => c.action)).toEqual(['GetUser'])
    } finally {
      iam.destroy()
    }
  })
})
