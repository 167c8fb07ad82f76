import { useApp } from '../services/context';
import { TapHint } from './TapHint';
import { engineName, engineTip } from './engineWords';

/**
 * The engine the count runs on, in a phone's More menu: the phone's one-line header leaves out the status line's
 * chip, and with it the only place that said the count fell back to the slower engine (its title, which no finger
 * sees either). Here the words say which engine, and a tap (or a mouse's hover) why.
 */
export function EngineInUse() {
  const model = useApp((s) => s.model);
  if (!model.backend) return null;
  return (
    <span className="engine-in-use">
      <TapHint testId="engine-in-use" tip={engineTip(model)}>
        Engine: {engineName(model)}
      </TapHint>
    </span>
  );
}
