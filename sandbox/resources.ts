/**
 * The sandbox's stand-ins for the physical resources CloudFormation would create: ids and ARNs,
 * generated once and kept in `.sandbox/resources.json` so they survive restarts.
 */
export interface SandboxResources {
  readonly region: string;
  readonly accountId: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  /** `cognito-idp.<region>.amazonaws.com/<userPoolId>`, the ProviderName on AWS. */
  readonly userPoolProviderName: string;
  /** `http://127.0.0.1:<port>/<userPoolId>`: the `iss` of the sandbox's tokens. */
  readonly userPoolIssuer: string;
  readonly identityPoolId: string;
  readonly appInstanceArn: string;
  readonly principalTagKey: string;
  /** Logical id -> physical id (`Ref`) of every resource of the template. */
  readonly refs: Readonly<Record<string, string>>;
  /** Logical id -> attribute -> value (`Fn::GetAtt`). */
  readonly attributes: Readonly<Record<string, Readonly<Record<string, string>>>>;
}
