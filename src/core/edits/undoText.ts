/**
 * What an undo or a redo did, in words, from the audit lines it wrote (core/edits/audit): said on the status
 * line and to a screen reader, where a step that moved a box or changed a type changed nothing else on screen
 * that says so (a count only moves for some), and Ctrl+Z seemed to do nothing.
 */
import type { AuditChange } from './audit';

/** The edit a change makes, in words (an undo's audit line read backwards gives the edit it takes back). */
function part(c: AuditChange): string | null {
  switch (c.field) {
    case 'deleted':
      return c.to === 'yes' ? 'box deleted' : 'box restored';
    case 'kept':
      return c.to === 'counted' ? 'box under the threshold counted' : 'box under the threshold left uncounted';
    case 'class':
      return `class ${c.from} → ${c.to}`;
    case 'box':
      return 'box moved';
    case 'added':
      return c.from === null ? 'box drawn' : 'drawn box deleted';
    case 'type':
      return `type ${c.from ?? 'none'} → ${c.to ?? 'none'}`;
    case 'verified':
      return c.to === 'yes' ? 'verified' : 'verification taken back';
    case 'category':
      return c.to ? `put in ${c.to}` : `taken out of ${c.from}`;
    case 'image':
      // an image removed (Remove image) and put back by Undo
      return c.to === 'removed' ? 'image removed' : 'image put back';
    case 'counted':
      return c.to === 'counted' ? 'image counted anyway' : 'image left out of the totals';
    default:
      return null;
  }
}

/** "Undone on a.jpg: box deleted." (the edit taken back or made again): the first three, then how many more.
 * `changes`: the audit lines the undo or redo wrote. */
export function undoText(dir: 'undo' | 'redo', image: string, changes: readonly AuditChange[]): string {
  const forward = dir === 'undo' ? changes.map((c) => ({ ...c, from: c.to, to: c.from })) : changes;
  const parts = [...new Set(forward.map(part).filter((p): p is string => !!p))];
  const head = dir === 'undo' ? 'Undone' : 'Redone';
  if (!parts.length) return `${head}${image ? ` on ${image}` : ''}.`;
  const shown = parts.slice(0, 3).join(', ');
  const more = parts.length > 3 ? ` and ${parts.length - 3} more` : '';
  return `${head}${image ? ` on ${image}` : ''}: ${shown}${more}.`;
}
