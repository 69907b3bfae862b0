// d2l's LeNet lesson, as it prints: `for layer in net: X = layer(X); print(layer.__class__.__name__, 'output shape: \t', X.shape)`.
export const D2L_SHAPE_TABLE: readonly string[] = [
  "Reshape output shape:\t [1, 1, 28, 28]",
  "Conv2d output shape:\t [1, 6, 28, 28]",
  "Sigmoid output shape:\t [1, 6, 28, 28]",
  "AvgPool2d output shape:\t [1, 6, 14, 14]",
  "Conv2d output shape:\t [1, 16, 10, 10]",
  "Sigmoid output shape:\t [1, 16, 10, 10]",
  "AvgPool2d output shape:\t [1, 16, 5, 5]",
  "Flatten output shape:\t [1, 400]",
  "Linear output shape:\t [1, 120]",
  "Sigmoid output shape:\t [1, 120]",
  "Linear output shape:\t [1, 84]",
  "Sigmoid output shape:\t [1, 84]",
  "Linear output shape:\t [1, 10]",
];
