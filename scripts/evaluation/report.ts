/** Plain-text tables of an evaluation, as `npm run eval` prints them. */
import { CLASS_NAMES } from '../../src/core/detection/classes';
import type { classificationMetrics } from '../../src/core/differential/crop';
import type { EvalResult } from './evaluate';

export function formatDifferential(d: ReturnType<typeof classificationMetrics>, what: string): string {
  const lines = [`differential (${what}): ${d.images} cells, accuracy ${d.accuracy.toFixed(4)}, balanced accuracy ${d.balancedAccuracy.toFixed(4)}`];
  lines.push('type                   recall   support   confusion row (predicted: ' + d.classes.map((c) => c.slice(0, 4)).join(' ') + ')');
  d.classes.forEach((c, i) => {
    const pc = d.perClass[c];
    lines.push(`${c.padEnd(22)} ${pc.recall === null ? '   –  ' : pc.recall.toFixed(4)}   ${String(pc.support).padStart(7)}   ${d.confusion[i].map((v) => String(v).padStart(4)).join(' ')}`);
  });
  return lines.join('\n');
}

export function formatReport(r: EvalResult): string {
  const f = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '   –  ' : x.toFixed(4));
  const lines: string[] = [];
  lines.push(`images: ${r.images} (${r.annotated} annotated)  inference: mean ${r.inferenceMs.mean.toFixed(1)} ms, p50 ${r.inferenceMs.p50.toFixed(1)} ms, p95 ${r.inferenceMs.p95.toFixed(1)} ms (${r.inferenceMs.runtime ?? 'onnxruntime-node'})`);
  const t = r.postprocess.scoreThresholds;
  lines.push(`post-processing: thresholds RBC ${t.RBC} WBC ${t.WBC} Platelets ${t.Platelets}, NMS IoU ${r.postprocess.nmsIou}, cross-class ${r.postprocess.crossClassNms}, count rule ${r.postprocess.countRule}`);
  lines.push(
    r.scale.fixed
      ? `scale: fixed by the user: images enlarged ${r.scale.fixed}x (cells at ${(1 / r.scale.fixed).toFixed(2)}x the model's reference size)`
      : `scale: estimated on ${r.scale.estimated}/${r.images} images (median cell size ${r.scale.medianEstimate?.toFixed(2) ?? '–'}x the reference); second pass on ${r.scale.secondPass}`,
  );
  if (r.raw && r.post && r.count && r.precisionRecall) {
    lines.push('');
    lines.push('class      AP50 raw  AP50 post  AP@[.5:.95] raw (all-point)  precision  recall   count MAE  count acc  pred/true');
    for (const c of CLASS_NAMES) {
      const pr = r.precisionRecall[c];
      const ce = r.count[c];
      lines.push(
        `${c.padEnd(10)} ${f(r.raw.ap50[c])}    ${f(r.post.ap50[c])}     ${f(r.raw.ap5095[c])}          ${f(pr.precision)}     ${f(pr.recall)}   ${ce.mae.toFixed(3).padStart(7)}    ${f(ce.accuracy)}     ${ce.predicted}/${ce.truth}`,
      );
    }
    lines.push(`${'mean'.padEnd(10)} ${f(r.raw.map50)}    ${f(r.post.map50)}     ${f(r.raw.map5095)}`);
  }
  if (r.differential) lines.push('', formatDifferential(r.differential, 'matched WBCs whose annotation names a type'));
  lines.push('', formatFlags(r));
  return lines.join('\n');
}

/** The flags line and the counts over all images and over the unflagged ones. */
export function formatFlags(r: EvalResult): string {
  const codes = Object.entries(r.flags.byCode)
    .filter(([, n]) => n)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  const t = (x: Record<string, number>) => CLASS_NAMES.map((c) => `${c} ${x[c]}`).join(', ');
  const lines = [
    `flags: ${r.flags.flagged} of ${r.images} images flagged (any flag but wbc-type-unsure), ${r.flags.excluded} left out of the app's totals${codes ? `; ${codes}` : ''}; WBC rule ${r.flags.wbcRule ? 'on' : 'off'}; optics rule ${r.flags.optics.rule ? `on, ${r.flags.optics.leftOut} specks on the optics left out` : 'off'}; debris rule ${r.flags.debris.rule ? `on, ${r.flags.debris.leftOut} grey platelet candidates left out` : 'off'}`,
    `counts, all ${r.summary.all.images} images: ${t(r.summary.all.totals)}`,
    `counts, ${r.summary.unflagged.images} unflagged images: ${t(r.summary.unflagged.totals)}`,
  ];
  const ce = r.summary.unflagged.count;
  if (ce) lines.push(`count accuracy, unflagged images: ${CLASS_NAMES.map((c) => `${c} ${Number.isNaN(ce[c].accuracy) ? '–' : ce[c].accuracy.toFixed(4)} (${ce[c].predicted}/${ce[c].truth})`).join(', ')}`);
  return lines.join('\n');
}
