/**
 * docs/security-matrix.md from the synthesized templates: written by scripts/security-matrix.ts,
 * compared by the test suite.
 */
import { join } from 'node:path';
import type { CfnTemplate } from '../sandbox/cloudformation/template';
import {
  buildSecurityMatrix,
  renderMatrixMarkdown,
  type RenderInput,
  type SecurityMatrix,
} from './matrix';
import { STACK_VARIANTS, synthesizeStackTemplate, type StackVariant } from './stack-template';

export const SECURITY_MATRIX_DOC = join(__dirname, '..', 'docs', 'security-matrix.md');

export interface VariantMatrix {
  readonly variant: StackVariant;
  readonly template: CfnTemplate;
  readonly matrix: SecurityMatrix;
}

/** Synthesizes every variant of the stack and evaluates its whole matrix. */
export async function buildVariantMatrices(): Promise<VariantMatrix[]> {
  const out: VariantMatrix[] = [];
  for (const variant of STACK_VARIANTS) {
    const template = synthesizeStackTemplate(variant);
    out.push({ variant, template, matrix: await buildSecurityMatrix(template) });
  }
  return out;
}

/**
 * What the document shows: the default deployment in full, then for each other variant only the
 * roles the default deployment does not have (the shared ones are tested in every variant).
 */
export function documentParts(matrices: readonly VariantMatrix[]): RenderInput[] {
  const [first, ...others] = matrices;
  if (!first) return [];
  const seen = new Set(first.matrix.roles.map((r) => r.roleId));
  const parts: RenderInput[] = [
    { variant: first.variant.name, context: first.variant.context, matrix: first.matrix },
  ];
  for (const { variant, matrix } of others) {
    const added = new Set(matrix.roles.map((r) => r.roleId).filter((id) => !seen.has(id)));
    if (added.size === 0) continue;
    for (const id of added) seen.add(id);
    parts.push({
      variant: `${variant.name}, roles not in the deployments above`,
      context: variant.context,
      matrix: {
        ...matrix,
        roles: matrix.roles.filter((r) => added.has(r.roleId)),
        rows: matrix.rows.filter((r) => added.has(r.roleId)),
        facts: matrix.facts.filter((f) => f.roleId !== undefined && added.has(f.roleId)),
      },
    });
  }
  return parts;
}

export function renderSecurityDocument(matrices: readonly VariantMatrix[]): string {
  return renderMatrixMarkdown(documentParts(matrices)) + '\n';
}
