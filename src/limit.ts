/**
 * A limiter that runs at most `concurrency` tasks at a time, in the order
 * they were queued. One limiter is shared by every read of a phase, so the
 * bound holds across nested fan-outs.
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>

export function createLimiter(concurrency: number): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(
      `concurrency must be a whole number of at least 1, not ${concurrency}`
    )
  }
  let running = 0
  const queue: (() => void)[] = []

  const next = () => {
    if (running >= concurrency) return
    const start = queue.shift()
    if (start) {
      running++
      start()
    }
  }

  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            running--
            next()
          })
      })
      next()
    })
}
