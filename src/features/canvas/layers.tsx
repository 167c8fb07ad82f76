/** The Konva layers the canvas draws per box: the boxes themselves, WBC type labels, missed ground truth. */
import type Konva from 'konva';
import { memo } from 'react';
import { Label, Rect, Tag, Text } from 'react-konva';
import type { CellClass } from '../../core/detection/classes';
import type { Detection } from '../../core/detection/detection';
import { tipPlacement, type Box } from '../../core/detection/geometry';
import type { Labeled } from '../../core/metrics/ap';
import { browserLocale } from '../../core/formats/numbers';
import { typeLabel } from './labelText';
import { textOn } from '../../core/detection/contrast';
import { cornerRadius } from '../../core/detection/classMark';

interface BoxesProps {
  dets: Detection[];
  color: Record<CellClass, string>;
  outcome?: ('tp' | 'fp')[];
  selectedId: string | null;
  /** A box that is selected but not to be moved (one under the threshold, not counted). */
  fixedId?: string | null;
  /** false while drawing: a new box may start on top of an existing one */
  interactive: boolean;
  /** A finger on a box scrolls the page (the image at its fitted size on a touch screen); the selected
   * box, which a finger drags, still keeps the touch. */
  pageScrolls?: boolean;
  onSelect(id: string): void;
  onHover(d: Detection | null): void;
  /** `keepSize`: the box was dragged whole (it stops at the image's edge rather than being clipped). */
  onMoved(id: string, box: Box, keepSize?: boolean): void;
}

/** The node back where its box is: the store then moves it (react-konva sets what its props change), and an
 * edit refused or without effect (a box dropped off the image, a sliver) leaves it there, not where the
 * pointer let go of it. */
function snapBack(n: Konva.Node, b: Box) {
  n.setAttrs({ x: b.x1, y: b.y1, width: b.x2 - b.x1, height: b.y2 - b.y1, scaleX: 1, scaleY: 1 });
}

/** All boxes of one image. Memoised: hover and zoom do not re-render 100+ rects. */
export const Boxes = memo(function Boxes({ dets, color, outcome, selectedId, fixedId = null, interactive, pageScrolls = false, onSelect, onHover, onMoved }: BoxesProps) {
  return (
    <>
      {dets.map((d, i) => (
        <Rect
          key={d.id}
          id={`box-${d.id}`}
          x={d.box.x1}
          y={d.box.y1}
          width={d.box.x2 - d.box.x1}
          height={d.box.y2 - d.box.y1}
          stroke={color[d.cls]}
          // the class's shape (core/detection/classMark): a platelet round, a red cell square, not colour alone
          cornerRadius={cornerRadius(d.cls, d.box)}
          strokeWidth={d.id === selectedId ? 3 : 1.5}
          strokeScaleEnabled={false}
          dash={outcome?.[i] === 'fp' ? [6, 4] : d.origin === 'manual' ? [2, 3] : undefined}
          fill={d.id === selectedId ? 'rgba(255,255,255,0.12)' : undefined}
          perfectDrawEnabled={false}
          shadowForStrokeEnabled={false}
          hitStrokeWidth={6}
          listening={interactive}
          preventDefault={!pageScrolls || d.id === selectedId}
          draggable={d.id === selectedId && d.id !== fixedId}
          onMouseDown={(e) => {
            e.cancelBubble = true;
            onSelect(d.id);
          }}
          onTap={() => onSelect(d.id)}
          onMouseEnter={() => onHover(d)}
          onMouseLeave={() => onHover(null)}
          onDragEnd={(e) => {
            const n = e.target;
            const box = { x1: n.x(), y1: n.y(), x2: n.x() + n.width() * n.scaleX(), y2: n.y() + n.height() * n.scaleY() };
            snapBack(n, d.box);
            onMoved(d.id, box, true);
          }}
          onTransformEnd={(e) => {
            const n = e.target;
            const box = { x1: n.x(), y1: n.y(), x2: n.x() + n.width() * n.scaleX(), y2: n.y() + n.height() * n.scaleY() };
            snapBack(n, d.box);
            onMoved(d.id, box);
          }}
        />
      ))}
    </>
  );
});

/** Cells the count rule leaves out: drawn faint and dashed so the reviewer sees what was not counted
 * (and why a count is lower than the boxes on the image). Not selectable: the rule, not an edit, decides. */
export const RuleExcluded = memo(function RuleExcluded({ dets, color }: { dets: Detection[]; color: Record<CellClass, string> }) {
  return (
    <>
      {dets.map((d) => (
        <Rect
          key={`x-${d.id}`}
          x={d.box.x1}
          y={d.box.y1}
          width={d.box.x2 - d.box.x1}
          height={d.box.y2 - d.box.y1}
          stroke={color[d.cls]}
          cornerRadius={cornerRadius(d.cls, d.box)}
          strokeWidth={1.5}
          strokeScaleEnabled={false}
          opacity={0.4}
          dash={[2, 5]}
          fill="rgba(17,20,24,0.35)"
          perfectDrawEnabled={false}
          listening={false}
        />
      ))}
    </>
  );
});

let measure: CanvasRenderingContext2D | null | undefined;
/** The tooltip's place for a box: its text measured as Konva draws it (Arial, 4 px padding, the 5 px
 * pointer), in image px at the view's scale, then tipPlacement (core geometry). */
export function tipAt(box: Box, text: string, fontSize: number, scale: number, width: number, height: number) {
  measure ??= document.createElement('canvas').getContext('2d');
  let w = text.length * fontSize * 0.6;
  if (measure) {
    measure.font = `${fontSize}px Arial`;
    w = measure.measureText(text).width;
  }
  return tipPlacement(box, (w + 8) / scale, (fontSize + 8 + 5) / scale, width, height, 3 / scale);
}

const CATEGORY_FILL = '#6b7280';

/** Each WBC's type (short code, colour) and confidence (labelText typeLabel); unsure types are marked with "?". */
export const TypeLabels = memo(function TypeLabels({ dets, scale, code, color, lowConfidence, fontSize = 13 }: { dets: Detection[]; scale: number; code: Record<string, string>; color: Record<string, string>; lowConfidence: number; fontSize?: number }) {
  const locale = browserLocale();
  return (
    <>
      {dets.map((d) =>
        d.cls === 'WBC' && d.wbc ? (
          <Label key={`t-${d.id}`} x={d.box.x1} y={d.box.y1} scaleX={1 / scale} scaleY={1 / scale} listening={false}>
            {/* a cell put among smudge / other says so, grey (it is counted there, not as the type it had) */}
            <Tag fill={d.wbc.category ? CATEGORY_FILL : color[d.wbc.type]} cornerRadius={3} />
            <Text
              text={typeLabel(d.wbc, code, lowConfidence, locale)}
              fill={textOn(d.wbc.category ? CATEGORY_FILL : (color[d.wbc.type] ?? '#333333'))}
              padding={3}
              fontSize={fontSize}
              fontStyle="bold"
            />
          </Label>
        ) : null,
      )}
    </>
  );
});

export const Misses = memo(function Misses({ gt, matched }: { gt: Labeled[]; matched: boolean[] }) {
  return (
    <>
      {gt.map((g, i) =>
        matched[i] ? null : (
          <Rect
            key={i}
            x={g.box.x1}
            y={g.box.y1}
            width={g.box.x2 - g.box.x1}
            height={g.box.y2 - g.box.y1}
            stroke="#ffffff"
            strokeWidth={2}
            strokeScaleEnabled={false}
            dash={[1, 3]}
            listening={false}
            perfectDrawEnabled={false}
          />
        ),
      )}
    </>
  );
});
