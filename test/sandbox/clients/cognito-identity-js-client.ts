/**
 * amazon-cognito-identity-js (the Cognito team's older SDK, an SRP client written apart from
 * Amplify v6's), run in its own process (run-client.ts). argv[2]: `{ config, steps }`; prints one
 * result per step.
 */
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
} from 'amazon-cognito-identity-js';
import type { ClientConfig } from '../../../contracts/client-config';
import { runSteps } from './steps';

export type CognitoIdentityJsStep = {
  op: 'authenticate';
  email: string;
  password: string;
  /** Answers NEW_PASSWORD_REQUIRED with this password. */
  newPassword?: string;
};

export interface CognitoIdentityJsInput {
  config: ClientConfig;
  steps: CognitoIdentityJsStep[];
}

const input = JSON.parse(process.argv[2] ?? '{}') as CognitoIdentityJsInput;
const pool = new CognitoUserPool({
  UserPoolId: input.config.userPoolId,
  ClientId: input.config.userPoolClientId,
  endpoint: input.config.endpoints?.userPool,
});

function authenticate(step: CognitoIdentityJsStep): Promise<CognitoUserSession> {
  const user = new CognitoUser({ Username: step.email, Pool: pool });
  return new Promise((resolve, reject) =>
    user.authenticateUser(
      new AuthenticationDetails({ Username: step.email, Password: step.password }),
      {
        onSuccess: resolve,
        onFailure: reject,
        newPasswordRequired: () => {
          if (!step.newPassword) reject(new Error('NEW_PASSWORD_REQUIRED'));
          else
            user.completeNewPasswordChallenge(
              step.newPassword,
              {},
              { onSuccess: resolve, onFailure: reject },
            );
        },
      },
    ),
  );
}

void runSteps(input.steps, async (step) => {
  const session = await authenticate(step);
  return {
    idToken: session.getIdToken().payload,
    accessToken: session.getAccessToken().payload,
    hasRefreshToken: session.getRefreshToken().getToken().length > 0,
  };
});
