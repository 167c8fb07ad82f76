import { useAppStore } from '../app/instance';
import { CLASS_NAMES } from '../core/detection/classes';

/** Re-filters the kept raw detections instantly; the model never re-runs. */
export function ThresholdSliders() {
  const pp = useAppStore((s) => s.postprocess);
  const defaults = useAppStore((s) => s.defaults);
  const setThreshold = useAppStore((s) => s.setThreshold);
  const setNmsIou = useAppStore((s) => s.setNmsIou);
  const setCross = useAppStore((s) => s.setCrossClassNms);
  const reset = useAppStore((s) => s.resetPostprocess);
  return (
    <section className="panel sliders" aria-label="Detection settings">
      <h2>Score thresholds</h2>
      {CLASS_NAMES.map((c) => (
        <label key={c}>
          <span>{c}</span>
          <input
            type="range"
            min={0.01}
            max={0.99}
            step={0.01}
            value={pp.scoreThresholds[c]}
            data-testid={`threshold-${c}`}
            onChange={(e) => setThreshold(c, Number(e.target.value))}
          />
          <output>{pp.scoreThresholds[c].toFixed(2)}</output>
        </label>
      ))}
      <label>
        <span>NMS IoU</span>
        <input type="range" min={0.1} max={0.9} step={0.05} value={pp.nmsIou} onChange={(e) => setNmsIou(Number(e.target.value))} />
        <output>{pp.nmsIou.toFixed(2)}</output>
      </label>
      <label className="check">
        <input type="checkbox" checked={pp.crossClassNms} onChange={(e) => setCross(e.target.checked)} />
        <span>NMS across classes (one label per cell)</span>
      </label>
      <button onClick={reset} disabled={pp === defaults}>
        Model defaults
      </button>
    </section>
  );
}
