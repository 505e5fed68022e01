import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ChimeAppInstance } from '../../infra/constructs/chime-app-instance';
import { defaultTemplate, testApp } from './support';

function appInstanceStack(props: ConstructorParameters<typeof ChimeAppInstance>[2] = {}) {
  const stack = new Stack(testApp(), 'Test', { env: { region: 'us-east-1' } });
  const construct = new ChimeAppInstance(stack, 'AppInstance', props);
  return { stack, construct, template: () => Template.fromStack(stack) };
}

describe('ChimeAppInstance', () => {
  test('is a native AWS::Chime::AppInstance, retained by default', () => {
    const template = defaultTemplate();
    template.resourceCountIs('AWS::Chime::AppInstance', 1);
    template.hasResource('AWS::Chime::AppInstance', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { Name: Match.stringLikeRegexp('.+') },
    });
    // No custom resources or third-party providers for the AppInstance itself (the one SDK call
    // of the default stack asks for the messaging session endpoint).
    expect(Object.keys(template.findResources('Custom::AWS'))).toEqual([
      expect.stringMatching(/^MessagingSessionEndpoint/),
    ]);
  });

  test('removal policy is configurable', () => {
    const { template } = appInstanceStack({ removalPolicy: RemovalPolicy.DESTROY });
    template().hasResource('AWS::Chime::AppInstance', { DeletionPolicy: 'Delete' });
  });

  test('takes a name and metadata', () => {
    const { template } = appInstanceStack({ appInstanceName: 'my-chat', metadata: '{"app":"x"}' });
    template().hasResourceProperties('AWS::Chime::AppInstance', {
      Name: 'my-chat',
      Metadata: '{"app":"x"}',
    });
  });

  test('channel retention is set through a custom resource scoped to this AppInstance', () => {
    const { stack, template } = appInstanceStack({ channelRetention: Duration.days(30) });
    const t = template();
    // The SDK call is an Fn::Join (it embeds the AppInstance ARN): check its literal parts.
    const customResources = Object.values(t.findResources('Custom::AWS')) as {
      Properties: { Create: unknown };
    }[];
    expect(customResources).toHaveLength(1);
    const create = JSON.stringify(customResources[0]?.Properties.Create);
    expect(create).toContain('\\"service\\":\\"ChimeSDKIdentity\\"');
    expect(create).toContain('\\"action\\":\\"PutAppInstanceRetentionSettings\\"');
    expect(create).toContain('{\\"ChannelRetentionSettings\\":{\\"RetentionDays\\":30}}');
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'chime:PutAppInstanceRetentionSettings',
            Effect: 'Allow',
            Resource: stack.resolve(
              (stack.node.findChild('AppInstance') as ChimeAppInstance).appInstanceArn,
            ),
          },
        ],
      },
    });
  });

  test('no retention settings unless asked', () => {
    const { template } = appInstanceStack();
    template().resourceCountIs('Custom::AWS', 0);
  });

  test.each([0, 5476, 1.5])('rejects channel retention of %p days', (days) => {
    expect(() => appInstanceStack({ channelRetention: Duration.days(days) })).toThrow(
      /channelRetention must be whole days from 1 to 5475/,
    );
  });

  test('rejects a blank name and oversized metadata', () => {
    expect(() => appInstanceStack({ appInstanceName: '   ' })).toThrow(/appInstanceName/);
    expect(() => appInstanceStack({ metadata: 'x'.repeat(1025) })).toThrow(
      /metadata must be at most 1024 characters, got 1025/,
    );
  });
});
