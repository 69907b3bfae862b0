"""Shared by make_fixtures.py and torch_roundtrip.py: d2l's LeNet in PyTorch and
a minimal safetensors reader and writer (float32 only).

The machines that run these scripts have PyTorch but not the `safetensors` pip
package, so this writes the format by hand. With that package installed the two
functions are `safetensors.torch.save_file(tensors, path, metadata)` and
`safetensors.torch.load_file(path)`.

Layout: an 8-byte little-endian u64 header length N, N bytes of UTF-8 JSON
(padded with spaces to a multiple of 8), then the raw little-endian float32
row-major bytes of every tensor, back to back in header order, with
`data_offsets` relative to the start of that data section.
"""

import json
import struct

import numpy as np
import torch


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor or array} as F32 tensors, in dict order; metadata is {str: str}."""
    header = {}
    if metadata is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError("metadata must map str to str")
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name, value in tensors.items():
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        array = np.array(value, dtype="<f4", order="C")  # a copy; unlike ascontiguousarray it keeps 0-d shapes
        blob = array.tobytes(order="C")
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    """Reads an F32 safetensors file: ({name: float32 torch.Tensor}, {metadata str: str})."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    data = raw[8 + n :]
    metadata = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: {name} has dtype {info['dtype']}, this reader only knows F32")
        begin, end = info["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype="<f4").reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.astype(np.float32, copy=True))
    return tensors, metadata


class Reshape(torch.nn.Module):
    """d2l's Reshape: a batch of flat or (1, 28, 28) images to (N, 1, 28, 28)."""

    def forward(self, x):
        return x.view(-1, 1, 28, 28)


def _lenet(activation, pool):
    """d2l's LeNet-5 layers with the given activation and pooling classes, PyTorch's default initialisation."""
    nn = torch.nn
    return nn.Sequential(
        Reshape(), nn.Conv2d(1, 6, kernel_size=5, padding=2), activation(),
        pool(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), activation(),
        pool(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), activation(),
        nn.Linear(120, 84), activation(),
        nn.Linear(84, 10))


def d2l_lenet():
    """LeNet-5 exactly as d2l.ai builds it (chapter 6.6), Xavier-uniform weights, default biases.

    state_dict names: 1.weight, 1.bias, 4.*, 8.*, 10.*, 12.* (the same as torchlet's lenet()).
    Seed torch (torch.manual_seed) before calling it for reproducible weights.
    """
    nn = torch.nn
    net = _lenet(nn.Sigmoid, nn.AvgPool2d)

    def init_weights(m):
        if type(m) == nn.Linear or type(m) == nn.Conv2d:
            nn.init.xavier_uniform_(m.weight)

    net.apply(init_weights)
    return net


def modern_lenet():
    """torchlet's lenet-modern: d2l's LeNet with ReLU and max pooling (its "modern" exercise).

    The same layer indices, so the same state_dict names as d2l_lenet and torchlet's lenetModern().
    Weights as PyTorch initialises them: load torchlet's to compare the two.
    """
    return _lenet(torch.nn.ReLU, torch.nn.MaxPool2d)
