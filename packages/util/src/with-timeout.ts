/**
 * `work`, or a rejection with `new Error(message)` once `ms` have passed. The timer is cleared when
 * either settles and does not keep the process alive; a late failure of abandoned `work` is ignored
 * (never an unhandled rejection).
 */
export function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  work.catch(() => {});
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
