/** window.__smearcount: lets tests read what the canvas shows without reading pixels. */
import { imageFlags, inTotals, ruleExcluded, selectCurrent, selectSummary, shownDetections } from '../store/selectors';
import { groundTruthAp, selectAppStatus, selectDifferentialState } from '../store/selectors';
import type { Services } from '../services/services';

export function installTestHook({ store: useAppStore, view: useView, persistence, samplePersistence, profile, classifier }: Services) {
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
          box: { ...d.box },
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
    /** True when nothing is being read, queued or detected (synchronous with the store, unlike the DOM). */
    idle: () => selectAppStatus(useAppStore.getState()) === 'ready',
    model: () => ({ ...useAppStore.getState().model }),
    save: () => ({ ...useAppStore.getState().save }),
    select: (id: string) => useAppStore.getState().select(id),
    selectedId: () => useView.getState().selectedId,
    /** The current image's boxes the count rule leaves out (drawn dimmed). */
    excluded: () => {
      const s = useAppStore.getState();
      return ruleExcluded(selectCurrent(s), s.postprocess).map((d) => ({ id: d.id, cls: d.cls, box: { ...d.box } }));
    },
    view: () => ({ ...useView.getState().transform }),
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
    /** Resolves once everything so far is written to IndexedDB. */
    flush: () => Promise.all([persistence.flush(), samplePersistence.flush()]).then(() => undefined),
  };
  (window as unknown as { __smearcount: typeof hook }).__smearcount = hook;
}
