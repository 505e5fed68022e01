import {
  type ChimeSDKIdentityClientResolvedConfig,
  ConflictException,
  CreateAppInstanceUserCommand,
  DescribeAppInstanceUserCommand,
  ForbiddenException,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-chime-sdk-identity';
import type { AwsStub } from 'aws-sdk-client-mock';

export interface FakeUser {
  readonly arn: string;
  readonly name: string;
  readonly token: string | undefined;
}

/**
 * Gives an aws-sdk-client-mock stub the state of a Chime AppInstance: Create adds a user, answers
 * a repeated `ClientRequestToken` for an existing user with success (an idempotent retry, as the
 * sandbox and the API's idempotency contract do) and fails any other Create of an existing user
 * with ConflictException; Describe finds one or fails with ForbiddenException (as Chime does).
 */
export function fakeChimeUsers(
  stub: AwsStub<ServiceInputTypes, ServiceOutputTypes, ChimeSDKIdentityClientResolvedConfig>,
) {
  const users = new Map<string, FakeUser>();
  stub
    .on(CreateAppInstanceUserCommand)
    .callsFake((input: CreateAppInstanceUserCommand['input']) => {
      const arn = `${input.AppInstanceArn}/user/${input.AppInstanceUserId}`;
      const existing = users.get(arn);
      if (existing && input.ClientRequestToken && existing.token === input.ClientRequestToken) {
        return { AppInstanceUserArn: arn };
      }
      if (existing) throw new ConflictException({ message: 'already exists', $metadata: {} });
      users.set(arn, { arn, name: input.Name ?? '', token: input.ClientRequestToken });
      return { AppInstanceUserArn: arn };
    });
  stub
    .on(DescribeAppInstanceUserCommand)
    .callsFake((input: DescribeAppInstanceUserCommand['input']) => {
      const user = users.get(input.AppInstanceUserArn ?? '');
      if (!user) throw new ForbiddenException({ message: 'not found', $metadata: {} });
      return { AppInstanceUser: { AppInstanceUserArn: user.arn, Name: user.name } };
    });
  return users;
}
