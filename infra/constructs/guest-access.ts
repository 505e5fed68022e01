import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { appInstanceChannelsArn } from '../../contracts/chime-arns';
import {
  GUEST_ID_PREFIX,
  GUEST_ID_TAG_PATTERN,
  guestRolePolicyDocument,
} from '../../contracts/guests';
import { API_PATHS } from '../../contracts/http-api';
import {
  assertValidPrincipalTagKey,
  DEFAULT_PRINCIPAL_TAG_KEY,
} from '../../contracts/principal-tag';
import {
  GUEST_CANCEL_RATE_SCOPE,
  GUEST_CREDENTIALS_RATE_SCOPE,
  GUEST_ENV,
  GUEST_INVITE_RATE_SCOPE,
} from '../../lambdas/lib/guests/config';
import type { ProjectNodejsFunction } from '../lambda-defaults';
import { acknowledgeNag, nagResourceName } from '../nag';
import type { ProjectHttpApi } from './project-http-api';

const LAMBDAS_DIR = path.join(__dirname, '..', '..', 'lambdas');

/** Invites a moderator may create per hour (each is an AppInstanceUser against the quota). */
export const DEFAULT_GUEST_INVITES_PER_HOUR = 20;
/** Redemptions per guest and minute (a guest needs one every 15 minutes, and one per reload). */
export const DEFAULT_GUEST_REDEEMS_PER_MINUTE = 6;
/** Cancellations per moderator and minute. */
export const DEFAULT_GUEST_CANCELS_PER_MINUTE = 30;

/** Route throttles (for everyone together), under the stage's default. */
export const GUEST_INVITE_THROTTLE: apigwv2.ThrottleSettings = { rateLimit: 5, burstLimit: 10 };
export const GUEST_CANCEL_THROTTLE: apigwv2.ThrottleSettings = { rateLimit: 5, burstLimit: 10 };
export const GUEST_CREDENTIALS_THROTTLE: apigwv2.ThrottleSettings = {
  rateLimit: 10,
  burstLimit: 20,
};

export interface GuestAccessProps {
  /** The project's HTTP API: the three guest routes are added to it. */
  readonly api: ProjectHttpApi;
  /** ARN of the Chime AppInstance guests are created in. */
  readonly appInstanceArn: string;
  /**
   * Session tag key carrying the guest's AppInstanceUserId (the same key as the users' roles).
   * @default DEFAULT_PRINCIPAL_TAG_KEY
   */
  readonly principalTagKey?: string;
  /**
   * Invites per moderator and hour.
   * @default DEFAULT_GUEST_INVITES_PER_HOUR
   */
  readonly invitesPerHour?: number;
  /**
   * Redemptions per guest and minute.
   * @default DEFAULT_GUEST_REDEEMS_PER_MINUTE
   */
  readonly redeemsPerMinute?: number;
}

/**
 * Guest access (docs/guests.md): a channel moderator invites someone without an account into one
 * channel for up to 24 hours.
 *
 * - `POST /guest-invites` (ID token): checks the caller moderates the channel, creates the guest's
 *   AppInstanceUser (`guest-<uuid>`, with Chime expiration), signs the invite with a KMS key.
 * - `DELETE /guest-invites/{guestId}` (ID token): a moderator of the guest's channel deletes the
 *   guest's AppInstanceUser.
 * - `POST /guest-credentials` (no token: the invite): 15-minute credentials of the guest role,
 *   tagged with the guest's id and narrowed by a session policy to the one channel.
 */
export class GuestAccess extends Construct {
  /** Signs invites (ES256): the private key never leaves KMS. */
  public readonly inviteKey: kms.Key;
  /** The role guests' credentials are of: trusts only the redeem function's role. */
  public readonly guestRole: iam.Role;
  /** The redeem function's execution role (the "server role" of the guest role's trust). */
  public readonly redeemRole: iam.Role;
  public readonly inviteFunction: ProjectNodejsFunction;
  public readonly cancelFunction: ProjectNodejsFunction;
  public readonly redeemFunction: ProjectNodejsFunction;
  public readonly principalTagKey: string;

  constructor(scope: Construct, id: string, props: GuestAccessProps) {
    super(scope, id);
    this.principalTagKey = props.principalTagKey ?? DEFAULT_PRINCIPAL_TAG_KEY;
    assertValidPrincipalTagKey(this.principalTagKey);
    const instance = props.appInstanceArn;
    const guestsArn = `${instance}/user/${GUEST_ID_PREFIX}*`;
    const usersArn = `${instance}/user/*`;
    const channelsArn = appInstanceChannelsArn(instance);

    this.inviteKey = new kms.Key(this, 'InviteKey', {
      description: 'Signs guest invites (JWT ES256); the private key never leaves KMS',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      // Invites live at most 24 hours: losing the key only voids the invites still open.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });

    this.redeemRole = new iam.Role(this, 'RedeemRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'Guest credentials Lambda: may only assume and tag the guest role, and read guests',
    });
    const tagKey = 'aws:RequestTag/' + this.principalTagKey;
    this.guestRole = new iam.Role(this, 'GuestRole', {
      description: 'Guests without an account: read and send in one channel (narrowed per session)',
      // sts:AssumeRole and sts:TagSession in one statement: only the redeem role, only with the
      // tag set to a guest id (never a user's sub), and no other tag.
      assumedBy: new iam.SessionTagsPrincipal(this.redeemRole).withConditions({
        StringLike: { [tagKey]: GUEST_ID_TAG_PATTERN },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [this.principalTagKey] },
      }),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        GuestMessaging: iam.PolicyDocument.fromJson(
          guestRolePolicyDocument({
            appInstanceArn: instance,
            principalTagKey: this.principalTagKey,
          }),
        ),
      },
    });
    this.guestRole.grant(this.redeemRole, 'sts:AssumeRole', 'sts:TagSession');
    acknowledgeNag(
      this.guestRole,
      'IAM5[Resource::*]',
      'chime:GetMessagingSessionEndpoint has no resource type: IAM only accepts * for it, in a statement of its own',
    );
    acknowledgeNag(
      this.guestRole,
      `IAM5[Resource::${nagResourceName(this, channelsArn)}]`,
      "any channel of this AppInstance in the role; every session's policy narrows it to the invite's one channel",
    );

    const common = {
      timeout: Duration.seconds(10),
      environment: {
        [GUEST_ENV.appInstanceArn]: instance,
        [GUEST_ENV.inviteKeyArn]: this.inviteKey.keyArn,
      },
    };

    this.inviteFunction = props.api.addRoute('GuestInviteFunction', {
      ...common,
      method: apigwv2.HttpMethod.POST,
      path: API_PATHS.guestInvites,
      entry: path.join(LAMBDAS_DIR, 'guest-invite-create.ts'),
      handler: 'handler',
      description: 'POST /guest-invites: a channel moderator invites a guest',
      serviceName: 'guest-invite-create',
      throttle: GUEST_INVITE_THROTTLE,
      perCallerLimit: {
        scope: GUEST_INVITE_RATE_SCOPE,
        limit: props.invitesPerHour ?? DEFAULT_GUEST_INVITES_PER_HOUR,
        windowSeconds: 3600,
      },
    });
    this.cancelFunction = props.api.addRoute('GuestCancelFunction', {
      ...common,
      method: apigwv2.HttpMethod.DELETE,
      path: API_PATHS.guestInvite,
      entry: path.join(LAMBDAS_DIR, 'guest-invite-cancel.ts'),
      handler: 'handler',
      description:
        "DELETE /guest-invites/{guestId}: a moderator of the guest's channel cancels an invite",
      serviceName: 'guest-invite-cancel',
      throttle: GUEST_CANCEL_THROTTLE,
      perCallerLimit: {
        scope: GUEST_CANCEL_RATE_SCOPE,
        limit: DEFAULT_GUEST_CANCELS_PER_MINUTE,
        windowSeconds: 60,
      },
    });
    this.redeemFunction = props.api.addRoute('GuestCredentialsFunction', {
      ...common,
      method: apigwv2.HttpMethod.POST,
      path: API_PATHS.guestCredentials,
      unauthenticated: {
        reason:
          'guests have no account, so no token: the signed, expiring invite in the body is the credential, verified by the function (ES256 with the KMS key); route throttle and a per-guest limit',
      },
      entry: path.join(LAMBDAS_DIR, 'guest-credentials.ts'),
      handler: 'handler',
      role: this.redeemRole,
      description: 'POST /guest-credentials: an invite in, 15-minute guest credentials out',
      serviceName: 'guest-credentials',
      throttle: GUEST_CREDENTIALS_THROTTLE,
      perCallerLimit: {
        scope: GUEST_CREDENTIALS_RATE_SCOPE,
        limit: props.redeemsPerMinute ?? DEFAULT_GUEST_REDEEMS_PER_MINUTE,
        windowSeconds: 60,
      },
      environment: {
        ...common.environment,
        [GUEST_ENV.guestRoleArn]: this.guestRole.roleArn,
        [GUEST_ENV.principalTagKey]: this.principalTagKey,
      },
    });

    // Reads as a user: whether the caller moderates a channel (never a write as anyone).
    const readModerators = new iam.PolicyStatement({
      sid: 'ReadChannelModeratorAsCaller',
      actions: ['chime:DescribeChannelModerator'],
      resources: [usersArn, channelsArn],
    });
    this.inviteFunction.addToRolePolicy(readModerators);
    this.inviteFunction.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'CreateGuests',
        // Delete: only to remove a guest whose invite could not be signed.
        actions: ['chime:CreateAppInstanceUser', 'chime:DeleteAppInstanceUser'],
        resources: [guestsArn],
      }),
    );
    this.inviteKey.grant(this.inviteFunction, 'kms:Sign');

    this.cancelFunction.addToRolePolicy(readModerators);
    this.cancelFunction.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'CancelGuests',
        actions: ['chime:DescribeAppInstanceUser', 'chime:DeleteAppInstanceUser'],
        resources: [guestsArn],
      }),
    );

    this.redeemFunction.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadGuests',
        actions: ['chime:DescribeAppInstanceUser'],
        resources: [guestsArn],
      }),
    );
    this.redeemFunction.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadGuestMembershipAsGuest',
        actions: ['chime:DescribeChannelMembership'],
        resources: [guestsArn, channelsArn],
      }),
    );
    this.inviteKey.grant(this.redeemFunction, 'kms:GetPublicKey');

    const guestsWhy =
      'guest ids are random (guest-<uuid>), unknown at deploy time; the wildcard is limited to guests of this one AppInstance';
    const channelsWhy =
      'the channel is named in each request; Chime decides with the bearer, and these roles only read';
    for (const [fn, resources] of [
      [this.inviteFunction, [guestsArn, usersArn, channelsArn]],
      [this.cancelFunction, [guestsArn, usersArn, channelsArn]],
      [this.redeemFunction, [guestsArn, channelsArn]],
    ] as const) {
      for (const resource of resources) {
        const why =
          resource === guestsArn
            ? guestsWhy
            : resource === usersArn
              ? 'DescribeChannelModerator is made as the caller, whose id is known only per request; read only'
              : channelsWhy;
        acknowledgeNag(fn.role!, `IAM5[Resource::${nagResourceName(this, resource)}]`, why);
      }
    }
  }
}
