/**
 * The guest access construct as synthesized: the KMS signing key, the guest role (its own role,
 * trusting only the redeem role, only with a guest-id tag), the three routes (the JWT authorizer
 * on the moderator routes, none on redeem), their throttles and per-caller limits, each
 * function's least privileges; on by default, `-c guests=false` leaves it out; cdk-nag clean.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { guestRolePolicyDocument } from '../../contracts/guests';
import {
  GUEST_CREDENTIALS_THROTTLE,
  GUEST_INVITE_THROTTLE,
  GuestAccess,
} from '../../infra/constructs/guest-access';
import { ProjectHttpApi } from '../../infra/constructs/project-http-api';
import { addNagChecks } from '../../infra/nag';
import { synthFromContext, testApp } from './support';

const APP_INSTANCE_ARN = 'arn:aws:chime:us-east-1:123456789012:app-instance/abc-123';

/** GIVEN a stack with the HTTP API and the construct (cdk-nag on, as `cdk synth` runs it). */
function build() {
  const app = testApp();
  const stack = new Stack(app, 'GuestTest', {
    env: { region: 'us-east-1', account: '123456789012' },
  });
  const api = new ProjectHttpApi(stack, 'Api', {
    userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_TestPool1'),
    userPoolClient: cognito.UserPoolClient.fromUserPoolClientId(stack, 'Web', 'webclient123'),
    allowedOrigins: ['http://localhost:5173'],
  });
  const guests = new GuestAccess(stack, 'Guests', { api, appInstanceArn: APP_INSTANCE_ARN });
  addNagChecks(app);
  app.synth();
  return { stack, guests, template: Template.fromStack(stack) };
}

let built: ReturnType<typeof build>;
beforeAll(() => {
  built = build();
});

const roleId = (role: { node: { defaultChild?: unknown } }) =>
  built.stack.getLogicalId(role.node.defaultChild as never);

type Statement = {
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
  Sid?: string;
};
function statementsOfRole(logicalRoleId: string): Statement[] {
  const policies = built.template.findResources('AWS::IAM::Policy') as Record<
    string,
    { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } } }
  >;
  return Object.values(policies)
    .filter((p) => p.Properties.Roles.some((r) => r.Ref === logicalRoleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}
const actionsOf = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat()).sort();

describe('the invite key', () => {
  it('is an ECC_NIST_P256 signing key (ES256), its policy the account root only', () => {
    built.template.hasResourceProperties('AWS::KMS::Key', {
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      KeyPolicy: {
        Statement: [Match.objectLike({ Action: 'kms:*', Principal: { AWS: Match.anyValue() } })],
      },
    });
  });
});

describe('the guest role', () => {
  it('trusts only the redeem role, AssumeRole + TagSession, the tag required to be a guest id, no other tag', () => {
    built.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Principal: { AWS: { 'Fn::GetAtt': [roleId(built.guests.redeemRole), 'Arn'] } },
            Condition: {
              StringLike: { 'aws:RequestTag/chime_user_id': 'guest-*' },
              'ForAllValues:StringEquals': { 'aws:TagKeys': ['chime_user_id'] },
            },
          },
        ],
      },
      MaxSessionDuration: 3600,
      Policies: [
        {
          PolicyName: 'GuestMessaging',
          PolicyDocument: guestRolePolicyDocument({
            appInstanceArn: APP_INSTANCE_ARN,
            principalTagKey: 'chime_user_id',
          }),
        },
      ],
    });
  });

  it('has no other policy attached', () => {
    expect(statementsOfRole(roleId(built.guests.guestRole))).toEqual([]);
    const role = built.template.findResources('AWS::IAM::Role')[roleId(built.guests.guestRole)] as {
      Properties: Record<string, unknown>;
    };
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('the routes', () => {
  const routes = () =>
    Object.values(built.template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) =>
        r.Properties as { RouteKey: string; AuthorizationType: string; AuthorizerId?: unknown },
    );

  it('moderator routes behind the JWT authorizer; redeem open (the invite is the credential)', () => {
    expect(
      routes()
        .map((r) => [r.RouteKey, r.AuthorizationType])
        .sort(),
    ).toEqual([
      ['DELETE /guest-invites/{guestId}', 'JWT'],
      ['POST /guest-credentials', 'NONE'],
      ['POST /guest-invites', 'JWT'],
    ]);
    expect(
      routes().find((r) => r.RouteKey === 'POST /guest-credentials')!.AuthorizerId,
    ).toBeUndefined();
  });

  it('each route has its throttle on the stage', () => {
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: {
        'POST /guest-invites': {
          ThrottlingRateLimit: GUEST_INVITE_THROTTLE.rateLimit,
          ThrottlingBurstLimit: GUEST_INVITE_THROTTLE.burstLimit,
        },
        'DELETE /guest-invites/{guestId}': Match.objectLike({ ThrottlingRateLimit: 5 }),
        'POST /guest-credentials': {
          ThrottlingRateLimit: GUEST_CREDENTIALS_THROTTLE.rateLimit,
          ThrottlingBurstLimit: GUEST_CREDENTIALS_THROTTLE.burstLimit,
        },
      },
    });
  });

  it('per-caller limits: 20 invites an hour per moderator, 6 redemptions a minute per guest', () => {
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          RATE_LIMIT_PER_WINDOW: '20',
          RATE_LIMIT_WINDOW_SECONDS: '3600',
        }),
      },
      Description: Match.stringLikeRegexp('^POST /guest-invites'),
    });
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          RATE_LIMIT_PER_WINDOW: '6',
          RATE_LIMIT_WINDOW_SECONDS: '60',
        }),
      },
      Description: Match.stringLikeRegexp('^POST /guest-credentials'),
    });
  });

  it('CORS admits DELETE and the JSON content type', () => {
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowMethods: Match.arrayWith(['POST', 'DELETE']),
        AllowHeaders: ['authorization', 'content-type'],
      }),
    });
  });
});

describe("the functions' roles: exactly their job", () => {
  it('invite: read moderators as the caller, create (and clean up) guests only, sign with the key', () => {
    const statements = statementsOfRole(roleId(built.guests.inviteFunction.role as never));
    expect(actionsOf(statements)).toEqual([
      'chime:CreateAppInstanceUser',
      'chime:DeleteAppInstanceUser',
      'chime:DescribeChannelModerator',
      'dynamodb:UpdateItem',
      'kms:Sign',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    const create = statements.find((s) =>
      [s.Action].flat().includes('chime:CreateAppInstanceUser'),
    )!;
    expect(JSON.stringify(create.Resource)).toContain('/user/guest-*');
  });

  it('cancel: read moderators, describe and delete guests only', () => {
    expect(actionsOf(statementsOfRole(roleId(built.guests.cancelFunction.role as never)))).toEqual([
      'chime:DeleteAppInstanceUser',
      'chime:DescribeAppInstanceUser',
      'chime:DescribeChannelModerator',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });

  it('redeem: assume and tag the guest role, read guests and their membership, the public key', () => {
    const statements = statementsOfRole(roleId(built.guests.redeemRole));
    expect(actionsOf(statements)).toEqual([
      'chime:DescribeAppInstanceUser',
      'chime:DescribeChannelMembership',
      'dynamodb:UpdateItem',
      'kms:GetPublicKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sts:AssumeRole',
      'sts:TagSession',
    ]);
    for (const s of statements.filter((st) => String(st.Action).startsWith('chime:'))) {
      expect(JSON.stringify(s.Resource)).toContain('/user/guest-*');
    }
  });
});

describe('on by default', () => {
  it('the stack has it unless -c guests=false', () => {
    const on = synthFromContext({ webHosting: 'false' });
    expect(Object.keys(on.findResources('AWS::KMS::Key'))).toHaveLength(1);
    const output = on.findOutputs('ClientConfig').ClientConfig as { Value: unknown };
    expect(JSON.stringify(output.Value)).toContain('\\"guests\\":true');
    const off = synthFromContext({ webHosting: 'false', guests: 'false' });
    expect(off.findResources('AWS::KMS::Key')).toEqual({});
    const routes = Object.values(off.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => (r.Properties as { RouteKey: string }).RouteKey,
    );
    expect(routes.filter((k) => k.includes('guest'))).toEqual([]);
    expect(() => synthFromContext({ webHosting: 'false', guests: 'maybe' })).toThrow(
      /context 'guests' must be true or false/,
    );
  });
});

describe('an open route must say why', () => {
  it('addRoute refuses an empty reason and scopes without an authorizer', () => {
    const app = testApp();
    const stack = new Stack(app, 'OpenRoute');
    const api = new ProjectHttpApi(stack, 'Api', {
      userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_TestPool1'),
      userPoolClient: cognito.UserPoolClient.fromUserPoolClientId(stack, 'Web', 'webclient123'),
      allowedOrigins: [],
    });
    const route = (extra: object) => () =>
      api.addRoute('R', {
        method: 'POST' as never,
        path: '/open',
        entry: __filename,
        throttle: { rateLimit: 1, burstLimit: 1 },
        perCallerLimit: { scope: 'open', limit: 1, windowSeconds: 60 },
        ...extra,
      });
    expect(route({ unauthenticated: { reason: '' }, path: '/x/{bad id}' })).toThrow(/route path/);
    expect(route({ unauthenticated: { reason: 'x' }, authorizationScopes: ['a'] })).toThrow(
      /scopes but no authorizer/,
    );
  });
});
