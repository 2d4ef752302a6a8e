/** InnoDB's answers to lock conflicts between transactions: the transaction was rolled back and may simply run again. */
const TRANSIENT = new Set(["ER_LOCK_DEADLOCK", "ER_LOCK_WAIT_TIMEOUT"]);

export function isTransientLockError(error: unknown): boolean {
  const code = (error as { driverError?: { code?: string }; code?: string } | null)?.driverError?.code ?? (error as { code?: string } | null)?.code;
  return typeof code === "string" && TRANSIENT.has(code);
}

/** Runs a whole transaction again (up to `attempts` times) when InnoDB rolled it back for a deadlock or a lock wait timeout. */
export async function retryOnDeadlock<T>(transaction: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (attempt >= attempts || !isTransientLockError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
    }
  }
}
