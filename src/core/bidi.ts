/**
 * File names inside the app's English (left-to-right) sentences. A name may hold right-to-left letters
 * (Hebrew, Arabic) or the Unicode direction controls; an unterminated RIGHT-TO-LEFT OVERRIDE (U+202E) in a
 * name reversed the rest of its line ("slide‮1.jpg: The file is empty" showed as
 * "slide .(setyb 0) ytpme si elif ehT :gpj.1"). Pure: the notices, the report and the errors use it.
 */

/** Right-to-left letters (Hebrew to NKo, their presentation forms, the astral RTL blocks) and the
 * direction marks, embeddings, overrides and isolates. */
const BIDI = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]|[\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;

/** LEFT-TO-RIGHT ISOLATE … POP DIRECTIONAL ISOLATE: the name is laid out on its own, as a left-to-right file
 * manager shows it, and whatever it opens is closed at its end. */
const LRI = '\u2066';
const PDI = '\u2069';

/** The name, isolated where it holds anything that could turn the text around it; unchanged otherwise (the
 * common case, so text searched or compared elsewhere keeps its plain characters). */
export function isolateName(name: string): string {
  return BIDI.test(name) ? `${LRI}${name}${PDI}` : name;
}
