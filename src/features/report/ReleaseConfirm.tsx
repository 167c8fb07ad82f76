import { useEffect, useRef } from 'react';

/**
 * The step between "Verify and print" and a release that would sign for work nobody checked (no image
 * reviewed, uncertain boxes left, a differential short of its target): it says what, and the focus starts
 * on going back, so a second Enter does not release either. Releasing needs "Release anyway".
 */
export function ReleaseConfirm({ gaps, verifier, onRelease, onBack }: { gaps: string[]; verifier: string; onRelease(): void; onBack(): void }) {
  const back = useRef<HTMLButtonElement>(null);
  useEffect(() => back.current?.focus(), []);
  return (
    <div className="report-confirm" role="group" aria-labelledby="report-confirm-title" data-testid="report-confirm">
      <p id="report-confirm-title" role="alert">
        <strong>Not everything is checked.</strong> Release this report, verified by {verifier}, as it is?
      </p>
      <ul data-testid="report-confirm-gaps">
        {gaps.map((g) => (
          <li key={g}>{g}</li>
        ))}
      </ul>
      <div className="report-confirm-buttons">
        <button ref={back} onClick={onBack} data-testid="report-confirm-back">
          Go back
        </button>
        <button onClick={onRelease} data-testid="report-confirm-release" className="danger">
          Release anyway
        </button>
      </div>
    </div>
  );
}
