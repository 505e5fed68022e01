/**
 * The credential-vending API in the sandbox (when the template has it: `-c credentialVending=true`),
 * so the web demo can use it offline: `POST <sandbox>/_sandbox/credential-vending` with
 * `Authorization: Bearer <ID token>` answers exactly as the deployed function URL does.
 *
 * It runs the deployed handler's core (lambdas/lib/credential-vending/core.ts) with the function's
 * settings from the template, the function role's own credentials, and the sandbox's STS (trust
 * policy enforced). One difference from AWS: ID tokens are checked with the OIDC verifier against
 * the sandbox's user pool, since cognito-local is not a `cognito-idp.<region>.amazonaws.com` issuer
 * that CognitoJwtVerifier accepts.
 */
import { STSClient } from '@aws-sdk/client-sts';
import { VENDING_ENV } from '../../contracts/lambda-environment';
import { readVendingConfig } from '../../lambdas/lib/credential-vending/config';
import { vendCredentials, type VendingDeps } from '../../lambdas/lib/credential-vending/core';
import { createIdTokenVerifier } from '../../lambdas/lib/credential-vending/verifier';
import type { Session } from '../core/credentials';
import { resourcesOfType } from '../iam/template';
import type { SandboxResources } from '../resources';
import type { ServiceModule } from '../server';

/** Path of the API on the sandbox endpoint. */
export const CREDENTIAL_VENDING_PATH = '/_sandbox/credential-vending';

/** Re-issue the function role's session this long before it expires. */
const REFRESH_MARGIN_MS = 5 * 60_000;

interface VendingFunction {
  readonly roleArn: string;
  readonly environment: Readonly<Record<string, string>>;
}

/** The template's credential-vending function, if the feature is on. */
export function vendingFunctionOf(resources: SandboxResources): VendingFunction | undefined {
  for (const id of resourcesOfType(resources.stack.template, 'AWS::Lambda::Function')) {
    const props = resources.properties(id);
    const variables = (props.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    if (
      variables?.[VENDING_ENV.userRoleArn] === undefined ||
      variables[VENDING_ENV.tokenIssuerKind] === undefined
    ) {
      continue;
    }
    return {
      roleArn: String(props.Role),
      environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
    };
  }
  return undefined;
}

/** The API's URL for `config.json` (`credentialVendingUrl`), or undefined when the feature is off. */
export function sandboxCredentialVendingUrl(
  resources: SandboxResources,
  sandboxUrl: string,
): string | undefined {
  return vendingFunctionOf(resources) ? `${sandboxUrl}${CREDENTIAL_VENDING_PATH}` : undefined;
}

const silentOnInfo = (log: (line: string) => void): VendingDeps['logger'] =>
  ({
    info() {},
    warn(message: string, extra?: Record<string, unknown>) {
      log(`credential vending: ${message} ${JSON.stringify(extra ?? {})}`);
    },
    error(message: string, extra?: Record<string, unknown>) {
      log(`credential vending: ${message} ${JSON.stringify(extra ?? {})}`);
    },
  }) as unknown as VendingDeps['logger'];

export const credentialVending: ServiceModule = {
  name: 'credential-vending',
  register(router, ctx) {
    const fn = vendingFunctionOf(ctx.resources);
    if (!fn) return;
    // The function's own configuration, read and validated as the deployed handler reads it.
    const config = readVendingConfig(fn.environment);
    let session: Session | undefined;
    const deps: VendingDeps = {
      verifyIdToken: createIdTokenVerifier({
        kind: 'oidc',
        issuer: ctx.resources.userPoolIssuer,
        audience:
          config.issuer.kind === 'cognito'
            ? config.issuer.clientIds
            : [ctx.resources.userPoolClientId],
        jwksUri: `${ctx.resources.userPoolIssuer}/.well-known/jwks.json`,
      }),
      sts: new STSClient({
        region: ctx.region,
        endpoint: ctx.url,
        // The function's execution role, as Lambda provides it.
        credentials: () => {
          if (!session || session.expiration - Date.now() < REFRESH_MARGIN_MS) {
            session = ctx.credentials.issue({
              roleArn: fn.roleArn,
              roleSessionName: 'credential-vending',
              durationSeconds: 3600,
              issuedBy: 'sandbox credential-vending function',
            });
          }
          return Promise.resolve({
            accessKeyId: session.accessKeyId,
            secretAccessKey: session.secretAccessKey,
            sessionToken: session.sessionToken,
            expiration: new Date(session.expiration),
          });
        },
      }),
      settings: config.settings,
      logger: silentOnInfo((line) => ctx.log(line)),
    };

    const handle = async (method: string, authorization: string | string[] | undefined) => {
      const response = await vendCredentials(deps, {
        method,
        authorization: Array.isArray(authorization) ? authorization[0] : authorization,
      });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    };
    for (const method of ['POST', 'GET', 'PUT', 'DELETE']) {
      router.rest(method, CREDENTIAL_VENDING_PATH, (req) =>
        handle(req.method, req.headers.authorization),
      );
    }
  },
};
