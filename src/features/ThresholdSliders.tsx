import { useShallow } from 'zustand/react/shallow';
import { useApp, useServices } from '../services/context';
import { selectScaleStale, wasEdited } from '../store/selectors';
import { Section } from './Section';
import { cellSizeWords } from '../core/detection/scaleWords';
import { CLASS_NAMES } from '../core/detection/classes';
import { COUNT_RULE_LABELS, COUNT_RULES, type CountRule } from '../core/detection/postprocess';
import type { BackendChoice } from '../store/settingsSlice';
import { browserLocale, fixed, plain } from '../core/formats/numbers';
import { useInputMode } from './useInputMode';

/** The cells' sizes (against the model's usual) the magnification list offers; the zoom is 1 / size. */
const SCALE_PRESETS = [0.5, 0.625, 0.8, 1, 1.25, 1.6, 2];

/** Re-filters the kept raw detections instantly; the model never re-runs. */
export function ThresholdSliders() {
  const pp = useApp((s) => s.postprocess);
  const defaults = useApp((s) => s.defaults);
  const setThreshold = useApp((s) => s.setThreshold);
  const setNmsIou = useApp((s) => s.setNmsIou);
  const setCross = useApp((s) => s.setCrossClassNms);
  const reset = useApp((s) => s.resetPostprocess);
  const setCountRule = useApp((s) => s.setCountRule);
  const band = useApp((s) => s.reviewBand);
  const setBand = useApp((s) => s.setReviewBand);
  // what visits the band's boxes: the U key, or by touch (no keys) the Next uncertain button, as the hints say it
  const visits = useInputMode() === 'touch' ? 'Next uncertain' : 'U';
  const fixedScale = useApp((s) => s.fixedScale);
  const setFixedScale = useApp((s) => s.setFixedScale);
  const stale = useApp(useShallow(selectScaleStale));
  const { store, runner, chooseBackend } = useServices();
  const backendChoice = useApp((s) => s.backendChoice);
  return (
    <Section title="Settings" className="sliders">
      <h3>Score thresholds</h3>
      {CLASS_NAMES.map((c) => (
        <label key={c}>
          <span>{c}</span>
          <input
            type="range"
            min={0.01}
            max={0.99}
            step={0.005}
            value={pp.scoreThresholds[c]}
            aria-label={`${c} score threshold`}
            data-testid={`threshold-${c}`}
            onChange={(e) => setThreshold(c, Number(e.target.value))}
          />
          {/* An <output> is a live region: a screen reader spoke each step twice (the slider's value, then this) */}
          <output aria-hidden data-testid={`threshold-value-${c}`}>
            {plain(pp.scoreThresholds[c], browserLocale(), 3)}
          </output>
        </label>
      ))}
      <label>
        <span>NMS IoU</span>
        <input type="range" min={0.1} max={0.9} step={0.05} value={pp.nmsIou} onChange={(e) => setNmsIou(Number(e.target.value))} />
        <output aria-hidden>{fixed(pp.nmsIou, 2, browserLocale())}</output>
      </label>
      <label className="check">
        <input type="checkbox" checked={pp.crossClassNms} onChange={(e) => setCross(e.target.checked)} />
        <span>NMS across classes (one label per cell)</span>
      </label>
      <label>
        <span title={`${visits} visits model boxes whose score is within this of their class threshold`} data-testid="review-band-label">
          Review ±
        </span>
        <input type="range" min={0.02} max={0.5} step={0.01} value={band} aria-label={`Review band: ${visits} visits boxes within this of their class threshold`} data-testid="review-band" onChange={(e) => setBand(Number(e.target.value))} />
        <output aria-hidden>{fixed(band, 2, browserLocale())}</output>
      </label>
      <h3>Count rule</h3>
      <label className="select">
        <span className="sr-only">Count rule</span>
        <select value={pp.countRule} data-testid="count-rule" onChange={(e) => setCountRule(e.target.value as CountRule)}>
          {(Object.keys(COUNT_RULE_LABELS) as CountRule[]).map((r) => (
            <option key={r} value={r}>
              {COUNT_RULE_LABELS[r]}
            </option>
          ))}
        </select>
      </label>
      <p className="hint">{(COUNT_RULES[pp.countRule] ?? String(pp.countRule)).replace(/^./, (c) => c.toUpperCase())}. A cell is cut when its box reaches within 0.5% of the image's shorter side (at least 2 px) of an edge; "half inside" compares its box with the image's uncut cells of the same class; the two-edge rule counts each cell of adjacent fields once. Cells a rule leaves out stay on the canvas, dimmed.</p>
      <h3>Magnification</h3>
      <label className="select">
        <span className="sr-only">Magnification</span>
        <select
          data-testid="scale-mode"
          value={fixedScale === null ? 'auto' : String(fixedScale)}
          onChange={(e) => setFixedScale(e.target.value === 'auto' ? null : Number(e.target.value))}
        >
          <option value="auto">Estimate per image (auto)</option>
          {SCALE_PRESETS.map((v) => (
            <option key={v} value={String(1 / v)}>
              {v === 1 ? 'Cells at the usual size' : cellSizeWords(v, browserLocale()).replace(/^c/, 'C')}
            </option>
          ))}
          {/* a scale the list does not name (an imported profile's): shown as it is, not as "auto" */}
          {fixedScale !== null && !SCALE_PRESETS.some((v) => String(1 / v) === String(fixedScale)) && (
            <option value={String(fixedScale)}>{cellSizeWords(1 / fixedScale, browserLocale()).replace(/^c/, 'C')} (from the microscope profile)</option>
          )}
        </select>
      </label>
      <p className="hint">
        Auto measures the red cells on a first pass and, if they look more than 25% smaller or larger than usual, counts again at the zoom that
        brings them to the usual size. Set it by hand when you know your microscope.
      </p>
      {stale.length > 0 && (
        <button
          data-testid="count-again"
          onClick={() => {
            const st = store.getState();
            const edited = stale.filter((id) => wasEdited(st.images[id]) || st.images[id].reviewed).length;
            if (edited && !confirm(`Count ${stale.length} image${stale.length > 1 ? 's' : ''} again with this setting? The boxes are detected afresh: the edits and review marks on ${edited} of them are lost.`)) return;
            st.requeue(stale);
            runner.resume();
          }}
        >
          Count again with this setting ({stale.length} image{stale.length > 1 ? 's' : ''} counted otherwise)
        </button>
      )}
      <button onClick={reset} disabled={JSON.stringify(pp) === JSON.stringify({ ...defaults, countRule: pp.countRule })} title="The model's score thresholds and NMS; the count rule stays">
        Model defaults
      </button>
      <h3>Engine</h3>
      <label className="select">
        <span className="sr-only">Detection engine</span>
        <select data-testid="engine" value={backendChoice} onChange={(e) => chooseBackend(e.target.value as BackendChoice)}>
          <option value="auto">Fastest on this device (auto)</option>
          <option value="wasm">WASM (the processor)</option>
          <option value="webgpu">WebGPU (the graphics card)</option>
        </select>
      </label>
      <p className="hint">Auto times WebGPU and WASM on a warm-up image and keeps the faster. The engine in use is named in the status line and recorded in every export.</p>
    </Section>
  );
}
