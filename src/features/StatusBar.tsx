import { useApp } from '../services/context';
import { selectAppStatus } from '../store/selectors';
import { TapHint } from './TapHint';
import { engineName, engineTip } from './engineWords';


export function StatusBar() {
  const state = useApp(selectAppStatus);
  const model = useApp((s) => s.model);
  const saveError = useApp((s) => s.save.error);
  let text: string;
  if (state === 'error') text = model.error ?? 'Error';
  else if (model.status !== 'ready')
    text = model.total ? `Loading model… ${Math.round((100 * model.loaded) / model.total)}%` : 'Loading model…';
  else text = state === 'busy' ? 'Counting…' : 'Ready';
  const saving = useApp((s) => s.save.pending && !s.save.error && s.model.status === 'ready');
  if (state === 'busy' && saving && text === 'Counting…') text = 'Saving…';
  // What a screen reader is told: the line's state, not each of its steps. The line itself flips between
  // Counting… and Saving… for every image of a batch, and counts the model's download up by the percent; as the
  // live region it was, a batch of 6 images was read out 12 times, each time with the engine's name after it.
  const said = state === 'error' ? text : model.status !== 'ready' ? 'Loading model…' : state === 'busy' ? 'Counting…' : 'Ready';
  return (
    <>
      <p className="sr-only" role="status" data-testid="status-said">
        {said}
        {saveError ? '. Not saved.' : ''}
      </p>
      <div className={`status ${state}`} data-testid="status" data-state={state}>
        <span className="dot" />
        <span>{text}</span>
        {/* why, and what a reload would lose: a finger's tap shows it (a title never showed on a phone) */}
        {saveError && (
          <TapHint className="save-error" testId="save-error" tip={saveError}>
            Not saved
          </TapHint>
        )}
        {model.backend && (
          <span className="backend" data-testid="backend" title={engineTip(model)}>
            {engineName(model)}
          </span>
        )}
      </div>
    </>
  );
}
