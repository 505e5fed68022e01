/**
 * What `npm run users -- reconcile` prints: the drift as a table, then what was done. Pure
 * functions of the reconcile report, so the output is tested without a terminal.
 */
import type { ReconcileReport } from '../lambdas/lib/user-lifecycle/reconcile';

/**
 * A user-chosen name made safe for a terminal: control characters, bidi overrides and other
 * invisible format characters are shown as `\u{...}` escapes (a name must not rewrite the screen
 * or reorder the table), and long names are cut.
 */
export function printable(name: string, max = 40): string {
  const escaped = name.replace(
    /[\p{Cc}\p{Cf}\u2028\u2029]/gu,
    (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** The drift table: one row per change, creations first. */
export function driftTable(report: ReconcileReport): string[] {
  const { plan } = report;
  const rows: [string, string, string][] = [
    ...plan.creates.map((c): [string, string, string] => ['create', c.id, printable(c.name)]),
    ...plan.renames.map((r): [string, string, string] => [
      'rename',
      r.id,
      `${printable(r.from, 30)} -> ${printable(r.to, 30)}`,
    ]),
    ...plan.deletes.map((d): [string, string, string] => ['delete', d.id, printable(d.name)]),
  ];
  if (rows.length === 0) return ['No drift: every user has the AppInstanceUser they should.'];
  const header: [string, string, string] = ['ACTION', 'APP INSTANCE USER ID', 'NAME'];
  const width = (i: number) => Math.max(...[header, ...rows].map((r) => r[i]!.length));
  const line = (r: [string, string, string]) =>
    `${r[0].padEnd(width(0))}  ${r[1].padEnd(width(1))}  ${r[2]}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

export function summaryLines(report: ReconcileReport): string[] {
  const { plan, brake } = report;
  const lines = [
    `User pool: ${count(plan.poolUsers, 'user')}` +
      (plan.notEligible > 0 ? ` (${plan.notEligible} disabled or unconfirmed without one)` : ''),
    `AppInstance: ${count(plan.appInstanceUsers, 'AppInstanceUser')}` +
      (plan.foreign > 0 ? ` (${plan.foreign} not of the pool's form: left alone)` : ''),
    `Drift: ${plan.creates.length} to create, ${plan.renames.length} to rename, ${plan.deletes.length} to delete`,
  ];
  if (brake.engaged) lines.push(`Delete brake: ENGAGED. ${brake.reason}`);
  else if (plan.deletes.length > 0) {
    lines.push(`Delete brake: not engaged (${plan.deletes.length} of at most ${brake.limit}).`);
  }
  return lines;
}

export function outcomeLines(report: ReconcileReport): string[] {
  const applied = report.applied;
  if (!applied) return [];
  const lines = [
    `Done in ${(report.durationMs / 1000).toFixed(1)} s: ${applied.created.length} created, ` +
      `${applied.renamed.length} renamed, ${applied.deleted.length} deleted ` +
      `(${applied.membershipsRemoved} channel memberships and ${applied.moderatorRolesRemoved} moderator roles removed first).`,
  ];
  if (applied.alreadyExisted.length > 0) {
    lines.push(`${applied.alreadyExisted.length} planned creations already existed.`);
  }
  if (applied.kept.length > 0) {
    lines.push(
      `Kept ${applied.kept.length} whose Cognito user exists after all: ${applied.kept.join(', ')}`,
    );
  }
  if (report.brake.engaged && !report.forced) {
    lines.push('Nothing was deleted (the brake). Re-run with --apply --force to delete them.');
  }
  if (report.throttled > 0) lines.push(`${report.throttled} throttled calls were retried.`);
  if (applied.unfinished > 0) {
    lines.push(`${applied.unfinished} changes were not started before the deadline: run again.`);
  }
  for (const f of applied.failed) {
    lines.push(`FAILED to ${f.action} ${f.id}: ${f.errorName}: ${printable(f.message, 200)}`);
  }
  return lines;
}
