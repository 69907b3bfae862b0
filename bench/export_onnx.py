#!/usr/bin/env python3
"""Exports d2l's LeNet-5 with the weights of a safetensors file to ONNX.

    python3 bench/export_onnx.py weights.safetensors lenet.onnx

bench:compare calls it to give onnxruntime the very network torchlet and tfjs
run (torchlet's state-dict names 1.*, 4.*, 8.*, 10.*, 12.* are PyTorch's for
this Sequential). Needs only PyTorch; the safetensors file is read by hand.
Input "x" (batch, 1, 28, 28), output "logits" (batch, 10), batch dynamic.
"""
import os
import sys

import torch

# d2l's LeNet and the safetensors reader, shared with the PyTorch parity tests.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "parity"))
from common import d2l_lenet, read_safetensors  # noqa: E402


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: export_onnx.py weights.safetensors out.onnx")
    net = d2l_lenet()
    net.load_state_dict(read_safetensors(sys.argv[1])[0])
    net.eval()
    torch.onnx.export(
        net, torch.zeros(1, 1, 28, 28), sys.argv[2],
        input_names=["x"], output_names=["logits"],
        dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=13)
    print(f"torch {torch.__version__}")


if __name__ == "__main__":
    main()
