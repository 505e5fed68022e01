import { type App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Renders a (possibly tokenized) resource string the way cdk-nag names it in a finding id, e.g.
 * `<AppInstance13C82D50.AppInstanceArn>/channel/*`, so an acknowledgement names the exact resource
 * instead of silencing a whole rule.
 */
export function nagResourceName(scope: IConstruct, value: string): string {
  const render = (node: unknown): string => {
    if (typeof node === 'string') return node;
    if (node && typeof node === 'object') {
      const fn = node as Record<string, unknown>;
      const join = fn['Fn::Join'] as [string, unknown[]] | undefined;
      if (join) return join[1].map(render).join(join[0]);
      const getAtt = fn['Fn::GetAtt'] as [string, string] | undefined;
      if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
      if (typeof fn.Ref === 'string') return `<${fn.Ref}>`;
    }
    throw new Error(`cannot name ${JSON.stringify(node)} for cdk-nag`);
  };
  return render(Stack.of(scope).resolve(value));
}

/** Acknowledges one cdk-nag AwsSolutions finding on `scope`, with the reason it is acceptable. */
export function acknowledgeNag(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({
    id: `AwsSolutions::AwsSolutions-${rule}`,
    reason,
  });
}

/** Runs the AwsSolutions rule pack on every synth of `app`; an unacknowledged error fails it. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
