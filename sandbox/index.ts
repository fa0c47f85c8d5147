/**
 * A local IAM endpoint for the demo, the integration tests and the
 * benchmarks. Never imported by the product itself.
 */
export { startIamSandbox, DEFAULT_ACCOUNT_ID, SANDBOX_HOST } from './server.js'
export { connectIamSandbox, type RemoteSandbox } from './admin-client.js'
export { loadSeedFile } from './seed.js'
export { SANDBOX_ACTIONS } from './actions.js'
export { IAM_ERROR_STATUS, type IamErrorCode } from './iam-error.js'
export { isWriteAction } from './write-actions.js'
export type * from './types.js'
