import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { CHIME_SESSION_ENDPOINT_ACTION } from '../../contracts/chime-user-policy';
import { acknowledgeNag } from '../nag';
import { acknowledgeSdkCallProvider } from '../sdk-call-provider';

/** The field of GetMessagingSessionEndpoint's answer holding the endpoint (`{ Endpoint: { Url } }`). */
export const ENDPOINT_URL_FIELD = 'Endpoint.Url';

/**
 * The account's Chime SDK messaging session endpoint in the stack's region, asked once at deploy
 * time (GetMessagingSessionEndpoint through an AwsCustomResource) so the client config can carry
 * it and a sign-in need not ask (docs/web-demo.md, the request budget). A custom resource rather
 * than a step of the deploy script: `cdk deploy` alone stays enough, and the config is written in
 * one place (the stack).
 *
 * The call runs on create, and again only when the resource's properties change: AWS does not
 * document whether an account's endpoint ever moves; if it did, the web demo falls back to asking
 * the service (web-demo/src/session-endpoint.ts) until the next deploy that re-runs it.
 */
export class MessagingSessionEndpoint extends Construct {
  /** What the service answered in `Endpoint.Url` (a host, `<id>.<region>.ws-messaging.chime.aws`). */
  public readonly url: string;
  public readonly resource: cr.AwsCustomResource;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const call: cr.AwsSdkCall = {
      service: 'ChimeSDKMessaging',
      action: 'GetMessagingSessionEndpoint',
      // The endpoint itself: a changed answer on update replaces the resource (nothing to delete).
      physicalResourceId: cr.PhysicalResourceId.fromResponse(ENDPOINT_URL_FIELD),
      // Only the field used reaches CloudFormation (custom resource answers are limited to 4 KB).
      outputPaths: [ENDPOINT_URL_FIELD],
    };
    this.resource = new cr.AwsCustomResource(this, 'Resource', {
      onCreate: call,
      onUpdate: call,
      // The SDK in the Lambda runtime has this call; no npm install at deploy time.
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: [CHIME_SESSION_ENDPOINT_ACTION], resources: ['*'] }),
      ]),
    });
    this.url = this.resource.getResponseField(ENDPOINT_URL_FIELD);
    acknowledgeNag(
      this.resource,
      'IAM5[Resource::*]',
      `${CHIME_SESSION_ENDPOINT_ACTION} has no resource type in IAM (Service Authorization Reference): it is granted on * and is the statement's only action`,
    );
    acknowledgeSdkCallProvider(this.resource);
  }
}
