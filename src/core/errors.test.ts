import { describe, expect, it } from 'vitest';
import { parseModelCard } from './detection/card';
import { parseClassifierCard } from './differential/card';
import { AppError, CameraDeniedError, cameraDeniedMessage, errorMessage, type ErrorCode } from './errors';
import { parseVoc } from './formats/voc';

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
};

describe('coded errors', () => {
  it('every code has its own sentence, and the detail is in it', () => {
    const codes: ErrorCode[] = ['model-download', 'model-integrity', 'session-create', 'inference', 'bad-request', 'worker', 'terminated', 'empty', 'not-image', 'other-format', 'unsupported', 'too-large', 'too-small', 'decode', 'duplicate', 'annotation', 'model-card', 'camera-insecure'];
    for (const c of codes) {
      const m = errorMessage(new AppError(c, 'DETAIL-X'));
      expect(m.length, c).toBeGreaterThan(20);
      if (!['empty', 'not-image'].includes(c)) expect(m, c).toContain('DETAIL-X');
    }
  });
  it('a file the page was reading when it went is to be dropped again; a field captured live, captured again', () => {
    expect(errorMessage(new AppError('interrupted'))).toMatch(/: drop it again\.$/);
    const live = errorMessage(new AppError('interrupted', 'live'));
    expect(live).toMatch(/^A field captured live: .*only copy.*capture that field again\.$/);
    expect(live).not.toMatch(/drop/);
  });
  it('a TIFF the decoder refuses keeps its sentence; without one, the generic advice', () => {
    const said = 'This TIFF is JPEG-compressed, which is not read here. Export it as an uncompressed, LZW or PNG file.';
    expect(errorMessage(new AppError('tiff', said))).toBe(said);
    expect(errorMessage(new AppError('tiff'))).toMatch(/could not be read.*PNG/);
  });
  it('a model card, a classifier card and a VOC file that fail to parse carry codes', () => {
    const card = thrown(() => parseModelCard({ file: 'x.onnx' }));
    expect(card).toBeInstanceOf(AppError);
    expect((card as AppError).code).toBe('model-card');
    expect(errorMessage(card)).toMatch(/model card\) could not be read: model card: .*reload the page/);
    expect((thrown(() => parseClassifierCard({})) as AppError).code).toBe('model-card');
    const voc = thrown(() => parseVoc('<nothing/>', 'a.xml'));
    expect((voc as AppError).code).toBe('annotation');
    expect(errorMessage(voc)).toBe('The annotation could not be read: a.xml: not a Pascal VOC annotation (no <annotation> element)');
  });
  it('a refused camera: the address bar in a browser tab, the app settings where it runs installed', () => {
    expect(cameraDeniedMessage(false)).toContain('the lock or camera icon beside the address');
    expect(cameraDeniedMessage(true)).not.toContain('beside the address');
    expect(cameraDeniedMessage(true)).toContain('no address bar: allow the camera in the settings for this app');
    // the coded error carries where the app runs; a plain AppError of that code is a browser tab's
    expect(errorMessage(new CameraDeniedError('denied', true))).toBe(cameraDeniedMessage(true));
    expect(errorMessage(new CameraDeniedError('denied', false))).toBe(cameraDeniedMessage(false));
    expect(errorMessage(new AppError('camera-denied'))).toBe(cameraDeniedMessage(false));
  });
  it('anything else says its own message', () => {
    expect(errorMessage(new TypeError('x is undefined'))).toBe('x is undefined');
    expect(errorMessage('plain')).toBe('plain');
  });
});
