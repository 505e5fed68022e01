/** The smallest valid client config JSON (AWS, no hosted UI), for the web demo's unit tests. */
export const BASE_CLIENT_CONFIG = {
  version: 1,
  region: 'us-east-1',
  userPoolId: 'us-east-1_abc',
  userPoolClientId: 'client123',
  identityPoolId: 'us-east-1:0000-1111',
  appInstanceArn: 'arn:aws:chime:us-east-1:111122223333:app-instance/abc-123',
  principalTagKey: 'chime_user_id',
  signInFlow: 'USER_SRP_AUTH',
};
