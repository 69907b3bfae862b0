// Your own network, trained by the torchlet CLI: a two-layer perceptron.
//
//   npx torchlet summary --model ./custom-model.mjs
//   npx torchlet train   --model ./custom-model.mjs --optimizer adam --lr 0.003 --epochs 5 --out mlp.safetensors
//   npx torchlet eval    --weights mlp.safetensors            # the file records which module built it
//   npx torchlet predict --weights mlp.safetensors 7
//
// The contract (README.md, "Your own network"):
// - an ES module (.mjs, or .js in a "type": "module" package; plain node cannot import .ts) whose
//   default export is a function taking { generator } and returning an nn.Module;
// - the network takes a batch of flattened 28×28 images, shape (N, 784), pixels in [0, 1], and returns
//   (N, 10) logits (start a convnet with new nn.Reshape(-1, 1, 28, 28), as LeNet does);
// - it imports torchlet from the install the CLI runs from, so its classes are the CLI's.
// Pass { generator } to every layer: --seed then fixes the initial weights, and a run can be resumed.
// A Sequential of torchlet's layers trains through a Plan (fast); any other Module trains too, eagerly.

import { nn } from "torchlet";

export default function mlp({ generator }) {
  return new nn.Sequential(
    new nn.Linear(784, 128, { generator }), new nn.ReLU(),
    new nn.Linear(128, 10, { generator }),
  );
}
