import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { API_PATHS, DEFAULT_USER_LOOKUPS_PER_MINUTE } from '../../contracts/http-api';
import { USERS_LOOKUP_ENV, USERS_LOOKUP_RATE_SCOPE } from '../../lambdas/lib/users-lookup/config';
import type { ProjectNodejsFunction } from '../lambda-defaults';
import type { ProjectHttpApi } from './project-http-api';

/**
 * The route's throttle: well under Cognito's ListUsers quota (the UserList category, 30 RPS per
 * account and region, not adjustable), so lookups never starve an operator's own ListUsers calls.
 */
export const USER_LOOKUP_THROTTLE: apigwv2.ThrottleSettings = { rateLimit: 10, burstLimit: 20 };

export interface PeopleDirectoryProps {
  readonly api: ProjectHttpApi;
  readonly userPool: cognito.IUserPool;
  /** ARN of the Chime AppInstance (to answer AppInstanceUser ARNs). */
  readonly appInstanceArn: string;
  /**
   * Lookups per caller and minute.
   * @default DEFAULT_USER_LOOKUPS_PER_MINUTE
   */
  readonly lookupsPerMinute?: number;
}

/**
 * `GET /users?email=<address>` (docs/people.md): a signed-in person finds one other person by
 * exact email. Its function may call `cognito-idp:ListUsers` on this pool and nothing else in
 * Cognito, so no user ever holds the permission that would list every address.
 */
export class PeopleDirectory extends Construct {
  public readonly lookupFunction: ProjectNodejsFunction;

  constructor(scope: Construct, id: string, props: PeopleDirectoryProps) {
    super(scope, id);
    this.lookupFunction = props.api.addRoute('UsersLookup', {
      method: apigwv2.HttpMethod.GET,
      path: API_PATHS.users,
      entry: path.join(__dirname, '..', '..', 'lambdas', 'users-lookup.ts'),
      handler: 'handler',
      description: 'GET /users: one person by exact email, for adding them to a channel',
      serviceName: 'users-lookup',
      timeout: Duration.seconds(5),
      throttle: USER_LOOKUP_THROTTLE,
      perCallerLimit: {
        scope: USERS_LOOKUP_RATE_SCOPE,
        limit: props.lookupsPerMinute ?? DEFAULT_USER_LOOKUPS_PER_MINUTE,
        windowSeconds: 60,
      },
      environment: {
        [USERS_LOOKUP_ENV.userPoolId]: props.userPool.userPoolId,
        [USERS_LOOKUP_ENV.appInstanceArn]: props.appInstanceArn,
      },
    });
    this.lookupFunction.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'FindUsersByEmail',
        actions: ['cognito-idp:ListUsers'],
        resources: [props.userPool.userPoolArn],
      }),
    );
  }
}
