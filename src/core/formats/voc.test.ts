import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseVoc, VocError, writeVoc } from './voc';

const xml = `<annotation><filename>a &amp; b.jpg</filename><size><width>640</width><height>480</height><depth>3</depth></size>
<object><name>RBC</name><bndbox><xmin>10</xmin><ymin>20</ymin><xmax>110</xmax><ymax>120</ymax></bndbox></object>
<object><name>WBC</name><bndbox><xmin>700</xmin><ymin>0</ymin><xmax>500</xmax><ymax>100</ymax></bndbox></object>
<object><name>Platelets</name><bndbox><xmin>5</xmin><ymin>5</ymin><xmax>6</xmax><ymax>40</ymax></bndbox></object>
<object><name>Macrophage</name><bndbox><xmin>5</xmin><ymin>5</ymin><xmax>60</xmax><ymax>40</ymax></bndbox></object>
</annotation>`;

describe('Pascal VOC', () => {
  it('parses boxes, clips, orders corners and drops degenerate or unknown objects', () => {
    const a = parseVoc(xml);
    expect(a.filename).toBe('a & b.jpg');
    expect(a.width).toBe(640);
    expect(a.objects).toEqual([
      { cls: 'RBC', box: { x1: 10, y1: 20, x2: 110, y2: 120 } },
      { cls: 'WBC', box: { x1: 500, y1: 0, x2: 640, y2: 100 } },
    ]);
    expect(a.skipped).toBe(2);
    expect(a.unknownNames).toEqual(['Macrophage']);
  });
  it("reads other labelling tools' class names: rbc, RBCs, Platelet, PLT, thrombocytes, leukocyte, NEU", () => {
    const names = ['rbc', 'RBCs', 'red blood cell', 'Erythrocytes', 'Platelet', 'PLT', 'thrombocytes', 'leukocyte', 'White-Blood-Cells', 'NEU', 'Lymphocytes', 'nrbc', 'Platelet clump'];
    const objs = names.map((n, i) => `<object><name>${n}</name><bndbox><xmin>${10 * i}</xmin><ymin>1</ymin><xmax>${10 * i + 9}</xmax><ymax>9</ymax></bndbox></object>`);
    const a = parseVoc(`<annotation><size><width>640</width><height>480</height></size>${objs.join('')}</annotation>`);
    expect(a.objects.map((o) => (o.type ? `${o.cls}:${o.type}` : o.cls))).toEqual([
      'RBC', 'RBC', 'RBC', 'RBC', 'Platelets', 'Platelets', 'Platelets', 'WBC', 'WBC', 'WBC:neutrophil', 'WBC:lymphocyte', 'WBC:erythroblast',
    ]);
    // a name no alias knows is left out and named, never guessed
    expect(a.unknownNames).toEqual(['Platelet clump']);
  });
  it('reads WBC types: <wbc_type> (our exports) or a type as the name; round-trips through writeVoc', () => {
    const t = parseVoc(`<annotation><size><width>640</width><height>480</height></size>
<object><name>WBC</name><wbc_type>eosinophil</wbc_type><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>90</xmax><ymax>90</ymax></bndbox></object>
<object><name>Neutrophil</name><bndbox><xmin>100</xmin><ymin>1</ymin><xmax>190</xmax><ymax>90</ymax></bndbox></object>
<object><name>immature granulocyte</name><bndbox><xmin>200</xmin><ymin>1</ymin><xmax>290</xmax><ymax>90</ymax></bndbox></object>
<object><name>WBC</name><bndbox><xmin>300</xmin><ymin>1</ymin><xmax>390</xmax><ymax>90</ymax></bndbox></object></annotation>`);
    expect(t.objects.map((o) => [o.cls, o.type])).toEqual([
      ['WBC', 'eosinophil'],
      ['WBC', 'neutrophil'],
      ['WBC', 'immature_granulocyte'],
      ['WBC', undefined],
    ]);
    const again = parseVoc(writeVoc({ filename: 'x.jpg', width: 640, height: 480, objects: t.objects }));
    expect(again.objects.map((o) => o.type)).toEqual(['eosinophil', 'neutrophil', 'immature_granulocyte', undefined]);
    expect(writeVoc({ filename: 'x.jpg', width: 640, height: 480, objects: t.objects })).toContain('<name>WBC</name>');
  });
  it('gives clear errors', () => {
    expect(() => parseVoc('<html></html>', 'x.xml')).toThrow(/x.xml: not a Pascal VOC annotation/);
    expect(() => parseVoc('<annotation><size><width>0</width></size></annotation>', 'y.xml')).toThrow(VocError);
    expect(() =>
      parseVoc('<annotation><size><width>5</width><height>5</height></size><object><name>RBC</name><bndbox><xmin>a</xmin></bndbox></object></annotation>', 'z.xml'),
    ).toThrow(/z.xml: object RBC has an invalid <bndbox>/);
  });
  it('round-trips through writeVoc', () => {
    const a = parseVoc(xml);
    const back = parseVoc(writeVoc(a));
    expect(back.objects).toEqual(a.objects);
    expect(back.filename).toBe('a & b.jpg');
    expect(back.width).toBe(640);
    expect(back.height).toBe(480);
  });
  it('writes the <smearcount> element (the release) as well-formed XML an independent parser reads, boxes unchanged', () => {
    const a = parseVoc(xml);
    const out = writeVoc({ ...a, smearcount: [['report_state', 'withdrawn'], ['withdrawn_reason', 'a <b> & "c": RBC box deleted']] });
    expect(parseVoc(out).objects).toEqual(a.objects);
    // Python's ElementTree, not our reader: the element is where a VOC reader would skip it, and its text is exact
    const read = execFileSync('/usr/bin/python3', ['-c', 'import sys, json, xml.etree.ElementTree as E; r = E.fromstring(sys.stdin.read()); print(json.dumps({c.tag: c.text for c in r.find("smearcount")}))'], { input: out }).toString();
    expect(JSON.parse(read)).toEqual({ report_state: 'withdrawn', withdrawn_reason: 'a <b> & "c": RBC box deleted' });
    expect(writeVoc(a)).not.toContain('<smearcount>');
  });
});
