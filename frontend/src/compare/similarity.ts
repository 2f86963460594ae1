// Comparing runs on a similarity card, pure: whether a compared run's matrix
// lines up with the card's (same shape, same labels), so that the card's
// ordering and cursor mean the same pairs on it, and a matrix's value at a cell.

/** What decides whether two matrices' cells are the same pairs. */
export interface MatrixFacts {
  rows: number;
  cols: number;
  /** Empty when the step has none. */
  rowLabels: readonly string[];
  colLabels: readonly string[];
}

/** A compared run's matrix against the card's: `reason` says why it does not line up. */
export type MatrixAgreement = { agrees: true } | { agrees: false; reason: string };

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((label, i) => label === b[i]);
}

/**
 * Whether `other` lines up with `own`: the same shape, and the same row and
 * column labels (none on both sides counts as the same: the indices are all
 * there is). `rowsName` and `colsName` name the axes in the reason.
 */
export function matrixAgreement(
  own: MatrixFacts,
  other: MatrixFacts,
  rowsName = "row",
  colsName = "column",
): MatrixAgreement {
  if (own.rows !== other.rows || own.cols !== other.cols) {
    return { agrees: false, reason: `its matrix is ${other.rows} × ${other.cols}, not ${own.rows} × ${own.cols}` };
  }
  const rows = sameLabels(own.rowLabels, other.rowLabels);
  const cols = sameLabels(own.colLabels, other.colLabels);
  if (rows && cols) return { agrees: true };
  const names = [...(rows ? [] : [rowsName]), ...(cols ? [] : [colsName])];
  return { agrees: false, reason: `its ${names.join(" and ")} labels differ` };
}

/** The value at (row, col) of a rows × cols matrix, row-major; null outside it. */
export function matrixCell(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  row: number,
  col: number,
): number | null {
  if (!(row >= 0 && row < rows && col >= 0 && col < cols)) return null;
  const value = values[row * cols + col];
  return value === undefined ? null : value;
}
