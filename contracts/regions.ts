/**
 * Regions with Amazon Chime SDK identity and messaging endpoints (the control and data planes this
 * project calls). The one list the stack's region guard and the docs read.
 */
export const CHIME_SDK_MESSAGING_REGIONS = ['us-east-1', 'eu-central-1'] as const;

export type ChimeSdkMessagingRegion = (typeof CHIME_SDK_MESSAGING_REGIONS)[number];

export function isChimeSdkMessagingRegion(region: string): region is ChimeSdkMessagingRegion {
  return (CHIME_SDK_MESSAGING_REGIONS as readonly string[]).includes(region);
}
