import {
  lifecycleChimeIdentity,
  lifecycleChimeMessaging,
  lifecycleCognito,
} from '../lifecycle-clients';
import { logger } from '../logger';
import { type LifecycleConfig, lifecycleConfigFromEnv } from './config';
import type { LifecycleDeps } from './context';

/**
 * What both lifecycle handlers start with: their configuration (read and validated once, at
 * module load) and the core's dependencies (the container's clients, the Powertools logger).
 */
export function lifecycleFunction(): { config: LifecycleConfig; deps: LifecycleDeps } {
  const config = lifecycleConfigFromEnv();
  return {
    config,
    deps: {
      chime: lifecycleChimeIdentity,
      messaging: lifecycleChimeMessaging,
      cognito: lifecycleCognito,
      appInstanceArn: config.appInstanceArn,
      userPoolId: config.userPoolId,
      log: logger,
    },
  };
}
