/**
 * Amplify v6 (what the web demo uses), configured only from the sandbox's client config, run in
 * its own process (run-client.ts). argv[2]: `{ config, url, steps }`; prints one result per step.
 */
import { Amplify } from 'aws-amplify';
import {
  confirmSignIn,
  confirmSignUp,
  fetchAuthSession,
  fetchUserAttributes,
  signIn,
  signOut,
  signUp,
} from 'aws-amplify/auth';
import type { ClientConfig } from '../../../contracts/client-config';
import { latestCode, runSteps } from './steps';

export type AmplifyStep =
  | { op: 'signUp'; email: string; password: string; attributes?: Record<string, string> }
  | { op: 'confirmSignUp'; email: string }
  | { op: 'signIn'; email: string; password: string }
  | { op: 'confirmSignIn'; response: string }
  | { op: 'session' }
  | { op: 'attributes' }
  | { op: 'signOut' };

export interface AmplifyInput {
  config: ClientConfig;
  url: string;
  steps: AmplifyStep[];
}

const input = JSON.parse(process.argv[2] ?? '{}') as AmplifyInput;
const { config, url } = input;
Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: config.userPoolId,
      userPoolClientId: config.userPoolClientId,
      identityPoolId: config.identityPoolId,
      userPoolEndpoint: config.endpoints?.userPool,
      identityPoolEndpoint: config.endpoints?.identityPool,
    },
  },
});

void runSteps(input.steps, async (step) => {
  switch (step.op) {
    case 'signUp':
      return signUp({
        username: step.email,
        password: step.password,
        options: { userAttributes: { email: step.email, ...step.attributes } },
      });
    case 'confirmSignUp':
      return confirmSignUp({
        username: step.email,
        confirmationCode: await latestCode(url, step.email),
      });
    case 'signIn':
      return signIn({
        username: step.email,
        password: step.password,
        options: { authFlowType: config.signInFlow },
      });
    case 'confirmSignIn':
      return confirmSignIn({ challengeResponse: step.response });
    case 'session': {
      const session = await fetchAuthSession();
      return {
        identityId: session.identityId,
        userSub: session.userSub,
        accessKeyId: session.credentials?.accessKeyId,
        idToken: session.tokens?.idToken?.payload,
      };
    }
    case 'attributes':
      return fetchUserAttributes();
    case 'signOut':
      return signOut();
  }
});
