/** IAM error codes the sandbox can answer with, and their HTTP status. */
export const IAM_ERROR_STATUS = {
  AccessDenied: 403,
  NoSuchEntity: 404,
  EntityAlreadyExists: 409,
  LimitExceeded: 409,
  DeleteConflict: 409,
  MalformedPolicyDocument: 400,
  InvalidInput: 400,
  ValidationError: 400,
  InvalidAction: 400,
  Throttling: 400,
  ServiceFailure: 500,
  ServiceUnavailable: 503
} as const

/** A wire error code of the IAM Query API. */
export type IamErrorCode = keyof typeof IAM_ERROR_STATUS

/** An error the sandbox sends back as IAM's `<ErrorResponse>`. */
export class IamError extends Error {
  readonly status: number
  /** IAM says Receiver when the fault is on its side, Sender otherwise. */
  readonly type: 'Sender' | 'Receiver'

  constructor(
    readonly code: IamErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'IamError'
    this.status = IAM_ERROR_STATUS[code]
    this.type = this.status >= 500 ? 'Receiver' : 'Sender'
  }
}

/** The "Member must not be null" error IAM sends for a missing parameter. */
export function missingParameter(name: string): IamError {
  return new IamError(
    'ValidationError',
    `1 validation error detected: Value null at '${memberName(name)}' ` +
      'failed to satisfy constraint: Member must not be null'
  )
}

/** IAM's wording for a parameter that breaks a length or pattern rule. */
export function invalidParameter(
  name: string,
  value: string,
  constraint: string
): IamError {
  return new IamError(
    'ValidationError',
    `1 validation error detected: Value '${value}' at '${memberName(name)}' ` +
      `failed to satisfy constraint: ${constraint}`
  )
}

// IAM's validation messages name members in camelCase (policyArn).
function memberName(parameter: string): string {
  return parameter.charAt(0).toLowerCase() + parameter.slice(1)
}
