import { appInstanceChannelsArn, appInstanceUserArn } from './chime-arns';
import { principalTagVariable } from './principal-tag';

/**
 * Chime SDK messaging actions an end user may perform as themselves: the list from the AWS page
 * "Authenticating end-user client applications", without its syntax errors and without
 * `chime:AssociateChannelFlow` / `chime:DisassociateChannelFlow`. Those two also need a
 * `channel-flow` resource (Service Authorization Reference), which this policy never grants, so IAM
 * would refuse them always; channel flows are not part of this product. Granting them would mean
 * granting `<app-instance>/channel-flow/<id>` of flows an administrator created.
 */
export const CHIME_USER_MESSAGING_ACTIONS = [
  'chime:SendChannelMessage',
  'chime:ListChannelMessages',
  'chime:CreateChannelMembership',
  'chime:ListChannelMemberships',
  'chime:DeleteChannelMembership',
  'chime:CreateChannelModerator',
  'chime:ListChannelModerators',
  'chime:DescribeChannelModerator',
  'chime:CreateChannel',
  'chime:DescribeChannel',
  'chime:ListChannels',
  'chime:DeleteChannel',
  'chime:RedactChannelMessage',
  'chime:UpdateChannelMessage',
  'chime:Connect',
  'chime:ListChannelBans',
  'chime:CreateChannelBan',
  'chime:DeleteChannelBan',
  'chime:ListChannelMembershipsForAppInstanceUser',
  'chime:GetChannelMessageStatus',
] as const;

/** Has no resource type in IAM, so it can only be granted on `*`, in a statement of its own. */
export const CHIME_SESSION_ENDPOINT_ACTION = 'chime:GetMessagingSessionEndpoint';

export interface IamStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

export interface IamPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly IamStatement[];
}

export interface ChimeUserPolicyOptions {
  /** ARN of the Chime AppInstance (a CDK token is fine). */
  readonly appInstanceArn: string;
  /** Principal tag whose value is the caller's AppInstanceUserId. */
  readonly principalTagKey: string;
}

/** The AppInstanceUser ARN the caller may act as, resolved by IAM from the caller's principal tag. */
export function ownAppInstanceUserArn(options: ChimeUserPolicyOptions): string {
  return appInstanceUserArn(options.appInstanceArn, principalTagVariable(options.principalTagKey));
}

/**
 * The permissions of every end-user credential in this project (identity pool role and STS vending
 * role alike): act only as the AppInstanceUser named by the caller's principal tag, on this
 * AppInstance's channels.
 */
export function chimeUserPolicyDocument(options: ChimeUserPolicyOptions): IamPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'MessagingSessionEndpoint',
        Effect: 'Allow',
        Action: CHIME_SESSION_ENDPOINT_ACTION,
        Resource: '*',
      },
      {
        Sid: 'MessagingAsOwnAppInstanceUser',
        Effect: 'Allow',
        Action: [...CHIME_USER_MESSAGING_ACTIONS],
        // Every channel of this AppInstance: channel-level rules (membership, moderation) are Chime's.
        Resource: [ownAppInstanceUserArn(options), appInstanceChannelsArn(options.appInstanceArn)],
      },
    ],
  };
}
