import { useApp, useServices } from '../services/context';
import type { BackendChoice } from '../store/settingsSlice';
import { selectAppStatus } from '../store/selectors';

const BACKEND_NAME = { webgpu: 'WebGPU', 'wasm-threads': 'WASM (multi-thread)', wasm: 'WASM (single thread)' } as const;

export function StatusBar() {
  const { chooseBackend } = useServices();
  const state = useApp(selectAppStatus);
  const model = useApp((s) => s.model);
  const choice = useApp((s) => s.backendChoice);
  const saveError = useApp((s) => s.save.error);
  let text: string;
  if (state === 'error') text = model.error ?? 'Error';
  else if (model.status !== 'ready')
    text = model.total ? `Loading model… ${Math.round((100 * model.loaded) / model.total)}%` : 'Loading model…';
  else text = state === 'busy' ? 'Counting…' : 'Ready';
  const saving = useApp((s) => s.save.pending && !s.save.error && s.model.status === 'ready');
  if (state === 'busy' && saving && text === 'Counting…') text = 'Saving…';
  return (
    <div className={`status ${state}`} data-testid="status" data-state={state} role="status" aria-live="polite">
      <span className="dot" />
      <span>{text}</span>
      {/* the word "Engine" stays beside the menu, not in its options, so a phone's narrow menu still
          shows which engine (styles.css hides the word there) */}
      <span className="engine-label" aria-hidden="true">
        Engine
      </span>
      <select
        aria-label="Detection engine"
        title="Auto times WebGPU and WASM on a warm-up image and keeps the faster"
        value={choice}
        onChange={(e) => chooseBackend(e.target.value as BackendChoice)}
      >
        <option value="auto">auto</option>
        <option value="wasm">WASM</option>
        <option value="webgpu">WebGPU</option>
      </select>
      {saveError && (
        <span className="save-error" data-testid="save-error" title={saveError}>
          Not saved
        </span>
      )}
      {model.backend && (
        <span className="backend" data-testid="backend" title={model.note}>
          {BACKEND_NAME[model.backend]}
          {model.threads && model.threads > 1 ? ` · ${model.threads} threads` : ''}
        </span>
      )}
    </div>
  );
}
