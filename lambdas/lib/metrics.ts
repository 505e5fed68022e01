import { Metrics } from '@aws-lambda-powertools/metrics';
import { POWERTOOLS_ENV } from '../../contracts/lambda-environment';

/**
 * The one Powertools Metrics instance (CloudWatch embedded metric format, written to stdout).
 * Namespace from `POWERTOOLS_METRICS_NAMESPACE`, service from `POWERTOOLS_SERVICE_NAME`.
 */
export const metrics = new Metrics({
  namespace: process.env[POWERTOOLS_ENV.metricsNamespace] || 'ChimeCognitoAuth',
  serviceName: process.env[POWERTOOLS_ENV.serviceName] || 'chime-cognito-auth',
});
