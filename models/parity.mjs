// Runs an exported model in onnxruntime-node on the inputs test_onnx.py saved, and compares the
// outputs with PyTorch's. Prints one JSON line per input. Usage: node models/parity.mjs <dir>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

const dir = process.argv[2];
const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));
const session = await ort.InferenceSession.create(join(dir, ref.model));

const iou = (a, b) => {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
};

const results = [];
for (const c of ref.cases) {
  const buf = readFileSync(join(dir, c.input));
  const data = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const out = await session.run({ image: new ort.Tensor('float32', data, [3, c.height, c.width]) });
  const n = out.scores.data.length;
  const boxes = Array.from({ length: n }, (_, k) => Array.from(out.boxes.data.slice(4 * k, 4 * k + 4)));
  const labels = Array.from(out.labels.data, Number);
  const scores = Array.from(out.scores.data);
  // Each PyTorch detection above min_score must have an ONNX twin: same label, IoU >= 0.99, score within tol.
  let checked = 0;
  let matched = 0;
  let maxScoreDiff = 0;
  c.expected.scores.forEach((s, i) => {
    if (s < ref.min_score) return;
    checked++;
    let best = -1;
    let bestIou = 0;
    for (let k = 0; k < n; k++) {
      if (labels[k] !== c.expected.labels[i]) continue;
      const v = iou(boxes[k], c.expected.boxes[i]);
      if (v > bestIou) {
        bestIou = v;
        best = k;
      }
    }
    if (best >= 0 && bestIou >= 0.99 && Math.abs(scores[best] - s) <= ref.score_tol) {
      matched++;
      maxScoreDiff = Math.max(maxScoreDiff, Math.abs(scores[best] - s));
    }
  });
  results.push({
    height: c.height,
    width: c.width,
    torch: c.expected.scores.length,
    onnx: n,
    labels_dtype: out.labels.type,
    checked,
    matched,
    maxScoreDiff,
  });
}
console.log(JSON.stringify(results));
