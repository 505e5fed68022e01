/** A configuration variable the function cannot run without is missing or empty. */
export class MissingEnvironmentVariableError extends Error {
  constructor(public readonly variableName: string) {
    super(`environment variable ${variableName} is not set (it is set by the CDK stack)`);
    this.name = 'MissingEnvironmentVariableError';
  }
}

/**
 * Reads a required environment variable, failing fast with an error naming it. Call it at module
 * load, so a misconfigured function fails its first invocation instead of misbehaving later.
 */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new MissingEnvironmentVariableError(name);
  return value;
}
