/**
 * The sandbox enforces the template it is given, not a copy of our intentions: the same flows
 * against altered copies of the synthesized template fail or succeed exactly as the change says.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthFlowType, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { appInstanceUserArn } from '../../contracts/chime-arns';
import { type CfnTemplate, resourcesOfType } from '../../sandbox/cloudformation/template';
import { PROJECT_ROOT, ensureSynth } from '../../sandbox/synth';
import { type TestSandbox, startTestSandbox } from '../../sandbox/testing';

jest.setTimeout(60_000);

const fixtures: string[] = [];

afterAll(() => {
  for (const dir of fixtures) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the cloud assembly whose template `change` edits. */
async function alteredAssembly(change: (template: CfnTemplate) => void): Promise<string> {
  const source = process.env.SANDBOX_CDK_OUT ?? join(PROJECT_ROOT, 'cdk.out');
  if (!process.env.SANDBOX_CDK_OUT) await ensureSynth(source);
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-fixture-'));
  fixtures.push(dir);
  cpSync(source, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const stack = Object.values(manifest.artifacts).find(
    (a) => a.type === 'aws:cloudformation:stack',
  );
  const file = join(dir, stack?.properties?.templateFile ?? '');
  const template = JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate;
  change(template);
  writeFileSync(file, JSON.stringify(template));
  return dir;
}

/** The identity pool's authenticated role resource. */
function authenticatedRole(template: CfnTemplate): Record<string, unknown> {
  const attachment = resourcesOfType(template, 'AWS::Cognito::IdentityPoolRoleAttachment')[0] ?? '';
  const roles = template.Resources[attachment]?.Properties?.Roles as {
    authenticated: { 'Fn::GetAtt': [string, string] };
  };
  return template.Resources[roles.authenticated['Fn::GetAtt'][0]]?.Properties as Record<
    string,
    unknown
  >;
}

describe('a trust policy without sts:TagSession (aws/aws-cdk#30919)', () => {
  let sandbox: TestSandbox;
  beforeAll(async () => {
    const cdkOutDir = await alteredAssembly((template) => {
      const trust = authenticatedRole(template).AssumeRolePolicyDocument as {
        Statement: { Action: string | string[] }[];
      };
      for (const statement of trust.Statement) statement.Action = 'sts:AssumeRoleWithWebIdentity';
    });
    sandbox = await startTestSandbox({ cdkOutDir });
  }, 180_000);
  afterAll(() => sandbox?.stop());

  it('makes GetCredentialsForIdentity fail, as Cognito does with principal tags', async () => {
    const user = await sandbox.signUpUser('erin@example.com');
    const { idToken } = await sandbox.signIn(user);
    await expect(sandbox.credentialsFor(idToken)).rejects.toMatchObject({
      name: 'InvalidIdentityPoolConfigurationException',
    });
  });
});

describe('a role policy widened to every user of the AppInstance', () => {
  let sandbox: TestSandbox;
  beforeAll(async () => {
    const cdkOutDir = await alteredAssembly((template) => {
      const policies = authenticatedRole(template).Policies as {
        PolicyDocument: { Statement: { Resource?: unknown }[] };
      }[];
      for (const policy of policies) {
        for (const statement of policy.PolicyDocument.Statement) {
          statement.Resource = '*';
        }
      }
    });
    sandbox = await startTestSandbox({ cdkOutDir });
  }, 180_000);
  afterAll(() => sandbox?.stop());

  it('lets one user act as another: the sandbox evaluates what the template says', async () => {
    const frank = await sandbox.signUpUser('frank@example.com');
    const grace = await sandbox.signUpUser('grace@example.com');
    const { credentials } = await sandbox.credentialsFor((await sandbox.signIn(frank)).idToken);
    const session = sandbox.credentials.find(credentials.accessKeyId)!;
    await expect(
      sandbox.context.authorize(
        { session, region: sandbox.config.region, presigned: false },
        {
          action: 'chime:SendChannelMessage',
          resource: appInstanceUserArn(sandbox.config.appInstanceArn, grace.sub),
          protocol: 'restJson',
        },
      ),
    ).resolves.toBeUndefined();
  });
});

describe('an app client that allows USER_PASSWORD_AUTH', () => {
  let sandbox: TestSandbox;
  beforeAll(async () => {
    const cdkOutDir = await alteredAssembly((template) => {
      const client = template.Resources[
        resourcesOfType(template, 'AWS::Cognito::UserPoolClient')[0] ?? ''
      ]?.Properties as Record<string, unknown>;
      client.ExplicitAuthFlows = [
        'ALLOW_USER_SRP_AUTH',
        'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
      ];
    });
    sandbox = await startTestSandbox({ cdkOutDir });
  }, 180_000);
  afterAll(() => sandbox?.stop());

  const passwordSignIn = (username: string, password: string) =>
    sandbox.userPoolClient.send(
      new InitiateAuthCommand({
        ClientId: sandbox.config.userPoolClientId,
        AuthFlow: AuthFlowType.USER_PASSWORD_AUTH,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );

  it('signs in with the password, checked against its scrypt hash', async () => {
    const henry = await sandbox.signUpUser('henry@example.com');
    const out = await passwordSignIn('HENRY@example.com', henry.password);
    expect(out.AuthenticationResult).toMatchObject({ ExpiresIn: 3600, TokenType: 'Bearer' });
    const answer = { name: 'NotAuthorizedException', message: 'Incorrect username or password.' };
    await expect(passwordSignIn(henry.email, 'Wrong-Passw0rd!')).rejects.toMatchObject(answer);
    await expect(passwordSignIn('nobody@example.com', henry.password)).rejects.toMatchObject(
      answer,
    );
  });
});
