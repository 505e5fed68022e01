/**
 * The messaging session endpoint asked at deploy time (infra/constructs/messaging-session-endpoint.ts):
 * an AwsCustomResource calling GetMessagingSessionEndpoint with only that action, whose answer is
 * the ClientConfig output's (and the hosted config.json's) `messagingSessionEndpoint`.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { defaultTemplate } from './support';

const template = defaultTemplate();

function endpointResource(): { logicalId: string; properties: Record<string, unknown> } {
  const found = Object.entries(
    template.findResources('Custom::AWS') as Record<
      string,
      { Properties: Record<string, unknown> }
    >,
  ).filter(([id]) => id.startsWith('MessagingSessionEndpoint'));
  expect(found).toHaveLength(1);
  const [logicalId, resource] = found[0]!;
  return { logicalId, properties: resource.Properties };
}

test('GIVEN the default stack THEN one AwsCustomResource asks GetMessagingSessionEndpoint on create and update', () => {
  const { properties } = endpointResource();
  for (const phase of ['Create', 'Update']) {
    expect(JSON.parse(properties[phase] as string)).toEqual({
      service: 'ChimeSDKMessaging',
      action: 'GetMessagingSessionEndpoint',
      // The endpoint is the physical id; only the field used comes back to CloudFormation.
      physicalResourceId: { responsePath: 'Endpoint.Url' },
      outputPaths: ['Endpoint.Url'],
    });
  }
  expect(properties.Delete).toBeUndefined();
  expect(properties.InstallLatestAwsSdk).toBe(false);
});

test('its policy grants chime:GetMessagingSessionEndpoint alone, on * (the action has no resource type)', () => {
  const { logicalId } = endpointResource();
  const policies = template.findResources('AWS::IAM::Policy', {
    DependsOn: Match.absent(),
  }) as Record<string, { Properties: { PolicyDocument: unknown; Roles: unknown } }>;
  const own = Object.entries(policies).filter(([id]) =>
    id.startsWith('MessagingSessionEndpointCustomResourcePolicy'),
  );
  expect(own).toHaveLength(1);
  expect(own[0]![1].Properties.PolicyDocument).toEqual({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'chime:GetMessagingSessionEndpoint', Resource: '*' }],
  });
  // Attached to the stack's SDK-call provider role, and in place before the call runs.
  expect(own[0]![1].Properties.Roles).toEqual([
    { Ref: expect.stringMatching(/^AWS679f53fac002430cb0da5b7982bd2287ServiceRole/) },
  ]);
  const resources = template.toJSON().Resources as Record<string, { DependsOn?: string[] }>;
  const resource = resources[logicalId]!;
  expect(resource.DependsOn).toContain(own[0]![0]);
});

test('the ClientConfig output carries the answer as messagingSessionEndpoint', () => {
  const { logicalId } = endpointResource();
  const value = template.findOutputs('ClientConfig').ClientConfig?.Value as {
    'Fn::Join': [string, unknown[]];
  };
  const parts = value['Fn::Join'][1];
  const at = parts.findIndex(
    (p) => JSON.stringify(p) === JSON.stringify({ 'Fn::GetAtt': [logicalId, 'Endpoint.Url'] }),
  );
  expect(at).toBeGreaterThan(0);
  expect(parts[at - 1]).toMatch(/"messagingSessionEndpoint":"$/);
});
