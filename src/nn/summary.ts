// summary: push a dummy input through a Sequential and print each layer's
// output shape, as d2l's LeNet lesson does:
//   for layer in net: X = layer(X); print(layer.__class__.__name__, 'output shape: \t', X.shape)

import { checkArity, formatShape } from "../errors.js";
import { noGrad } from "../tensor/tensor.js";
import { zeros } from "../tensor/create.js";
import type { Sequential } from "./layers.js";

/** One row of {@link summary}: a layer, its output shape and its parameter count. */
export interface SummaryRow {
  /** The layer's class name, e.g. `"Conv2d"`. */
  layer: string;
  /** The shape the layer outputs for the given input shape. */
  outputShape: number[];
  /** The layer's parameter count (its own and its children's). */
  parameters: number;
}

/**
 * Runs zeros of `inputShape` through each layer of `net` and prints
 * `Conv2d output shape:\t [1, 6, 28, 28]` per layer; returns the rows.
 * @param print where the lines go (default console.log); pass null to print nothing.
 */
export function summary(net: Sequential, inputShape: readonly number[], print: ((line: string) => void) | null = console.log): SummaryRow[] {
  checkArity("summary", arguments, ["net", "inputShape", "print"]);
  const rows: SummaryRow[] = [];
  noGrad(() => {
    let x = zeros([...inputShape]);
    for (const layer of net.layers) {
      x = layer.forward(x);
      rows.push({ layer: layer.typeName, outputShape: [...x.shape], parameters: layer.parameterCount() });
    }
  });
  for (const row of rows) print?.(formatRow(row));
  return rows;
}

/** `Conv2d output shape:\t [1, 6, 28, 28]`. */
export function formatRow(row: SummaryRow): string {
  return `${row.layer} output shape:\t ${formatShape(row.outputShape).replaceAll(",", ", ")}`;
}
