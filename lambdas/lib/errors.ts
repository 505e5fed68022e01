/** The name of an error for logs and decisions (an SDK error's `name`), never its message. */
export function errorNameOf(error: unknown): string {
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : typeof error;
}
