import { Aws, Fn, Names, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Longest region name (`ap-southeast-5`, `eusc-de-east-1`: 14) plus the separator. */
const REGION_PART_MAX = 15;

/**
 * A name for the resource `id` in `scope` whose names are global to the AWS account rather than
 * regional (CloudFront response headers policies, origin access controls): the scope's unique name
 * (stack id, construct path, hash), the id and the region, so two deployments of the stack, in two
 * regions or under two stack ids, never ask for the same name. The names CDK generates for these
 * types come from the construct path alone: the same in every region, hence "409 already exists"
 * when the stack is deployed to a second region of the account.
 */
export function accountGlobalName(scope: IConstruct, id: string, maxLength: number): string {
  const base = Names.uniqueResourceName(scope, {
    maxLength: maxLength - REGION_PART_MAX - id.length - 1,
    separator: '-',
  });
  const region = Stack.of(scope).region;
  return Token.isUnresolved(region)
    ? Fn.join('-', [base, id, Aws.REGION])
    : `${base}-${id}-${region}`;
}
