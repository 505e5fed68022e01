import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * The one Powertools Metrics instance (CloudWatch embedded metric format, written to stdout).
 * Namespace from `POWERTOOLS_METRICS_NAMESPACE`, service from `POWERTOOLS_SERVICE_NAME`.
 */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'ChimeCognitoAuth',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'chime-cognito-auth',
});
