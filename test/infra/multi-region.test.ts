/**
 * The same stack deployed to both Chime SDK messaging regions of one account: no resource may ask
 * for a name that is global to the account (CloudFront, IAM) or to AWS (S3 buckets) and that the
 * other region's stack also asks for. CloudFormation answers such a second create with "already
 * exists" (409).
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CHIME_SDK_MESSAGING_REGIONS } from '../../contracts/regions';
import { WebHosting } from '../../infra/constructs/web-hosting';
import {
  asTemplate,
  resolveIntrinsics,
  type CfnTemplate,
} from '../../sandbox/cloudformation/template';
import { fakeEnvironment } from '../../sandbox/cloudformation/fake-environment';
import { synthesizeApp } from '../../infra/synthesize';
import { NO_CFN_VALIDATION, testApp, testOutdir } from './support';

/** Where each resource type of a global namespace keeps its name, and the name's length limit. */
const GLOBAL_NAMES: Readonly<Record<string, { path: readonly string[]; max: number }>> = {
  'AWS::CloudFront::ResponseHeadersPolicy': {
    path: ['ResponseHeadersPolicyConfig', 'Name'],
    max: 128,
  },
  'AWS::CloudFront::OriginAccessControl': { path: ['OriginAccessControlConfig', 'Name'], max: 64 },
  'AWS::CloudFront::CachePolicy': { path: ['CachePolicyConfig', 'Name'], max: 128 },
  'AWS::CloudFront::OriginRequestPolicy': { path: ['OriginRequestPolicyConfig', 'Name'], max: 128 },
  'AWS::CloudFront::Function': { path: ['Name'], max: 64 },
  'AWS::CloudFront::KeyGroup': { path: ['KeyGroupConfig', 'Name'], max: 128 },
  'AWS::CloudFront::PublicKey': { path: ['PublicKeyConfig', 'Name'], max: 128 },
  'AWS::CloudFront::KeyValueStore': { path: ['Name'], max: 64 },
  'AWS::CloudFront::RealtimeLogConfig': { path: ['Name'], max: 128 },
  'AWS::IAM::Role': { path: ['RoleName'], max: 64 },
  'AWS::IAM::ManagedPolicy': { path: ['ManagedPolicyName'], max: 128 },
  'AWS::IAM::User': { path: ['UserName'], max: 64 },
  'AWS::IAM::Group': { path: ['GroupName'], max: 128 },
  'AWS::IAM::InstanceProfile': { path: ['InstanceProfileName'], max: 128 },
  'AWS::S3::Bucket': { path: ['BucketName'], max: 63 },
};

/** Types of the global services whose names do not matter: unnamed, or scoped to another resource. */
const NO_GLOBAL_NAME = new Set([
  'AWS::CloudFront::Distribution',
  'AWS::CloudFront::CloudFrontOriginAccessIdentity',
  // An inline policy's name is scoped to the roles it is attached to.
  'AWS::IAM::Policy',
]);

/** CloudFront and IAM are global services; S3 bucket names are global to AWS. */
const hasGlobalNames = (type: string) =>
  type.startsWith('AWS::CloudFront::') ||
  type.startsWith('AWS::IAM::') ||
  type === 'AWS::S3::Bucket';

interface GlobalName {
  readonly logicalId: string;
  readonly type: string;
  /** The resolved name, or undefined when CloudFormation generates one (stack name + random). */
  readonly name: string | undefined;
}

function globalNames(template: CfnTemplate, region: string): GlobalName[] {
  const env = fakeEnvironment(template, { region });
  const names: GlobalName[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const spec = GLOBAL_NAMES[resource.Type];
    if (!spec) continue;
    let value: unknown = resource.Properties;
    for (const key of spec.path) value = (value as Record<string, unknown> | undefined)?.[key];
    const name = value === undefined ? undefined : resolveIntrinsics(value, template, env);
    if (name !== undefined && typeof name !== 'string') {
      throw new Error(`${logicalId}: the name does not resolve to a string`);
    }
    names.push({ logicalId, type: resource.Type, name });
  }
  return names;
}

/** Every optional feature on, so that every resource the stack can create is checked. */
const templates = CHIME_SDK_MESSAGING_REGIONS.map((region) => {
  const { template } = synthesizeApp({
    context: { region, credentialVending: 'true', channelRetentionDays: '30' },
    bundling: false,
    appProps: NO_CFN_VALIDATION,
    outdir: testOutdir(),
  });
  return { region, template: asTemplate(template) };
});

test('synthesizes for both regions that have Chime SDK messaging', () => {
  expect(templates.map((t) => t.region)).toEqual(['us-east-1', 'eu-central-1']);
});

test('every resource type of a global namespace is classified (a new one must be looked at)', () => {
  for (const { template } of templates) {
    const unknown = Object.values(template.Resources)
      .map((r) => r.Type)
      .filter(hasGlobalNames)
      .filter((type) => !(type in GLOBAL_NAMES) && !NO_GLOBAL_NAME.has(type));
    expect(unknown).toEqual([]);
  }
});

test('no globally unique name is asked for by both regions, nor twice in one', () => {
  const [first, second] = templates.map(({ region, template }) => globalNames(template, region));
  const explicit = (names: GlobalName[]) =>
    names.flatMap((n) => (n.name === undefined ? [] : [n.name]));
  // The CloudFront names are set (CloudFormation has no generated names for them).
  expect(
    first!.filter((n) => n.type.startsWith('AWS::CloudFront::')).length,
  ).toBeGreaterThanOrEqual(3);
  for (const names of [first!, second!]) {
    expect(new Set(explicit(names)).size).toBe(explicit(names).length);
    for (const n of names) {
      if (n.name !== undefined)
        expect(n.name.length).toBeLessThanOrEqual(GLOBAL_NAMES[n.type]!.max);
    }
  }
  const collisions = explicit(first!).filter((name) => explicit(second!).includes(name));
  expect(collisions).toEqual([]);
});

test('an environment-agnostic stack names them with the deploy-time region', () => {
  const app = testApp();
  const stack = new Stack(app, 'Agnostic');
  new WebHosting(stack, 'WebHosting');
  const template = asTemplate(Template.fromStack(stack).toJSON());
  const inRegion = (region: string) =>
    globalNames(template, region)
      .filter((n) => n.type.startsWith('AWS::CloudFront::'))
      .map((n) => n.name);
  const east = inRegion('us-east-1');
  const central = inRegion('eu-central-1');
  expect(east.every((name) => name?.endsWith('-us-east-1'))).toBe(true);
  expect(central.every((name) => name?.endsWith('-eu-central-1'))).toBe(true);
  expect(east.filter((name) => central.includes(name))).toEqual([]);
});
