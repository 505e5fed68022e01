import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { parseClientConfig } from '../../contracts/client-config';
import { CHIME_SDK_MESSAGING_REGIONS } from '../../contracts/regions';
import { ChimeCognitoAuthStack } from '../../infra/chime-cognito-auth-stack';
import { stackPropsFromContext } from '../../infra/context';
import { addNagChecks } from '../../infra/nag';
import { defaultTemplate, synthFromContext, synthStack, testApp } from './support';

describe('region guard', () => {
  test.each(CHIME_SDK_MESSAGING_REGIONS)('accepts %s', (region) => {
    expect(() => synthStack({ env: { region } })).not.toThrow();
  });

  test.each(['eu-west-1', 'ap-southeast-1', 'us-west-2'])(
    'refuses %s, naming the supported regions',
    (region) => {
      expect(() => synthStack({ env: { region } })).toThrow(
        `Amazon Chime SDK messaging is not available in ${region}; deploy to one of: us-east-1, eu-central-1`,
      );
    },
  );

  test('an environment-agnostic stack gets a deploy-time rule instead', () => {
    const stack = new ChimeCognitoAuthStack(testApp(), 'Agnostic');
    const { Rules } = Template.fromStack(stack).toJSON() as { Rules: Record<string, unknown> };
    expect(Rules.ChimeSdkMessagingRegion).toMatchObject({
      Assertions: [
        {
          Assert: { 'Fn::Contains': [[...CHIME_SDK_MESSAGING_REGIONS], { Ref: 'AWS::Region' }] },
          AssertDescription: expect.stringContaining('deploy to one of: us-east-1, eu-central-1'),
        },
      ],
    });
  });

  test('a stack with a concrete region has no such rule', () => {
    expect(defaultTemplate().toJSON().Rules).not.toHaveProperty('ChimeSdkMessagingRegion');
  });
});

describe('outputs', () => {
  const template = defaultTemplate();

  test.each([
    'Region',
    'UserPoolId',
    'UserPoolClientId',
    'IdentityPoolId',
    'AppInstanceArn',
    'HostedUiDomain',
    'PrincipalTagKey',
    'ClientConfig',
    'StatefulRemovalPolicy',
  ])('has output %s', (name) => {
    template.hasOutput(name, {
      Value: Match.anyValue(),
      Description: Match.stringLikeRegexp('.+'),
    });
  });

  test('StatefulRemovalPolicy says whether a stack deletion keeps the user pool and AppInstance', () => {
    template.hasOutput('StatefulRemovalPolicy', { Value: 'retain' });
    synthStack({ removalPolicy: RemovalPolicy.DESTROY }).hasOutput('StatefulRemovalPolicy', {
      Value: 'destroy',
    });
  });

  test('ClientConfig is the web demo config, with SRP sign-in and the hosted UI', () => {
    const value = template.findOutputs('ClientConfig').ClientConfig?.Value as {
      'Fn::Join': [string, unknown[]];
    };
    // Replace every intrinsic by a plausible value, then parse with the web demo's own parser.
    const fake: Record<string, string> = {
      AppInstanceArn: 'arn:aws:chime:us-east-1:111122223333:app-instance/abc-123',
      'Endpoint.Url': 'node001.ue1.ws-messaging.chime.aws',
    };
    const json = value['Fn::Join'][1]
      .map((part) => {
        if (typeof part === 'string') return part;
        const att = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
        return (att && fake[att[1]]) ?? 'x';
      })
      .join('');
    const config = parseClientConfig(JSON.parse(json));
    expect(config).toMatchObject({
      version: 1,
      region: 'us-east-1',
      principalTagKey: 'chime_user_id',
      signInFlow: 'USER_SRP_AUTH',
      hostedUi: {
        // 'x' stands for the hosted web demo's CloudFront domain.
        redirectSignIn: ['http://localhost:5173/', 'https://x/'],
        redirectSignOut: ['http://localhost:5173/', 'https://x/'],
        scopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
      },
      // 'x' stands for the API id and the URL suffix: the API Gateway endpoint, stage 'api'.
      apiUrl: 'https://x.execute-api.us-east-1.x/api',
      // GetMessagingSessionEndpoint's answer at deploy time (MessagingSessionEndpoint).
      messagingSessionEndpoint: 'node001.ue1.ws-messaging.chime.aws',
    });
    expect(config.endpoints).toBeUndefined();
  });
});

describe('cdk-nag', () => {
  test('the stack has no unacknowledged AwsSolutions finding (synth would throw)', () => {
    expect(() => defaultTemplate()).not.toThrow();
    expect(() => synthStack({ channelRetention: Duration.days(90) })).not.toThrow();
  });

  test('an unacknowledged finding fails synth', () => {
    const app = testApp();
    const stack = new ChimeCognitoAuthStack(app, 'Nagged', { env: { region: 'us-east-1' } });
    const role = new iam.Role(stack, 'Loose', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    addNagChecks(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Resource::\*\]/);
  });
});

describe('context', () => {
  function props(context: Record<string, unknown>) {
    return stackPropsFromContext(testApp({ context }));
  }

  test('defaults to us-east-1', () => {
    const saved = process.env.CDK_DEFAULT_REGION;
    delete process.env.CDK_DEFAULT_REGION;
    try {
      expect(props({}).env?.region).toBe('us-east-1');
    } finally {
      if (saved !== undefined) process.env.CDK_DEFAULT_REGION = saved;
    }
  });

  test('reads every key', () => {
    const p = props({
      region: 'eu-central-1',
      principalTagKey: 'uid',
      hostedUiDomainPrefix: 'chat-x',
      callbackUrls: 'https://a.example/,https://b.example/',
      removalPolicy: 'destroy',
      channelRetentionDays: '30',
      hostedUi: 'false',
      deployedHostedUiDomain: 'old.auth.eu-central-1.amazoncognito.com',
      emailFrom: 'no-reply@chat.example.com',
      sesDomain: 'chat.example.com',
      featurePlan: 'plus',
    });
    expect(p).toMatchObject({
      env: { region: 'eu-central-1' },
      principalTagKey: 'uid',
      hostedUiDomainPrefix: 'chat-x',
      callbackUrls: ['https://a.example/', 'https://b.example/'],
      removalPolicy: 'destroy',
      hostedUi: false,
      deployedHostedUiDomain: 'old.auth.eu-central-1.amazoncognito.com',
      emailFrom: 'no-reply@chat.example.com',
      sesDomain: 'chat.example.com',
      featurePlan: 'PLUS',
    });
    expect(p.channelRetention?.toDays()).toBe(30);
  });

  test.each([
    [{ removalPolicy: 'keep' }, /'removalPolicy' must be 'retain' or 'destroy', got 'keep'/],
    [{ channelRetentionDays: 'ten' }, /'channelRetentionDays' must be a whole number, got 'ten'/],
    [{ callbackUrls: 42 }, /'callbackUrls' must be a list of URLs/],
    [{ principalTagKey: 7 }, /'principalTagKey' must be a string, got 7/],
    [{ featurePlan: 'gold' }, /'featurePlan' must be one of lite, essentials, plus, got 'gold'/],
    [{ hostedUi: 'no' }, /'hostedUi' must be true or false/],
  ])('rejects %p', (context, message) => {
    expect(() => props(context)).toThrow(message);
  });

  test('emailFrom: SES with the address as identity, or the sesDomain, in the stack account and region', () => {
    // arn:aws:ses:<stack region>:<stack account>:identity/<identity>
    const sourceArn = (identity: string) => ({
      'Fn::Join': ['', ['arn:aws:ses:us-east-1:', Match.anyValue(), `:identity/${identity}`]],
    });
    synthFromContext({ emailFrom: 'no-reply@chat.example.com' }).hasResourceProperties(
      'AWS::Cognito::UserPool',
      {
        EmailConfiguration: {
          EmailSendingAccount: 'DEVELOPER',
          From: 'no-reply@chat.example.com',
          SourceArn: sourceArn('no-reply@chat.example.com'),
        },
      },
    );
    synthFromContext({
      emailFrom: 'Chat <no-reply@chat.example.com>',
      sesDomain: 'chat.example.com',
    }).hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: Match.objectLike({ SourceArn: sourceArn('chat.example.com') }),
    });
  });

  test.each([
    [{ sesDomain: 'chat.example.com' }, /need emailFrom/],
    [{ sesIdentityArn: 'arn:aws:ses:us-east-1:111122223333:identity/x.com' }, /need emailFrom/],
    [
      {
        emailFrom: 'a@x.com',
        sesDomain: 'x.com',
        sesIdentityArn: 'arn:aws:ses:us-east-1:111122223333:identity/x.com',
      },
      /not both/,
    ],
  ])('email context %p is refused', (context, message) => {
    expect(() => synthFromContext(context)).toThrow(message);
  });

  test('hostedUi=false: no domain, no HostedUiDomain output, no hostedUi in the client config', () => {
    const template = synthFromContext({ hostedUi: 'false' });
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 0);
    expect(template.findOutputs('HostedUiDomain')).toEqual({});
    expect(JSON.stringify(template.findOutputs('ClientConfig'))).not.toContain('hostedUi');
  });

  test('deployedHostedUiDomain from context guards a one-step prefix change', () => {
    expect(() =>
      synthFromContext({
        hostedUiDomainPrefix: 'new-chat',
        deployedHostedUiDomain: 'old-chat.auth.us-east-1.amazoncognito.com',
      }),
    ).toThrow(/from 'old-chat' to 'new-chat' in one deploy/);
  });

  test('a bad tag key from context fails synth', () => {
    expect(() => synthFromContext({ principalTagKey: 'bad}key' })).toThrow(/principal tag key/);
  });

  test('stack id and nag wiring are what `cdk synth` uses', () => {
    const app = testApp();
    const stack = new ChimeCognitoAuthStack(app, 'X', stackPropsFromContext(app));
    expect(Stack.of(stack).region).toBe(process.env.CDK_DEFAULT_REGION ?? 'us-east-1');
  });
});
