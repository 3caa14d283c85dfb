/** What a person is told when the image cannot revert a transaction (see {@link UndoObstacle}). */
import { SendError } from '../errors.ts';
import type { UndoObstacle } from '../image/index.ts';

/** The `undo-refused` refusal for `obstacle`: why, and what to do instead. */
export function undoObstacleError(obstacle: UndoObstacle): SendError {
  return new SendError('undo-refused', undoObstacleText(obstacle));
}

function undoObstacleText(obstacle: UndoObstacle): string {
  switch (obstacle.kind) {
    case 'nothing':
      return obstacle.who === undefined
        ? 'There is nothing to undo.'
        : 'You have nothing left to undo.';
    case 'unknown':
      return obstacle.forgotten
        ? `There is no transaction ${obstacle.tx} to undo: its history was forgotten, and its undo with it (\`collect N\`, or the history's retention: BATOS_HISTORY_MAX_BYTES, BATOS_HISTORY_KEEP_DAYS).`
        : `There is no transaction ${obstacle.tx} to undo.`;
    case 'system':
      return `Transaction ${obstacle.tx} was made by BAT OS itself (${obstacle.who}) and cannot be undone.`;
    case 'undone':
      return `Transaction ${obstacle.tx} was already undone by transaction ${obstacle.undoneBy}.`;
    case 'collected':
      return `Cannot undo transaction ${obstacle.tx}: object #${obstacle.oid} no longer exists (it was collected).`;
    case 'changed-since':
      return obstacle.bySystem === true
        ? `Cannot undo transaction ${obstacle.tx}: slot "${obstacle.slot}" of #${obstacle.oid} has changed since, by BAT OS itself (transaction ${obstacle.later}), which cannot be undone.`
        : `Cannot undo transaction ${obstacle.tx}: slot "${obstacle.slot}" of #${obstacle.oid} has changed since${obstacle.later === undefined ? '' : ` (transaction ${obstacle.later})`}. Undo that first.`;
    case 'gone-reference':
      return `Cannot undo transaction ${obstacle.tx}: it would put back a reference to #${obstacle.gone} in slot "${obstacle.slot}" of #${obstacle.oid}, and #${obstacle.gone} no longer exists (\`collect\` removed it once nothing referred to it). Nothing was changed; set the slot by hand if you still need it.`;
  }
}
