/**
 * Regions with Amazon Chime SDK identity and messaging endpoints (the control and data planes this
 * project calls). The one list the stack's region guard and the docs read.
 */
export const CHIME_SDK_MESSAGING_REGIONS = ['us-east-1', 'eu-central-1'] as const;

export type ChimeSdkMessagingRegion = (typeof CHIME_SDK_MESSAGING_REGIONS)[number];

export function isChimeSdkMessagingRegion(region: string): region is ChimeSdkMessagingRegion {
  return (CHIME_SDK_MESSAGING_REGIONS as readonly string[]).includes(region);
}

/**
 * The region when none is given: the stack's when neither `-c region` nor `CDK_DEFAULT_REGION` is
 * set, and the sandbox's when the cloud assembly is environment-agnostic.
 */
export const DEFAULT_REGION: ChimeSdkMessagingRegion = 'us-east-1';
