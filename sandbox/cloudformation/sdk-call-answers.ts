/**
 * What the template's AwsCustomResource SDK calls (`Custom::AWS`) answered, for the calls whose
 * answer the sandbox knows itself: their Lambda (aws-cdk-lib's SDK-call provider) never runs here,
 * and the call would reach AWS. Each answer is what the sandbox's own service says, so a value the
 * stack copies from it (the client config's `messagingSessionEndpoint`) is right locally too.
 */
import type { CfnTemplate, PhysicalResource } from './template';

/** The sandbox's own answers to the SDK calls it stands in for. */
export interface SdkCallAnswers {
  /** GetMessagingSessionEndpoint's `Endpoint.Url`: the sandbox's host:port. */
  readonly messagingSessionEndpoint: string;
}

interface SdkCall {
  readonly service?: string;
  readonly action?: string;
}

/** `ChimeSDKMessaging` in aws-cdk-lib's v3 spelling, or the SDK package name. */
const CHIME_MESSAGING = /^(ChimeSDKMessaging|@aws-sdk\/client-chime-sdk-messaging)$/i;

/**
 * Physical resources (for {@link fakeEnvironment}'s `overrides`) of the `Custom::AWS` resources
 * whose create call the sandbox answers: GetMessagingSessionEndpoint, whose `Endpoint.Url`
 * attribute (and physical id, `PhysicalResourceId.fromResponse`) is the sandbox's endpoint. Other
 * SDK calls are left out: resolving their attributes fails with the resolver's own error.
 */
export function sdkCallOverrides(
  template: CfnTemplate,
  answers: SdkCallAnswers,
): Record<string, PhysicalResource> {
  const overrides: Record<string, PhysicalResource> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'Custom::AWS') continue;
    const create = resource.Properties?.Create;
    // A call with tokens in its parameters is an Fn::Join; this one has none.
    if (typeof create !== 'string') continue;
    let call: SdkCall;
    try {
      call = JSON.parse(create) as SdkCall;
    } catch {
      continue;
    }
    if (CHIME_MESSAGING.test(call.service ?? '') && call.action === 'GetMessagingSessionEndpoint') {
      const url = answers.messagingSessionEndpoint;
      overrides[logicalId] = { ref: url, attributes: { 'Endpoint.Url': url } };
    }
  }
  return overrides;
}
