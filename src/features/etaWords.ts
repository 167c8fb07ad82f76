/** The batch's time left as the progress line says it: "40 s", "1 min 5 s". Whole seconds, rounded up, are
 * split into minutes and seconds: rounding the seconds after the minutes were taken read "1 min 60 s". */
export function etaWords(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
