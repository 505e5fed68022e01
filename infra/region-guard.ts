import { CfnRule, Fn, type Stack, Token } from 'aws-cdk-lib';
import { CHIME_SDK_MESSAGING_REGIONS, isChimeSdkMessagingRegion } from '../contracts/regions';

const message = (region: string) =>
  `Amazon Chime SDK messaging is not available in ${region}; deploy to one of: ${CHIME_SDK_MESSAGING_REGIONS.join(', ')}`;

/**
 * Fails synth when the stack's region has no Chime SDK messaging. An environment-agnostic stack
 * (region unknown at synth) gets a CloudFormation rule that fails the deployment instead.
 */
export function guardChimeRegion(stack: Stack): void {
  if (!Token.isUnresolved(stack.region)) {
    if (!isChimeSdkMessagingRegion(stack.region)) throw new Error(message(stack.region));
    return;
  }
  new CfnRule(stack, 'ChimeSdkMessagingRegion', {
    assertions: [
      {
        assert: Fn.conditionContains([...CHIME_SDK_MESSAGING_REGIONS], stack.region),
        assertDescription: message('this region'),
      },
    ],
  });
}
