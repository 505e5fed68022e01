import { Stack } from 'aws-cdk-lib';
import type * as cr from 'aws-cdk-lib/custom-resources';
import { acknowledgeNag } from './nag';

/** Construct id of the singleton function behind every AwsCustomResource in a stack (aws-cdk-lib). */
const PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/**
 * Acknowledges the finding raised by the SDK-call provider of `resource`: a stack-wide singleton
 * function (created beside the stack's root, one role shared by every AwsCustomResource of the
 * stack) whose logs go through the AWS managed basic execution policy. Each AwsCustomResource adds
 * only its own statement to that role.
 */
export function acknowledgeSdkCallProvider(resource: cr.AwsCustomResource): void {
  const provider = Stack.of(resource).node.tryFindChild(PROVIDER_ID) ?? resource;
  acknowledgeNag(
    provider,
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    "the CDK AwsCustomResource provider writes its logs with the AWS managed basic execution policy; its other permissions are each SDK call's own statement (security matrix)",
  );
}
