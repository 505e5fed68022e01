/**
 * Environment of the trigger handlers under test. Imported first by handler tests: the handlers
 * read it at module load, as they do in Lambda.
 */
export const TEST_APP_INSTANCE_ARN =
  'arn:aws:chime:us-east-1:123456789012:app-instance/test-instance';

process.env.APP_INSTANCE_ARN = TEST_APP_INSTANCE_ARN;
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'AKIATESTTESTTESTTEST';
process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
