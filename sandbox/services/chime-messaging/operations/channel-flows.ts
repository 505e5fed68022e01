/**
 * AssociateChannelFlow, DisassociateChannelFlow. Channel flows are created by administrators
 * (CreateChannelFlow); the sandbox has none, so both end in NotFoundException once the caller's
 * right to ask is checked.
 */
import type {
  AssociateChannelFlowRequest,
  DisassociateChannelFlowRequest,
} from '@aws-sdk/client-chime-sdk-messaging';
import { parseChannelFlowArn } from '../../../../contracts/chime-arns';
import { channelFor, checkBearer, requireModerator } from '../access';
import type { Input, MessagingContext } from '../context';
import { badRequest, notFound } from '../errors';
import { requireString } from '../validation';

export function associateChannelFlow(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<AssociateChannelFlowRequest>,
): never {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  const flowArn = requireString(input.ChannelFlowArn, 'ChannelFlowArn');
  if (!parseChannelFlowArn(flowArn))
    throw badRequest(`ChannelFlowArn is not a channel flow ARN: ${flowArn}`);
  requireModerator(record, bearer.arn, 'associate a channel flow');
  // Channel flows are created by administrators (CreateChannelFlow); the sandbox has none.
  throw notFound(`Channel flow ${flowArn} not found`);
}

export function disassociateChannelFlow(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<DisassociateChannelFlowRequest>,
): never {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  const flowArn = requireString(input.ChannelFlowArn, 'ChannelFlowArn');
  requireModerator(record, bearer.arn, 'disassociate a channel flow');
  throw notFound(`Channel flow ${flowArn} is not associated with the channel`);
}
