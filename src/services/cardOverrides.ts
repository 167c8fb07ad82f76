/**
 * The detector card this page runs with, after the URL's debug and evaluation options (the bench, a model
 * under evaluation): ?native=WxH and ?scale=off run a model as an older card describes it, and
 * ?model=<url>&sha256=<hex> loads another detector file. The card's name, file, sha256 and size are what the
 * report's Appendix B, every export's `models` and each image's record name as the model that made the
 * figures, so with ?model= they are that file's, never the shipped card's (which they were: a batch counted by
 * another detector was signed as counted by the shipped one).
 */
import type { ModelCard } from '../core/detection/card';

export function cardWithOverrides(card: ModelCard, params: URLSearchParams): ModelCard {
  const native = /^(\d+)x(\d+)$/.exec(params.get('native') ?? '');
  const out: ModelCard = {
    ...card,
    nativeSize: native ? { width: Number(native[1]), height: Number(native[2]) } : card.nativeSize,
    scale: params.get('scale') === 'off' ? null : card.scale,
  };
  const model = params.get('model');
  const sha256 = (params.get('sha256') ?? '').toLowerCase();
  // the shipped file under another URL is the shipped model
  if (model === null || sha256 === card.sha256) return out;
  const file = decodeURIComponent(model.split(/[?#]/)[0].split('/').pop() ?? '') || model;
  // no sha256: nothing names what the file is, and the worker refuses it (its check against '' fails) rather
  // than load it as the shipped card (it loaded the shipped model's optimised copy instead, named as asked)
  return { ...out, name: `${file.replace(/\.onnx$/i, '')} (?model=)`, file, sha256, bytes: Number(params.get('bytes')) || 0 };
}
