import { useStore } from 'zustand';
import { useServices } from '../services/context';
import './windowOwner.css';

/** What a window that does not own the batch says (services/windowLock.ts), and its one action: take the batch
 * here. The owner window shows nothing. */
export function WindowOwner() {
  const { windowLock } = useServices();
  const role = useStore(windowLock.state, (s) => s.role);
  if (role === 'owner' || role === 'solo' || role === 'starting') return null;
  const take = (
    <button data-testid="window-take" onClick={() => windowLock.takeOver()} disabled={role === 'claiming' || role === 'handing'} autoFocus>
      Use the batch in this window
    </button>
  );
  return (
    <section className="window-owner" data-testid="window-owner" data-role={role} role="alert" aria-labelledby="window-owner-title">
      {role === 'taken' || role === 'handing' ? (
        <>
          <h2 id="window-owner-title">{role === 'handing' ? 'Saving this window’s work for the other window…' : 'The batch is now open in another window'}</h2>
          <p>This window is read-only: its work up to now is saved, and the other window carries on with it.</p>
          {role === 'taken' && take}
        </>
      ) : (
        <>
          <h2 id="window-owner-title">This batch is open in another window</h2>
          <p>One window of Smearcount works on the batch at a time, so that neither saves over the other’s work.</p>
          {take}
          <p className="muted">
            {role === 'claiming'
              ? 'Asking the other window to save its work and hand the batch over…'
              : 'The other window saves its work and becomes read-only. This window also takes the batch when the other one is closed.'}
          </p>
        </>
      )}
    </section>
  );
}
