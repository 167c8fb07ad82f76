import { CLASS_NAMES } from '../core/detection/classes';
import { useApp } from '../services/context';
import { imageCounts, selectCurrent } from '../store/selectors';

/** The compact counts line above the canvas on narrow screens (the full panel sits below). */
export function CountsBar() {
  const current = useApp(selectCurrent);
  const params = useApp((s) => s.postprocess);
  if (current?.status !== 'done') return null;
  const c = imageCounts(current, params);
  return (
    <div className="counts-bar" aria-hidden data-testid="counts-bar">
      <strong title={current.name}>{current.name}</strong>
      {CLASS_NAMES.map((k) => (
        <span key={k}>
          {k === 'Platelets' ? 'PLT' : k} <b>{c[k]}</b>
        </span>
      ))}
    </div>
  );
}
