"""Writes the PyTorch → ONNX fixtures that test/onnx/import.test.ts imports with fromOnnx.

Run by hand from the repository root after changing a case (the output is committed):

    /usr/bin/python3 test/onnx/make_fixtures.py [OUT_DIR]

(OUT_DIR defaults to test/onnx/fixtures; import.test.ts also runs this script live into a
temporary directory when PyTorch is installed, to check today's torch still writes what torchlet reads.)

Each case is two files:
  <case>.onnx          written by torch.onnx.export (input "input", output "output", batch dynamic)
  <case>.safetensors   x: a seeded input batch; y: PyTorch's output on it; metadata: torch version, opset
"""
import os
import sys

import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "parity"))
from common import d2l_lenet, write_safetensors  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
nn = torch.nn


def every_layer():
    """Every layer and option torchlet imports: strides and paddings per dimension, both pools with padding
    (AvgPool2d's becomes a Pad node), no-bias Conv2d and Linear, Tanh, ReLU, Sigmoid, Flatten, view."""
    class View(nn.Module):
        def forward(self, x):
            return x.view(-1, 3, 2)

    return nn.Sequential(
        nn.Conv2d(2, 4, kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), bias=False), nn.Tanh(),
        nn.AvgPool2d(3, stride=1, padding=1),
        nn.Conv2d(4, 3, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d((2, 3), stride=(1, 2), padding=(1, 1)),
        nn.Flatten(), nn.Linear(90, 6, bias=False), nn.Sigmoid(),
        View(), nn.Flatten(), nn.Linear(6, 5))


CASES = {
    # name: (model builder, input shape of one example, opset)
    "lenet_opset13": (d2l_lenet, (1, 28, 28), 13),
    "every_layer_opset11": (every_layer, (2, 9, 10), 11),
    "every_layer_opset17": (every_layer, (2, 9, 10), 17),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "fixtures")
    os.makedirs(out, exist_ok=True)
    for i, (name, (build, shape, opset)) in enumerate(CASES.items()):
        torch.manual_seed(100 + i)
        net = build().eval()
        x = torch.randn(5, *shape)
        with torch.no_grad():
            y = net(x)
        torch.onnx.export(
            net, x[:1], os.path.join(out, f"{name}.onnx"), input_names=["input"], output_names=["output"],
            dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=opset)
        write_safetensors(os.path.join(out, f"{name}.safetensors"), {"x": x, "y": y},
                          {"torch": torch.__version__, "opset": str(opset)})
        print(f"{name}: {os.path.getsize(os.path.join(out, name + '.onnx'))} bytes")


if __name__ == "__main__":
    main()
