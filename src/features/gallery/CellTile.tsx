import { memo, useEffect, useState } from 'react';
import { EXTRA_LABEL } from '../../core/edits/gallery';
import { useServices } from '../../services/context';
import { tileSide } from '../../services/cellTiles';
import type { GalleryCell } from '../../store/selectors';
import { typeUnsure } from '../../core/differential/differential';

/** One WBC as a crop tile: type code, confidence, verified mark; tap selects, double tap / Enter shows it on
 * the canvas, drag moves it to a group. */
export const CellTile = memo(function CellTile({
  cell,
  code,
  low,
  selected,
  beyond,
  width,
  img = 88,
  onSelect,
  onOpen,
}: {
  cell: GalleryCell;
  code: Record<string, string>;
  low: number;
  selected: boolean;
  /** The differential's target, where this verified cell is past it: kept apart, out of the percentages. */
  beyond?: number;
  width: number;
  /** The crop's side on screen (px). */
  img?: number;
  onSelect(): void;
  onOpen(): void;
}) {
  const { tiles } = useServices();
  const [src, setSrc] = useState<string | null>(null);
  const w = cell.det.wbc!;
  const box = cell.det.box;
  // as many pixels as the screen shows the crop with (a phone has 3 per px)
  const side = tileSide(img, window.devicePixelRatio);
  useEffect(() => {
    let live = true;
    void tiles.url(cell.imageId, box, side, cell.minSide).then((u) => live && setSrc(u));
    return () => {
      live = false;
    };
  }, [tiles, cell.imageId, box, side, cell.minSide]);
  const group = w.category ?? w.type;
  const unsure = !w.verified && typeUnsure(w, low);
  return (
    <button
      type="button"
      className={`wbc-tile${selected ? ' selected' : ''}${w.verified ? ' verified' : ''}${unsure ? ' unsure' : ''}${beyond ? ' beyond' : ''}`}
      style={{ width: width - 8 }}
      data-testid="wbc-tile"
      data-type={group}
      data-key={cell.key}
      data-verified={w.verified ? 'yes' : 'no'}
      data-beyond={beyond ? 'yes' : undefined}
      // a mouse has the why; the label says "apart" and the accessible name says it whole
      title={beyond ? `Verified past the target of ${beyond}: kept apart, out of the percentages` : undefined}
      aria-pressed={selected}
      aria-label={`${w.category ? EXTRA_LABEL[w.category] : code[w.type]}${w.origin === 'model' ? ` ${Math.round(w.p * 100)}%` : ''}${w.verified ? ', verified' : ''}${beyond ? `, past the target of ${beyond}: kept apart, out of the percentages` : ''}${unsure ? ', unsure' : ''}, ${cell.imageName}`}
      draggable
      onDragStart={(e) => {
        e.dataTransfer.setData('text/x-smearcount-cell', cell.key);
        e.dataTransfer.effectAllowed = 'move';
        onSelect();
      }}
      onClick={onSelect}
      // one Tab stop for all the tiles (the selected one); the arrows move between them. A tile that gets
      // the focus is the selected one, so V and Shift+1…9 act on the tile with the focus.
      tabIndex={selected ? 0 : -1}
      onFocus={() => !selected && onSelect()}
      onDoubleClick={onOpen}
    >
      {src ? <img src={src} alt="" width={img} height={img} style={{ width: img, height: img }} draggable={false} /> : <span className="tile-placeholder" style={{ width: img, height: img }} />}
      <span className="tile-label">
        {w.category ? (w.category === 'smudge' ? 'SMU' : 'OTH') : code[w.type]}
        {w.origin === 'model' && !w.verified ? <span className="muted"> {Math.round(w.p * 100)}%</span> : null}
        {unsure ? ' ?' : ''}
        {w.verified ? ' ✓' : ''}
        {beyond ? ' apart' : ''}
      </span>
    </button>
  );
});
