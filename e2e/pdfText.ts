import { inflateSync } from 'node:zlib';

/**
 * The text of each page of a PDF as Chromium's print to PDF (Skia) writes it: Type0 fonts whose ToUnicode
 * maps give each glyph its characters, and content streams that show hex glyph strings (Tj, TJ). Enough to
 * tell what a printed page holds; not a general PDF reader (no object streams, no encryption).
 */
export function pdfPageTexts(pdf: Buffer): string[] {
  const s = pdf.toString('latin1');
  const objs = new Map<number, { dict: string; stream?: Buffer }>();
  const head = /(\d+) 0 obj\s*/g;
  for (let m = head.exec(s); m; m = head.exec(s)) {
    const at = m.index + m[0].length;
    const end = s.indexOf('endobj', at);
    const st = s.indexOf('stream', at);
    if (st >= 0 && st < end) {
      const dict = s.slice(at, st);
      const start = st + 6 + (s[st + 6] === '\r' ? 2 : 1);
      const len = Number(/\/Length (\d+)/.exec(dict)?.[1] ?? 0);
      const raw = pdf.subarray(start, start + len);
      objs.set(Number(m[1]), { dict, stream: /\/FlateDecode/.test(dict) ? inflateSync(raw) : raw });
      head.lastIndex = s.indexOf('endobj', start + len);
    } else {
      objs.set(Number(m[1]), { dict: s.slice(at, end) });
      head.lastIndex = end;
    }
  }
  const ref = (text: string, key: string) => Number(new RegExp(`/${key} (\\d+) 0 R`).exec(text)?.[1]);
  const cmaps = new Map<number, Map<number, string>>();
  const cmapOf = (font: number) => {
    if (!cmaps.has(font)) {
      const map = new Map<number, string>();
      const text = objs.get(ref(objs.get(font)!.dict, 'ToUnicode'))?.stream?.toString('latin1') ?? '';
      const uni = (hex: string) => String.fromCharCode(...(hex.match(/.{4}/g) ?? []).map((h) => parseInt(h, 16)));
      for (const block of text.match(/beginbfchar([\s\S]*?)endbfchar/g) ?? []) for (const [, a, b] of block.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) map.set(parseInt(a, 16), uni(b));
      for (const block of text.match(/beginbfrange([\s\S]*?)endbfrange/g) ?? []) {
        for (const [, lo, hi, dst] of block.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
          for (let g = parseInt(lo, 16), u = parseInt(dst, 16); g <= parseInt(hi, 16); g++, u++) map.set(g, String.fromCharCode(u));
        }
      }
      cmaps.set(font, map);
    }
    return cmaps.get(font)!;
  };
  const pages: number[] = [];
  const walk = (id: number) => {
    const dict = objs.get(id)!.dict;
    if (/\/Type \/Pages/.test(dict)) for (const [, kid] of /\/Kids \[([^\]]*)\]/.exec(dict)![1].matchAll(/(\d+) 0 R/g)) walk(Number(kid));
    else pages.push(id);
  };
  walk(ref([...objs.values()].find((o) => /\/Type \/Catalog/.test(o.dict))!.dict, 'Pages'));
  return pages.map((id) => {
    const page = objs.get(id)!.dict;
    const resources = /\/Resources (\d+) 0 R/.test(page) ? objs.get(ref(page, 'Resources'))!.dict : page;
    const fonts = new Map([.../\/Font\s*<<([^>]*)>>/.exec(resources)?.[1].matchAll(/\/(\w+) (\d+) 0 R/g) ?? []].map(([, name, n]) => [name, Number(n)]));
    const contents = /\/Contents \[([^\]]*)\]/.exec(page)?.[1] ?? `${ref(page, 'Contents')} 0 R`;
    const runs: string[] = [];
    for (const [, c] of contents.matchAll(/(\d+) 0 R/g)) {
      let font: Map<number, string> | undefined;
      const ops = objs.get(Number(c))!.stream!.toString('latin1');
      for (const [, name, hex] of ops.matchAll(/\/(\w+) [\d.]+ Tf|<([0-9A-Fa-f]*)>/g)) {
        if (name) font = fonts.has(name) ? cmapOf(fonts.get(name)!) : undefined;
        else if (font) runs.push((hex.match(/.{4}/g) ?? []).map((g) => font!.get(parseInt(g, 16)) ?? '').join(''));
      }
    }
    return runs.join(' ').replace(/\s+/g, ' ').trim();
  });
}
