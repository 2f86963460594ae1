// The Spectro tab until the pane is built: lists every series with its kind
// and steps. Text from logs goes into the DOM as text only.
export async function render() {
  const root = document.createElement("main");
  root.style.font = "14px system-ui, sans-serif";
  root.style.padding = "16px";
  document.body.appendChild(root);
  const heading = document.createElement("h2");
  heading.textContent = "Spectro series";
  root.appendChild(heading);
  let runs;
  try {
    const response = await fetch("./tags");
    if (!response.ok) throw new Error(`GET tags answered ${response.status}`);
    runs = await response.json();
  } catch (error) {
    const message = document.createElement("p");
    message.textContent = `Could not list the series: ${error}`;
    root.appendChild(message);
    return;
  }
  const table = document.createElement("table");
  const header = table.insertRow();
  for (const title of ["run", "tag", "kind", "steps", "first step", "last step"]) {
    const cell = document.createElement("th");
    cell.textContent = title;
    cell.style.textAlign = "left";
    cell.style.paddingRight = "16px";
    header.appendChild(cell);
  }
  for (const [run, tags] of Object.entries(runs)) {
    for (const [tag, series] of Object.entries(tags)) {
      const row = table.insertRow();
      row.className = "spectro-series";
      for (const value of [run, tag, series.kind, series.steps, series.first_step, series.last_step]) {
        row.insertCell().textContent = String(value);
      }
    }
  }
  if (table.rows.length === 1) {
    const empty = document.createElement("p");
    empty.textContent =
      "No Spectro data yet. Write some with: from tb_plugin_spectro import summary as spectro_summary; " +
      "spectro_summary.mel_comparison('mel/val', target, predicted, step, writer=spectro_summary.Writer(logdir))";
    root.appendChild(empty);
  } else {
    root.appendChild(table);
  }
}
