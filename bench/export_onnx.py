#!/usr/bin/env python3
"""Exports d2l's LeNet-5 with the weights of a safetensors file to ONNX.

    python3 bench/export_onnx.py weights.safetensors lenet.onnx

bench:compare calls it to give onnxruntime the very network torchlet and tfjs
run (torchlet's state-dict names 1.*, 4.*, 8.*, 10.*, 12.* are PyTorch's for
this Sequential). Needs only PyTorch; the safetensors file is read by hand.
Input "x" (batch, 1, 28, 28), output "logits" (batch, 10), batch dynamic.
"""
import json
import struct
import sys

import torch
from torch import nn


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    base = 8 + length
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor {name} is {info['dtype']}, expected F32")
        begin, end = info["data_offsets"]
        raw = bytearray(data[base + begin : base + end])
        tensors[name] = torch.frombuffer(raw, dtype=torch.float32).reshape(info["shape"])
    return tensors


class Reshape(nn.Module):
    def forward(self, x):
        return x.reshape(-1, 1, 28, 28)


def lenet():
    return nn.Sequential(
        Reshape(), nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: export_onnx.py weights.safetensors out.onnx")
    net = lenet()
    net.load_state_dict(read_safetensors(sys.argv[1]))
    net.eval()
    torch.onnx.export(
        net, torch.zeros(1, 1, 28, 28), sys.argv[2],
        input_names=["x"], output_names=["logits"],
        dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=13)
    print(f"torch {torch.__version__}")


if __name__ == "__main__":
    main()
