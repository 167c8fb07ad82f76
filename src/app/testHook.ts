/**
 * window.__smearcount: lets tests (and the bench) read what the canvas shows without reading pixels.
 * Typed: `TestHook` is what this file builds, and the global declaration below gives e2e/ and scripts/
 * the same type, so a change here that a test relies on fails the type check, not a test run.
 */
import { belowThresholdOf, debrisExcluded, imageFlags, inTotals, ruleExcluded, selectCurrent, selectSummary, shownDetections } from '../store/selectors';
import { groundTruthAp, selectAppStatus, selectDifferentialState } from '../store/selectors';
import type { AppStore } from '../store/store';
import type { ViewStore } from '../store/viewStore';
import type { Box } from '../core/detection/geometry';
import { addBox } from '../core/edits/commands';
import type { LiveStore } from '../store/liveStore';
import Konva from 'konva';

const plainBox = (b: Box): Box => ({ x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 });

/** What the hook reads from the running app (a subset of services/services.ts's Services). */
export interface TestHookDeps {
  store: AppStore;
  view: ViewStore;
  persistence: { flush(): Promise<void> };
  samplePersistence: { flush(): Promise<void> };
  profile: { timeFit(n: number): { ms: number; cells: number } | null } | null;
  classifier: { lowConfidence: number } | null;
  live: LiveStore;
  camera: { pending: number };
  /** The first visit's warm-up of the compiled runtime (services/runtimeCache.ts). */
  runtimeCache?: () => string;
  /** The typing worker (services/typist.ts). */
  typist?: () => string;
}

export function createTestHook({ store: useAppStore, view: useView, persistence, samplePersistence, profile, classifier, live, camera, runtimeCache, typist }: TestHookDeps) {
  const hook = {
    current() {
      const s = useAppStore.getState();
      const im = selectCurrent(s);
      if (!im) return null;
      return {
        id: im.id,
        name: im.name,
        width: im.width,
        height: im.height,
        status: im.status,
        scale: im.scale,
        detections: shownDetections(im, s.postprocess).map((d) => ({
          id: d.id,
          cls: d.cls,
          score: d.score,
          box: plainBox(d.box),
          origin: d.origin,
          wbc: d.wbc ? { ...d.wbc } : undefined,
        })),
      };
    },
    images() {
      const s = useAppStore.getState();
      return s.order.map((id) => {
        const im = s.images[id];
        const shown = shownDetections(im, s.postprocess);
        return {
          id,
          name: im.name,
          error: im.error,
          status: im.status,
          inferenceMs: im.inferenceMs,
          classifyMs: im.classifyMs,
          classified: Object.keys(im.wbc ?? {}).length,
          scale: im.scale,
          count: shown.length,
          flags: imageFlags(im, s.postprocess),
          inTotals: inTotals(im),
          quality: im.quality,
        };
      });
    },
    summary: () => selectSummary(useAppStore.getState()),
    /** The current image's model boxes in the review band below their threshold (U visits them too). */
    belowThreshold: () => {
      const s = useAppStore.getState();
      const im = s.currentId ? s.images[s.currentId] : undefined;
      return belowThresholdOf(im, s.postprocess, s.reviewBand).map((d) => ({ id: d.id, cls: d.cls, score: d.score, box: plainBox(d.box) }));
    },
    /** True when nothing is being read, queued or detected (synchronous with the store, unlike the DOM). */
    idle: () => selectAppStatus(useAppStore.getState()) === 'ready',
    model: () => ({ ...useAppStore.getState().model }),
    save: () => ({ ...useAppStore.getState().save }),
    select: (id: string) => useAppStore.getState().select(id),
    selectedId: () => useView.getState().selectedId,
    /** Selects a box of the current image, as a click on it does (for boxes no click can single out). */
    selectBox: (id: string | null) => useView.getState().setSelected(id),
    /** The current image's boxes the count rule leaves out (drawn dimmed). */
    excluded: () => {
      const s = useAppStore.getState();
      return ruleExcluded(selectCurrent(s), s.postprocess).map((d) => ({ id: d.id, cls: d.cls, box: plainBox(d.box) }));
    },
    /** The current image's model boxes left out as unstained specks (core/quality/debris; drawn grey). */
    debris: () => {
      const s = useAppStore.getState();
      return debrisExcluded(selectCurrent(s), s.postprocess).map((d) => ({ id: d.id, cls: d.cls, box: plainBox(d.box) }));
    },
    view: () => ({ ...useView.getState().transform }),
    /** The current image's boxes as the canvas drew them (canvas/layers' Konva rects, id box-<detection id>):
     * the outline's colour, the class's shape (corner radius, in image px) and the dash. */
    drawnBoxes: () =>
      Konva.stages
        .flatMap((st) => st.find<Konva.Rect>((n: Konva.Node) => n.id().startsWith('box-')))
        .map((n) => ({ id: n.id().slice(4), stroke: String(n.stroke()), cornerRadius: n.cornerRadius(), dash: n.dash() ?? [] })),
    /** Every text the canvas draws (the WBC type labels, the selected or hovered box's tooltip). */
    drawnTexts: () => Konva.stages.flatMap((st) => st.find<Konva.Text>('Text')).map((n) => n.text()),
    groundTruthAp: () => groundTruthAp(useAppStore.getState()),
    sample: () => ({ ...useAppStore.getState().sample }),
    audit: () => [...useAppStore.getState().audit],
    differential: () => selectDifferentialState(useAppStore.getState(), classifier?.lowConfidence),
    adaptation: () => {
      const a = useAppStore.getState().adaptation;
      return { cells: a.cells, fitMs: a.fitMs, weight: a.head?.weight ?? 0, modelError: a.head?.modelError ?? null };
    },
    /** The head's fit time in this browser for n cells (the batch's embeddings, cycled). */
    timeAdaptation: (n: number) => profile?.timeFit(n) ?? null,
    /** Draws WBC boxes by hand on an image, as a technician would (each is typed at once): how the
     * gallery bench builds a 500-cell sample from a few images. Returns how many were added. */
    addWbcBoxes: (imageId: string, boxes: { x1: number; y1: number; x2: number; y2: number }[]) => {
      const s = useAppStore.getState();
      const im = s.images[imageId];
      if (!im || im.status !== 'done' || !im.width || !im.height) return 0;
      for (const box of boxes) s.edit(imageId, addBox, { cls: 'WBC', box, width: im.width, height: im.height });
      return boxes.length;
    },
    /** Live mode: what the camera view shows and has captured (fields still being encoded: `pending`). */
    live: () => {
      const l = live.getState();
      return {
        open: l.open,
        phase: l.phase,
        error: l.error,
        size: l.size,
        state: l.state,
        boxes: l.boxes.length,
        boxesAt: l.boxesAt,
        stillSince: l.stillSince,
        field: l.field,
        captured: [...l.captured],
        repeats: l.repeats,
        sharpened: l.sharpened,
        frames: l.frames,
        previews: l.previews,
        judgeMs: l.judgeMs,
        previewMs: l.previewMs,
        previewPasses: l.previewPasses,
        wbc: l.wbc,
        target: l.target,
        reached: l.reached,
        captureMs: [...l.captureMs],
        awake: l.awake,
        pending: camera.pending,
      };
    },
    /** 'done' once the first visit has left its compiled runtime for the next one ('skipped' on a visit
     * that loaded it from the service worker; services/runtimeCache.ts). */
    runtimeCache: () => runtimeCache?.() ?? 'skipped',
    /** The typing worker: 'ready' once WBCs are typed there rather than in the detector worker. */
    typist: () => typist?.() ?? 'off',
    /** Resolves once everything so far is written to IndexedDB. */
    flush: () => Promise.all([persistence.flush(), samplePersistence.flush()]).then(() => undefined),
  };
  return hook;
}

export type TestHook = ReturnType<typeof createTestHook>;
/** One detection as the hook reports it. */
export type HookDetection = NonNullable<ReturnType<TestHook['current']>>['detections'][number];

declare global {
  interface Window {
    /** Installed in development and under automation (navigator.webdriver) only. */
    __smearcount: TestHook;
  }
}

export function installTestHook(deps: TestHookDeps) {
  window.__smearcount = createTestHook(deps);
}
