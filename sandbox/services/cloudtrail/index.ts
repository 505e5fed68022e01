/**
 * CloudTrail for the user pool, as far as the user lifecycle needs it: each user pool call that
 * changes who a user is in Chime (contracts/user-lifecycle.ts: delete, disable, enable, attribute
 * updates, by an administrator or by the user) becomes the event EventBridge delivers for a
 * management-events trail ("AWS API Call via CloudTrail", source `aws.cognito-idp`), published on
 * the sandbox's event bus once the call has answered.
 *
 * The event's shape follows the CloudTrail record format and the Cognito guide: the user's `sub` in
 * `additionalEventData.sub` (Cognito records the sub, not the user name), the user name and the
 * attributes masked as `HIDDEN_DUE_TO_SECURITY_REASONS`, `userPoolId` only in administrator calls
 * (a user's own call names no pool), failed calls with their `errorCode`. Which fields AWS masks,
 * and where exactly it writes the sub, needs a real account to confirm (docs/user-lifecycle.md).
 * Delivery here is immediate; on AWS it is best effort, usually within seconds.
 */
import { randomUUID } from 'node:crypto';
import {
  CLOUDTRAIL_API_CALL_DETAIL_TYPE,
  COGNITO_IDP_EVENT_BUS_SOURCE,
  COGNITO_IDP_EVENT_SOURCE,
  USER_LIFECYCLE_EVENT_NAMES,
} from '../../../contracts/user-lifecycle';
import type { ApiCallObserver } from '../user-pool/iam-gate';

const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

export interface CloudTrailOptions {
  readonly region: string;
  readonly accountId: string;
  /** The user with this user name (or sub), looked up before the call changes it. */
  findUser(usernameOrSub: string): Promise<{ sub: string } | undefined>;
  /** Where the events go (the event bus); not awaited. */
  publish(event: Record<string, unknown>): Promise<unknown>;
  readonly log: (line: string) => void;
}

/** Request parameters as CloudTrail records them: identifiers kept, personal data masked. */
function recordedParameters(request: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof request.UserPoolId === 'string') out.userPoolId = request.UserPoolId;
  if (request.Username !== undefined) out.username = HIDDEN;
  if (request.UserAttributes !== undefined) out.userAttributes = HIDDEN;
  if (request.AccessToken !== undefined) out.accessToken = HIDDEN;
  return out;
}

export function cloudTrailRecorder(options: CloudTrailOptions): ApiCallObserver {
  const names: readonly string[] = USER_LIFECYCLE_EVENT_NAMES;
  return async ({ operation, request, tokenSub, callerArn }) => {
    if (!names.includes(operation)) return undefined;
    const username = request.Username;
    const sub =
      tokenSub ??
      (typeof username === 'string' ? (await options.findUser(username))?.sub : undefined);
    return (status) => {
      const time = new Date();
      const event = {
        version: '0',
        id: randomUUID(),
        'detail-type': CLOUDTRAIL_API_CALL_DETAIL_TYPE,
        source: COGNITO_IDP_EVENT_BUS_SOURCE,
        account: options.accountId,
        time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: options.region,
        resources: [],
        detail: {
          eventVersion: '1.09',
          userIdentity: callerArn
            ? { type: 'AssumedRole', arn: callerArn, accountId: options.accountId }
            : { type: 'Unknown', accountId: options.accountId },
          eventTime: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
          eventSource: COGNITO_IDP_EVENT_SOURCE,
          eventName: operation,
          awsRegion: options.region,
          sourceIPAddress: '127.0.0.1',
          userAgent: 'sandbox',
          ...(status !== 200 && { errorCode: 'SandboxError', errorMessage: `HTTP ${status}` }),
          requestParameters: recordedParameters(request),
          responseElements: null,
          ...(sub && { additionalEventData: { sub } }),
          requestID: randomUUID(),
          eventID: randomUUID(),
          readOnly: false,
          eventType: 'AwsApiCall',
          managementEvent: true,
          recipientAccountId: options.accountId,
          eventCategory: 'Management',
        },
      };
      options.publish(event).catch((error: unknown) => {
        options.log(`cloudtrail: ${operation} event not delivered: ${(error as Error).message}`);
      });
    };
  };
}
