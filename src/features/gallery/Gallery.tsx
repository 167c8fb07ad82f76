import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { bulkVerifiable, EXTRA_CATEGORIES, EXTRA_LABEL, isExtraCategory, type GalleryGroup } from '../../core/edits/gallery';
import { WBC_LABEL, WBC_TYPES } from '../../core/differential/differential';
import { useApp, useServices } from '../../services/context';
import { selectBeyondTarget, selectDifferentialState, selectGalleryCells, type GalleryCell } from '../../store/selectors';
import type { DifferentialState } from '../../core/differential/rules';
import { newTargetNotices } from '../../services/differentialNotice';
import { arrowTarget, cellSortKey, galleryLayout, groupCells, roomBelow, visibleRows, GROUPS, HEADER_H, TILE, TILE_WIDE, type Arrow } from './layout';
import { useHovers, useIsWide } from '../useIsPhone';
import { InfoTip } from '../InfoTip';
import { GALLERY_KEYS, jumpToCell, moveCells, redoGallery, setNote, undoGallery, verify, verifyAll, type GalleryContext } from './galleryActions';
import { CellTile } from './CellTile';
import { FileName } from '../FileName';
import { useBackCloses } from '../useBackCloses';
import { useDialogFocus } from '../useDialogFocus';
import { useInputMode } from '../useInputMode';
import { browserLocale, plain } from '../../core/formats/numbers';
import './gallery.css';

/** A count as the browser's country groups it ("1.204 cells" in a German lab), as the counts panel does. */
const num = (x: number) => plain(x, browserLocale());

const groupLabel = (g: GalleryGroup) => (g === 'smudge' || g === 'other' ? EXTRA_LABEL[g] : WBC_LABEL[g]);

/** The WBC gallery: every WBC of the sample as a crop tile, grouped by type, to verify and correct. */
export function Gallery() {
  const services = useServices();
  const { gallery, classifier } = services;
  const open = useStore(gallery, (s) => s.open);
  if (!open || !classifier) return null;
  return <GalleryDialog ctx={services} />;
}

function GalleryDialog({ ctx }: { ctx: GalleryContext }) {
  const { classifier } = useServices();
  const low = classifier?.lowConfidence ?? 0.6;
  const cells = useApp(selectGalleryCells);
  // the verified cells past the differential's target: kept apart, out of the percentages (marked on their tiles)
  const beyond = useApp(selectBeyondTarget);
  const diff = useApp((s) => selectDifferentialState(s, low));
  const selected = useStore(ctx.gallery, (s) => s.selected);
  const canUndo = useApp((s) => s.undoLog.past.length > 0);
  const canRedo = useApp((s) => s.undoLog.future.length > 0);
  // the order the gallery opened with: verifying cells does not move tiles (they sort again next time it opens)
  const [openRanks] = useState(() => new Map(cells.map((c) => [c.key, cellSortKey(c, low)])));
  const groups = useMemo(() => groupCells(cells, low, openRanks), [cells, low, openRanks]);
  const scroller = useRef<HTMLDivElement>(null);
  // the tile the keyboard's focus moves to once it is drawn (arrows from a tile or the cells' area)
  const followFocus = useRef<string | null>(null);
  const dialog = useRef<HTMLElement>(null);
  const touch = useInputMode() === 'touch';
  // mounted only while open: focus in on mount, Tab kept inside, the page behind inert, focus back to the
  // opener on close
  useDialogFocus(dialog, true, { inert: true });
  // full screen on a phone: Back closes it, as it closes the live view, rather than leaving the app
  useBackCloses(true, () => ctx.gallery.getState().setOpen(false));
  const [width, setWidth] = useState(800);
  const [viewport, setViewport] = useState({ top: 0, height: 600 });
  // a projector or a wide screen: larger crops (the dialog is wide enough for them)
  const tile = useIsWide() ? TILE_WIDE : TILE;
  const layout = useMemo(() => galleryLayout(groups, width, tile), [groups, width, tile]);
  const flat = useMemo(() => GROUPS.flatMap((g) => groups[g]), [groups]);
  const sel = selected ? flat.find((c) => c.key === selected) : undefined;
  const code = useMemo(() => Object.fromEntries(classifier!.classes.map((c) => [c.name, c.code])) as Record<string, string>, [classifier]);
  const [dragOver, setDragOver] = useState<GalleryGroup | null>(null);
  // ? lists the gallery's keys here: the key sheet it opens elsewhere is in the page behind, inert and hidden
  const [keysShown, setKeysShown] = useState(false);

  useLayoutEffect(() => {
    const el = scroller.current!;
    const measure = () => {
      setWidth(el.clientWidth);
      setViewport({ top: el.scrollTop, height: el.clientHeight });
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // The cells stay where they are on screen when the bar above them changes height: on a phone the first tap on
  // a cell turned the bar's one line of hint into three rows of buttons, every tile moved 119 px down, and a
  // tap aimed at the next cell landed on the one a row above it. The scroll follows the cells' area's top.
  const areaTop = useRef<number | null>(null);
  const content = useRef<HTMLDivElement>(null);
  // a short list (a few fields) has no room to scroll by that much: room below its end, as much as it takes, and
  // only while it does (roomBelow): it stayed, and the page scrolled into blank space once the bar was back to its
  // height, the list had changed or the technician had scrolled up
  const room = useRef(0);
  useLayoutEffect(() => {
    const el = scroller.current!;
    const top = el.getBoundingClientRect().top;
    const was = areaTop.current;
    areaTop.current = top;
    const moved = was !== null && Math.abs(top - was) > 0.5;
    const to = moved ? el.scrollTop + top - was : el.scrollTop;
    const r = roomBelow(room.current, to, el.clientHeight, layout.height, moved && top > was);
    if (r !== room.current) {
      room.current = r;
      content.current!.style.minHeight = r ? `${Math.max(layout.height, el.clientHeight) + r}px` : '';
    }
    if (moved) el.scrollTop = to;
  });

  // A selected cell that has left the gallery (its image removed, flagged, or its box undone) is no selection.
  useEffect(() => {
    if (selected && !sel) ctx.gallery.getState().setSelected(null);
  }, [ctx, selected, sel]);

  // The tile the keyboard's focus is on. A tile drawn again (in its new group, or in another row once the layout
  // settles) takes the focus with it to the page's body; the effect below gives it back once the tile is drawn.
  const focusedTile = useRef<string | null>(null);
  useEffect(() => {
    const el = dialog.current!;
    const onIn = (e: FocusEvent) => {
      focusedTile.current = (e.target as HTMLElement).closest<HTMLElement>('.wbc-tile')?.dataset.key ?? null;
    };
    el.addEventListener('focusin', onIn);
    return () => el.removeEventListener('focusin', onIn);
  }, []);

  // The keyboard's focus follows an arrow's selection to its tile, once the tile is drawn, and comes back to a
  // focused tile that was drawn again.
  useEffect(() => {
    const lost = !document.activeElement || document.activeElement === document.body;
    const key = followFocus.current ?? (lost ? focusedTile.current : null);
    if (!key || key !== selected) return;
    const el = scroller.current?.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
    if (el) {
      followFocus.current = null;
      el.focus({ preventScroll: true });
    }
  });

  // Keep the selected tile in view (keys move the selection).
  useEffect(() => {
    if (!selected) return;
    const y = layout.tileTop.get(selected);
    const el = scroller.current;
    if (y === undefined || !el) return;
    if (y < el.scrollTop + HEADER_H) el.scrollTop = Math.max(0, y - HEADER_H);
    else if (y + layout.rowH > el.scrollTop + el.clientHeight) el.scrollTop = y + layout.rowH - el.clientHeight;
  }, [selected, layout]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT');
      if (e.key === 'Escape') {
        // Esc closes the gallery from anywhere in it; a field is blurred first so its note is kept.
        e.preventDefault();
        e.stopImmediatePropagation();
        if (typing) t.blur();
        ctx.gallery.getState().setOpen(false);
        return;
      }
      if (typing) return;
      // The gallery owns the keyboard while open: the canvas shortcuts must not act on a hidden image.
      e.stopImmediatePropagation();
      // Enter and Space press the focused button (Verify all, a type, Close), as everywhere else; on a
      // tile Space selects it and Enter shows it on the canvas (below)
      const onTile = !!t?.closest('.wbc-tile');
      if ((e.key === 'Enter' || e.key === ' ') && !onTile && t?.tagName === 'BUTTON') return;
      // only a cell still in the gallery: one whose image was taken out of the batch stayed selected, and
      // Enter "showed" it, closing the gallery onto no image at all
      const picked = ctx.gallery.getState().selected;
      const key = picked && flat.some((c) => c.key === picked) ? picked : null;
      const digit = /^Digit([1-9])$/.exec(e.code);
      const mod = e.ctrlKey || e.metaKey;
      // a tile moved to another group (a type, undo, redo) is drawn anew there: the focus goes with it, not
      // to the page's body, where the arrows no longer move it
      const keepFocus = () => onTile && key && (followFocus.current = key);
      if (e.key === '?' && !mod) {
        e.preventDefault();
        setKeysShown((v) => !v);
      } else if (mod && ((e.key.toLowerCase() === 'z' && e.shiftKey) || e.key.toLowerCase() === 'y')) {
        e.preventDefault();
        keepFocus();
        redoGallery(ctx);
      } else if (mod && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        keepFocus();
        undoGallery(ctx);
      } else if (mod || e.altKey) {
        // Ctrl+V (paste images), Ctrl+C and the like are not gallery keys: a bare letter is (V verifies).
        return;
      } else if (e.shiftKey && digit && key) {
        e.preventDefault();
        const i = Number(digit[1]) - 1;
        const to: GalleryGroup = i < WBC_TYPES.length ? WBC_TYPES[i] : EXTRA_CATEGORIES[i - WBC_TYPES.length];
        keepFocus();
        moveCells(ctx, [key], to);
      } else if (e.key.toLowerCase() === 'v' && key) {
        e.preventDefault();
        const c = flat.find((x) => x.key === key);
        if (c) verify(ctx, [key], !c.det.wbc?.verified);
      } else if (e.key === 'Enter' && key) {
        e.preventDefault();
        jumpToCell(ctx, key);
      } else if (['ArrowRight', 'ArrowLeft', 'ArrowDown', 'ArrowUp'].includes(e.key) && flat.length) {
        e.preventDefault();
        // up and down to the row drawn above or below (each group starts a row), not a row's width through the list
        const to = arrowTarget(layout, key, e.key as Arrow);
        if (!to) return;
        ctx.gallery.getState().setSelected(to);
        // the keyboard's focus follows the selection from tile to tile (once the new tile is drawn)
        if (onTile || t === scroller.current) followFocus.current = to;
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [ctx, flat, layout]);

  const rows = visibleRows(layout, viewport.top - layout.rowH, viewport.top + viewport.height + layout.rowH);
  const verifiedN = flat.filter((c) => c.det.wbc?.verified).length;
  // smudge and other cells are verified as such, outside the differential: said, so that the panel's "21 WBC
  // verified" and the gallery's 22 add up
  const apartN = flat.filter((c) => c.det.wbc?.verified && c.det.wbc.category).length;
  const announce = useVerifiedAnnouncement(flat, low);
  const drop = (g: GalleryGroup) => ({
    onDragOver: (e: React.DragEvent) => {
      e.preventDefault();
      setDragOver(g);
    },
    onDragLeave: () => setDragOver(null),
    onDrop: (e: React.DragEvent) => {
      e.preventDefault();
      setDragOver(null);
      const key = e.dataTransfer.getData('text/x-smearcount-cell');
      // a tile let go on its own group is a drag given up, not a type chosen: it verifies nothing
      const w = flat.find((c) => c.key === key)?.det.wbc;
      if (key && (w?.category ?? w?.type) !== g) moveCells(ctx, [key], g);
    },
  });

  return (
    <div className="gallery-backdrop">
      <section className="gallery" ref={dialog} role="dialog" aria-modal="true" aria-label="WBC gallery" data-testid="gallery">
        {/* a div, not a <header>: a dialog's header is no second banner of the page. The title and the actions
            are two blocks: on a phone or at 200–400% zoom the summary wraps under the title, then the actions
            take a line of their own, never off the right edge */}
        <div className="gallery-head">
          <div className="gallery-title">
            <h2>WBC gallery</h2>
            <span className="muted" data-testid="gallery-summary">
              {num(flat.length)} cells · {num(verifiedN)} verified
              {apartN ? ` (${num(apartN)} of them smudge / other, outside the differential)` : ''}
            </span>
          </div>
          <div className="gallery-actions">
            <button data-testid="gallery-undo" disabled={!canUndo} onClick={() => undoGallery(ctx)} title="Undo the last change, here or on the canvas (Ctrl+Z)">
              Undo
            </button>
            <button data-testid="gallery-redo" disabled={!canRedo} onClick={() => redoGallery(ctx)} title="Redo (Ctrl+Shift+Z or Ctrl+Y)">
              Redo
            </button>
            <button data-testid="gallery-close" onClick={() => ctx.gallery.getState().setOpen(false)}>
              Close
            </button>
          </div>
        </div>
        <p className="sr-only" role="status" aria-live="polite" data-testid="gallery-announce">
          {announce}
        </p>
        <div className="gallery-bar" aria-label="Selected cell">
          {sel ? (
            <>
              {/* a camera's long name loses its middle, not the buttons after it their place on screen */}
              <span className="gallery-selected" data-testid="gallery-selected">
                {/* the space ends a flex item, so it shows nothing (the gap spaces them) but keeps the words apart in
                    the line's text */}
                <span>{sel.det.wbc?.category ? EXTRA_LABEL[sel.det.wbc.category] : code[sel.det.wbc!.type]} · </span>
                <FileName name={sel.imageName} />
              </span>
              {GROUPS.map((g, i) => (
                <button key={g} data-testid={`gallery-move-${g}`} title={`${groupLabel(g)} (Shift+${i + 1})`} onClick={() => moveCells(ctx, [sel.key], g)}>
                  {g === 'smudge' || g === 'other' ? (g === 'smudge' ? 'Smudge' : 'Other') : code[g]}
                </button>
              ))}
              <button data-testid="gallery-verify" aria-pressed={!!sel.det.wbc?.verified} onClick={() => verify(ctx, [sel.key], !sel.det.wbc?.verified)} title="Verified (V)">
                {sel.det.wbc?.verified ? '✓ Verified' : 'Verify'}
              </button>
              <button data-testid="gallery-jump" onClick={() => jumpToCell(ctx, sel.key)} title="Show on the canvas (Enter)">
                Show on canvas
              </button>
              {/* keyed by the stored note too: an undo or redo of the note is shown, not the text typed before it
                  (which the next blur wrote back, undoing the undo) */}
              {sel.det.wbc?.category && <NoteInput key={`${sel.key}\n${sel.det.wbc.note ?? ''}`} ctx={ctx} cell={sel} />}
            </>
          ) : touch ? (
            // By touch the bar keeps its buttons, off until a cell is tapped: its height no longer changes at the first
            // tap (one line of hint became three rows of buttons, and every tile moved 119 px, under the finger)
            <>
              <span className="hint gallery-selected" data-testid="gallery-hint">
                Tap a cell, then a type or Verify.
              </span>
              {GROUPS.map((g) => (
                <button key={g} disabled>
                  {g === 'smudge' || g === 'other' ? (g === 'smudge' ? 'Smudge' : 'Other') : code[g]}
                </button>
              ))}
              <button disabled>Verify</button>
              <button disabled>Show on canvas</button>
            </>
          ) : (
            <span className="hint" data-testid="gallery-hint">
              Click a cell, then a type; or drag it to a group; or Shift+1…7 for a type, Shift+8 smudge, Shift+9 other. V verifies, Enter shows it on the canvas. ? lists the keys.
            </span>
          )}
        </div>
        {keysShown && (
          <p className="hint gallery-keys" data-testid="gallery-keys">
            {GALLERY_KEYS.replace(/^a/, 'A')} · ? hides these keys
          </p>
        )}
        <div
          className="gallery-scroll"
          ref={scroller}
          data-testid="gallery-scroll"
          // the cells' scroll area takes focus on open: arrows then move between cells
          tabIndex={0}
          data-autofocus
          aria-label="WBC cells by type"
          onScroll={(e) => setViewport({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}
        >
          <div ref={content} style={{ height: layout.height, position: 'relative' }}>
            {rows.map((r) =>
              r.kind === 'header' ? (
                <div key={`h-${r.group}`} className={`gallery-group${dragOver === r.group ? ' drop' : ''}`} style={{ top: r.top, height: HEADER_H }} data-testid={`gallery-group-${r.group}`} {...drop(r.group)}>
                  <strong>{groupLabel(r.group)}</strong>
                  <span className="muted">
                    {' '}
                    {num(groups[r.group].length)} · {num(groups[r.group].filter((c) => !c.det.wbc?.verified).length)} unverified
                    {diff.reached && !isExtraCategory(r.group) ? <GroupCounted cells={groups[r.group]} beyond={beyond} /> : null}
                  </span>
                  <GroupVerify
                    cells={groups[r.group]}
                    low={low}
                    group={r.group}
                    onVerify={() => {
                      verifyAll(ctx, groups[r.group], low);
                      // the button is now gone: the keyboard's focus goes back to the cells, not to the page
                      scroller.current?.focus({ preventScroll: true });
                    }}
                  />
                </div>
              ) : (
                <div key={`r-${r.group}-${r.index}`} className="gallery-row" style={{ top: r.top, height: layout.rowH }} {...drop(r.group)}>
                  {r.cells.map((c) => (
                    <CellTile key={c.key} cell={c} code={code} low={low} selected={c.key === selected} beyond={beyond.has(c.key) ? diff.target : undefined} width={tile.w} img={tile.img} onSelect={() => ctx.gallery.getState().setSelected(c.key)} onOpen={() => jumpToCell(ctx, c.key)} />
                  ))}
                </div>
              ),
            )}
          </div>
        </div>
      </section>
    </div>
  );
}

/** Once the differential has reached its target, how many of a group's cells its figures count, and how many
 * verified past the target are kept apart: the technician sees which verified cells the percentages rest on,
 * and the groups' counted cells add up to the report's figures. */
function GroupCounted({ cells, beyond }: { cells: readonly GalleryCell[]; beyond: ReadonlySet<string> }) {
  const apart = cells.filter((c) => beyond.has(c.key)).length;
  const counted = cells.filter((c) => c.det.wbc?.verified && !c.det.wbc.category && !beyond.has(c.key)).length;
  return (
    <span data-testid="gallery-group-counted">
      {' '}
      · {num(counted)} counted{apart ? ` · ${num(apart)} past the target` : ''}
    </span>
  );
}

const VERIFY_ALL_LEAVES = 'Verifies the cells whose type the model is sure of; unsure cells are verified one by one.';

/** A group's "Verify all n", only while it has cells to verify at once; a group with none says why instead
 * of a disabled "Verify all 0": every cell verified, or only unsure cells left (verified one by one).
 * What it leaves (the unsure cells) is the button's description; a mouse has it as the title, and on a touch
 * screen, where a title never shows and the first tap verifies, a "?" beside it says it on a tap. */
function GroupVerify({ cells, low, group, onVerify }: { cells: readonly GalleryCell[]; low: number; group: GalleryGroup; onVerify(): void }) {
  const hovers = useHovers();
  const whyId = useId();
  if (!cells.length) return null;
  const n = cells.filter((c) => bulkVerifiable(c.det, low)).length;
  if (n > 0) {
    // in the group's row itself, not in a box of their own (the row centres its 40-px button)
    return (
      <>
        <button data-testid={`gallery-verify-group-${group}`} onClick={onVerify} title={hovers ? 'Unsure cells are verified one by one' : undefined} aria-describedby={whyId}>
          Verify all {num(n)}
        </button>
        <span className="sr-only" id={whyId}>
          {VERIFY_ALL_LEAVES}
        </span>
        {!hovers && (
          <InfoTip label="What Verify all leaves" testId={`gallery-verify-why-${group}`}>
            {VERIFY_ALL_LEAVES}
          </InfoTip>
        )}
      </>
    );
  }
  const left = cells.filter((c) => !c.det.wbc?.verified).length;
  return (
    <span className="group-state" data-testid={`gallery-group-state-${group}`}>
      {left ? `${num(left)} unsure: verify one by one` : 'All verified'}
    </span>
  );
}

function NoteInput({ ctx, cell }: { ctx: GalleryContext; cell: GalleryCell }) {
  const [v, setV] = useState(cell.det.wbc?.note ?? '');
  return (
    <label className="gallery-note">
      Note{' '}
      <input data-testid="gallery-note" value={v} onChange={(e) => setV(e.target.value)} onBlur={() => setNote(ctx, cell.key, v.trim())} onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()} placeholder="e.g. blast?" />
    </label>
  );
}

/** One sentence for a screen reader each time verification changes, whatever made it (V, the Verify button, a
 * group's Verify all, a type set by hand, undo): "lymphocyte verified; 9 of 23 verified." Worked out from
 * the cells before and after, so no call site has to remember to speak. The differential's target, reached,
 * gone past or short with every cell verified, is said here too, once, as it becomes true: the notices that
 * say it sit in the page behind the gallery, which is inert while it is open, so a screen reader heard
 * nothing of the target from the gallery. */
function useVerifiedAnnouncement(flat: readonly GalleryCell[], low: number): string {
  const [text, setText] = useState('');
  const st = useApp((s) => selectDifferentialState(s, low));
  const before = useRef<{ verified: Set<string>; st: DifferentialState } | null>(null);
  useEffect(() => {
    const now = new Set(flat.filter((c) => c.det.wbc?.verified).map((c) => c.key));
    const was = before.current;
    before.current = { verified: now, st };
    if (!was) return; // the gallery just opened: nothing changed yet
    const added = flat.filter((c) => now.has(c.key) && !was.verified.has(c.key));
    const taken = [...was.verified].filter((k) => !now.has(k)).length;
    const target = was.st === st ? [] : newTargetNotices(was.st, st).map((n) => n.message);
    if (!added.length && !taken && !target.length) return;
    const name = (c: GalleryCell) => (c.det.wbc?.category ? EXTRA_LABEL[c.det.wbc.category] : (c.det.wbc?.type ?? 'cell').replace('_', ' '));
    const what =
      added.length === 1 && !taken ? `${name(added[0])} verified` : added.length ? `${num(added.length)} cells verified` : taken ? `${taken === 1 ? '1 cell' : `${num(taken)} cells`} no longer verified` : '';
    setText([what && `${what}; ${num(now.size)} of ${num(flat.length)} verified.`, ...target].filter(Boolean).join(' '));
  }, [flat, st]);
  return text;
}
