const WRITE_ACTION =
  /^(?:Create|Delete|Attach|Detach|Set|Tag|Untag|Add|Remove|Put|Update)[A-Z]/

/** Whether an IAM action changes state (as opposed to reading it). */
export function isWriteAction(action: string): boolean {
  return WRITE_ACTION.test(action)
}
