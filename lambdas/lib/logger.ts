import { Logger } from '@aws-lambda-powertools/logger';
import { POWERTOOLS_ENV } from '../../contracts/lambda-environment';

/**
 * The one Powertools Logger of every handler in this project (one per container).
 *
 * The level comes from `POWERTOOLS_LOG_LEVEL` or `LOG_LEVEL` (read by Powertools itself; default
 * INFO), and Lambda's own application log level (`AWS_LAMBDA_LOG_LEVEL`) wins when it is stricter.
 * Never log tokens, credentials, email addresses or whole events at INFO.
 */
export const logger = new Logger({
  serviceName: process.env[POWERTOOLS_ENV.serviceName] || 'chime-cognito-auth',
});
