import {
  DEFAULT_DELETE_BRAKE,
  type DeleteBrake,
  USER_LIFECYCLE_ENV,
  assertValidDeleteBrake,
} from '../../../contracts/user-lifecycle';
import { requireEnv } from '../env';

/** The lifecycle functions' configuration, read once at module load (fail fast). */
export interface LifecycleConfig {
  readonly appInstanceArn: string;
  readonly userPoolId: string;
  readonly brake: DeleteBrake;
}

function numberEnv(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    throw new Error(`environment variable ${name} must be a number, got '${raw.slice(0, 40)}'`);
  }
  return value;
}

export function lifecycleConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LifecycleConfig {
  const brake = {
    maxPercent: numberEnv(
      USER_LIFECYCLE_ENV.maxDeletePercent,
      DEFAULT_DELETE_BRAKE.maxPercent,
      env,
    ),
    maxCount: numberEnv(USER_LIFECYCLE_ENV.maxDeleteCount, DEFAULT_DELETE_BRAKE.maxCount, env),
  };
  assertValidDeleteBrake(brake);
  return {
    appInstanceArn: requireEnv(USER_LIFECYCLE_ENV.appInstanceArn, env),
    userPoolId: requireEnv(USER_LIFECYCLE_ENV.userPoolId, env),
    brake,
  };
}
