// Run colours. TensorBoard's iframe API gives plugins run names only, not
// their colours; the pane uses TensorBoard's default palette
// (tensorboard/webapp/util/colors.ts) in the order of the runs listed, which
// is how that palette is dealt to runs grouped by run.

export const RUN_PALETTE = ["#425066", "#12b5cb", "#e52592", "#f9ab00", "#9334e6", "#7cb342", "#e8710a"] as const;

/** The colour of `run` among `runs` (sorted as TensorBoard lists them); a run not listed is coloured by its name. */
export function runColor(run: string, runs: readonly string[]): string {
  let index = runs.indexOf(run);
  if (index < 0) {
    index = 0;
    for (let i = 0; i < run.length; i++) index = (index * 31 + run.charCodeAt(i)) >>> 0;
  }
  return RUN_PALETTE[index % RUN_PALETTE.length]!;
}
