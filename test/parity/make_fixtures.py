"""Writes the PyTorch parity fixtures that test/parity/pytorch.test.ts checks torchlet against.

Run by hand from the repository root after changing a case (the output is committed):

    /usr/bin/python3 test/parity/make_fixtures.py

(/usr/bin/python3 is Debian's Python with python3-torch; a pyenv `python3` has no torch.)

Every case is one file, test/parity/fixtures/<case>.safetensors, holding
  - the inputs, seeded: x, w, b (conv2d, linear), logits + labels (cross-entropy),
  - dy: the upstream gradient fed to backward (a scalar for cross-entropy),
  - y: PyTorch's output, and grad.<input>: PyTorch's gradient of every input,
all float32 and computed in float32 by torch autograd, plus __metadata__:
  op       the torchlet op: conv2d, avgPool2d, maxPool2d, linear, sigmoid, relu, tanh, crossEntropy, lenet
  options  JSON of the op's options, spelled as torchlet spells them
  inputs   JSON list of the tensors passed to the op, in call order ("b" absent when there is no bias)
  torch    the torch version that made the file
lenet.safetensors is one full d2l LeNet forward + backward on 16 real MNIST digits:
images, labels, the ten parameters under their state_dict names, logits, loss, grad.<name>.
"""

import gzip
import json
import os
import struct
import sys
import zlib

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ next to the tests
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import d2l_lenet, write_safetensors  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
EMBEDDED_MNIST = os.path.join(HERE, "..", "..", "data", "mnist-embedded")

torch.set_default_dtype(torch.float32)
torch.use_deterministic_algorithms(True)


def generator(name):
    """A generator seeded from the case name, so adding a case never changes another."""
    return torch.Generator().manual_seed(zlib.crc32(name.encode("utf-8")))


def randn(g, *shape, scale=1.0):
    """Standard normal samples from g, times scale; shape as randn(g, 2, 3) or randn(g, (2, 3))."""
    shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list, torch.Size)) else shape
    return torch.randn(shape, generator=g) * scale


def pair(v):
    return tuple(v) if isinstance(v, list) else v


written = []


def save(name, op, options, inputs, y, grads, dy):
    """inputs: {name: leaf tensor} in call order; grads: {name: gradient}."""
    tensors = dict(inputs)
    tensors["dy"] = dy
    tensors["y"] = y
    for key, grad in grads.items():
        tensors["grad." + key] = grad
    metadata = {
        "op": op,
        "options": json.dumps(options),
        "inputs": json.dumps(list(inputs)),
        "torch": torch.__version__,
    }
    path = os.path.join(FIXTURES, name + ".safetensors")
    write_safetensors(path, {k: v.detach() for k, v in tensors.items()}, metadata)
    written.append((name, os.path.getsize(path)))


def run(name, op, options, inputs, fn, g):
    """Forward fn(*inputs) in float32, backward a dy drawn from g, and save everything."""
    leaves = {k: v.detach().clone().requires_grad_(True) for k, v in inputs.items()}
    y = fn(*leaves.values())
    dy = randn(g, y.shape)
    y.backward(dy)
    save(name, op, options, {k: v.detach() for k, v in leaves.items()}, y.detach(), {k: v.grad for k, v in leaves.items()}, dy)


# ---- conv2d -----------------------------------------------------------------

CONV_CASES = [
    # name, N, C, H, W, K, kH, kW, stride, padding, bias
    ("conv2d_basic", 2, 3, 7, 6, 4, 3, 3, 1, 0, True),
    ("conv2d_pad1", 2, 2, 6, 6, 3, 3, 3, 1, 1, True),
    ("conv2d_stride2_pad1", 1, 3, 9, 8, 2, 3, 3, 2, 1, True),
    ("conv2d_stride_pad_per_dim", 2, 2, 9, 7, 3, 3, 2, [2, 1], [1, 2], False),
    ("conv2d_kernel1", 3, 4, 5, 4, 5, 1, 1, 1, 0, True),
    ("conv2d_kernel1_stride2_pad1", 2, 3, 6, 5, 2, 1, 1, 2, 1, False),
    ("conv2d_nonsquare_kernel", 3, 2, 6, 10, 4, 2, 4, [1, 3], [0, 1], True),
    ("conv2d_stride_gt_kernel", 2, 2, 11, 9, 3, 2, 2, 3, 0, True),
    ("conv2d_lenet1", 2, 1, 12, 12, 6, 5, 5, 1, 2, True),
    ("conv2d_lenet2_nobias", 2, 6, 9, 9, 16, 5, 5, 1, 0, False),
    ("conv2d_kernel_eq_padded_input", 2, 2, 3, 4, 3, 5, 4, 1, [1, 0], True),
]


def conv2d_cases():
    for name, N, C, H, W, K, kH, kW, stride, padding, bias in CONV_CASES:
        g = generator(name)
        inputs = {
            "x": randn(g, N, C, H, W),
            "w": randn(g, K, C, kH, kW, scale=(C * kH * kW) ** -0.5),
        }
        if bias:
            inputs["b"] = randn(g, K)
        s, p = pair(stride), pair(padding)
        run(name, "conv2d", {"stride": stride, "padding": padding}, inputs,
            lambda x, w, b=None: F.conv2d(x, w, b, stride=s, padding=p), g=g)

# ---- avgPool2d / maxPool2d ---------------------------------------------------

POOL_CASES = [
    # name, N, C, H, W, kernel, stride (None: PyTorch's default, the kernel), padding
    ("k2", 2, 3, 8, 6, 2, None, 0),
    ("k3_s2_overlap", 2, 2, 9, 7, 3, 2, 0),
    ("k3_s1_pad1", 1, 3, 6, 5, 3, 1, 1),
    ("per_dim", 2, 2, 7, 8, [3, 2], [2, 1], [1, 1]),
    ("gaps_nonsquare", 2, 2, 10, 7, 2, 3, 0),
    ("k4_s2_pad2", 1, 2, 7, 9, 4, 2, 2),
    ("k2_s1_pad1", 2, 1, 5, 6, 2, 1, 1),
]


def distinct(g, shape, negative=False):
    """Values k/8 for a permutation of integers: distinct and exact in float32, so max has no ties."""
    n = 1
    for d in shape:
        n *= d
    perm = torch.randperm(n, generator=g).float()
    values = -(perm + 1) / 8 if negative else (perm - n // 2) / 8
    return values.reshape(shape)


def pool2d_cases():
    for case, N, C, H, W, kernel, stride, padding in POOL_CASES:
        options = {"kernelSize": kernel, "padding": padding}
        if stride is not None:
            options["stride"] = stride
        k, s, p = pair(kernel), None if stride is None else pair(stride), pair(padding)

        name = "avgPool2d_" + case
        g = generator(name)
        run(name, "avgPool2d", options, {"x": randn(g, N, C, H, W)},
            lambda x: F.avg_pool2d(x, k, stride=s, padding=p, count_include_pad=True), g=g)

        for negative in (False, True) if padding != 0 else (False,):
            # all-negative inputs check that padding is -inf for max pooling, never a winning 0
            name = "maxPool2d_" + case + ("_negative" if negative else "")
            g = generator(name)
            run(name, "maxPool2d", options, {"x": distinct(g, (N, C, H, W), negative)},
                lambda x: F.max_pool2d(x, k, stride=s, padding=p), g=g)

# ---- pooling options (issue 13, branch pool) ------------------------------------
# Every option of avg_pool2d / max_pool2d, unbatched input, return_indices through
# max_unpool2d, adaptive_avg_pool2d, and windows holding NaN (files nan_*: their
# outputs are not finite, so pytorch.test.ts checks them in its own block).

POOL_OPTION_CASES = [
    # name, op, input shape, options (torchlet's spelling)
    ("avgPool2d_ceil", "avgPool2d", (2, 2, 7, 6), {"kernelSize": 3, "stride": 2, "padding": 1, "ceilMode": True}),
    ("avgPool2d_ceil_k2_odd", "avgPool2d", (1, 3, 7, 9), {"kernelSize": 2, "ceilMode": True}),
    ("avgPool2d_exclude_pad", "avgPool2d", (2, 2, 6, 7), {"kernelSize": [3, 2], "stride": [2, 1], "padding": [1, 1], "countIncludePad": False}),
    ("avgPool2d_ceil_exclude_pad", "avgPool2d", (1, 2, 8, 7), {"kernelSize": 4, "stride": 3, "padding": 2, "ceilMode": True, "countIncludePad": False}),
    ("avgPool2d_divisor_override", "avgPool2d", (2, 2, 7, 7), {"kernelSize": 3, "stride": 2, "padding": 1, "ceilMode": True, "divisorOverride": 5}),
    ("avgPool2d_unbatched", "avgPool2d", (3, 6, 5), {"kernelSize": 2, "stride": 1, "padding": 1, "countIncludePad": False}),
    ("maxPool2d_dilation", "maxPool2d", (2, 2, 9, 8), {"kernelSize": 3, "stride": [1, 2], "padding": 1, "dilation": [2, 3]}),
    ("maxPool2d_ceil", "maxPool2d", (1, 3, 7, 6), {"kernelSize": 2, "ceilMode": True}),
    ("maxPool2d_ceil_dilation_negative", "maxPool2d", (2, 1, 10, 9), {"kernelSize": [2, 3], "stride": 2, "padding": 1, "dilation": 2, "ceilMode": True}),
    ("maxPool2d_unbatched", "maxPool2d", (2, 7, 6), {"kernelSize": 3, "stride": 2, "padding": 1}),
    ("maxPoolUnpool2d_k2", "maxPoolUnpool2d", (2, 2, 6, 7), {"kernelSize": 2}),
    ("maxPoolUnpool2d_overlap_unbatched", "maxPoolUnpool2d", (2, 7, 7), {"kernelSize": 3, "stride": 2, "padding": 1}),
    ("adaptiveAvgPool2d_divisible", "adaptiveAvgPool2d", (2, 3, 8, 6), {"outputSize": [4, 3]}),
    ("adaptiveAvgPool2d_nondivisible", "adaptiveAvgPool2d", (2, 2, 7, 5), {"outputSize": [3, 4]}),
    ("adaptiveAvgPool2d_larger_null", "adaptiveAvgPool2d", (3, 4, 5), {"outputSize": [6, None]}),
    ("adaptiveAvgPool2d_global", "adaptiveAvgPool2d", (2, 4, 5, 5), {"outputSize": 1}),
]


def torch_pool_options(options):
    """torch's keyword arguments for torchlet's pooling options."""
    names = {"stride": "stride", "padding": "padding", "dilation": "dilation", "ceilMode": "ceil_mode",
             "countIncludePad": "count_include_pad", "divisorOverride": "divisor_override"}
    return {names[k]: pair(v) for k, v in options.items() if k in names}


def max_pool_unpool(x, kernel, **kw):
    """max_pool2d with return_indices, then max_unpool2d back to x's size: the values at their indices, zeros elsewhere."""
    values, indices = F.max_pool2d(x, kernel, return_indices=True, **kw)
    unpool_kw = {k: v for k, v in kw.items() if k in ("stride", "padding")}
    # torch calls its scatter nondeterministic (repeated indices); here they carry the same maximum, so any order agrees
    torch.use_deterministic_algorithms(False)
    y = F.max_unpool2d(values, indices, kernel, output_size=x.shape[-2:], **unpool_kw)
    torch.use_deterministic_algorithms(True)
    return y, indices


def pool_option_cases():
    for name, op, shape, options in POOL_OPTION_CASES:
        g = generator(name)
        kw = torch_pool_options(options)
        if op == "avgPool2d":
            k = pair(options["kernelSize"])
            run(name, op, options, {"x": randn(g, shape)}, lambda x: F.avg_pool2d(x, k, **kw), g=g)
        elif op == "maxPool2d":
            k = pair(options["kernelSize"])
            run(name, op, options, {"x": distinct(g, shape, name.endswith("_negative"))}, lambda x: F.max_pool2d(x, k, **kw), g=g)
        elif op == "maxPoolUnpool2d":
            # y = maxUnpool2d(maxPool2d(x, returnIndices), outputSize = x's size); the pooling's indices saved too
            k = pair(options["kernelSize"])
            leaf = distinct(g, shape).requires_grad_(True)
            y, indices = max_pool_unpool(leaf, k, **kw)
            dy = randn(g, y.shape)
            y.backward(dy)
            save(name, op, options, {"x": leaf.detach()}, y.detach(), {"x": leaf.grad}, dy)
            append_tensor(name, "indices", indices.float())
        else:
            size = options["outputSize"]
            size = tuple(size) if isinstance(size, list) else size
            run(name, op, options, {"x": randn(g, shape)}, lambda x: F.adaptive_avg_pool2d(x, size), g=g)


NAN = float("nan")
NAN_POOL_CASES = [
    # name, 2-D plane values, options: windows with one NaN, several, NaN beside larger values, all NaN
    ("nan_maxPool2d_windows", [[1, NAN, 3, NAN, 2, 2], [NAN, 5, 9, 1, NAN, NAN], [4, 0, NAN, -1, 7, 8], [2, 3, 1, 6, NAN, 5]], {"kernelSize": 2, "returnIndices": True}),
    ("nan_maxPool2d_overlap", [[1, NAN, 3, 4, NAN], [0, 2, NAN, 8, 1], [5, 1, 2, 3, 4]], {"kernelSize": [2, 3], "stride": 1, "padding": [1, 1], "returnIndices": True}),
]


def nan_pool_cases():
    for name, rows, options in NAN_POOL_CASES:
        g = generator(name)
        x = torch.tensor(rows).reshape(1, 1, len(rows), len(rows[0]))
        leaf = x.clone().requires_grad_(True)
        kw = torch_pool_options(options)
        values, indices = F.max_pool2d(leaf, pair(options["kernelSize"]), return_indices=True, **kw)
        dy = randn(g, values.shape)
        values.backward(dy)
        save(name, "maxPool2d", options, {"x": x}, values.detach(), {"x": leaf.grad}, dy)
        append_tensor(name, "indices", indices.float())


def append_tensor(name, key, value):
    """Rewrites fixture `name` with one more tensor (the metadata kept)."""
    from common import read_safetensors  # noqa: E402
    path = os.path.join(FIXTURES, name + ".safetensors")
    tensors, metadata = read_safetensors(path)
    tensors[key] = value.detach()
    write_safetensors(path, tensors, metadata)
    written[-1] = (name, os.path.getsize(path))

# ---- end of pooling options (branch pool) ----------------------------------------

# ---- linear --------------------------------------------------------------------

LINEAR_CASES = [
    # name, x shape, out features, bias
    ("linear_2d", (5, 7), 3, True),
    ("linear_2d_nobias", (4, 6), 5, False),
    ("linear_3d", (2, 3, 6), 4, True),
    ("linear_4d_nobias", (2, 2, 3, 5), 2, False),
    ("linear_lenet_head", (8, 84), 10, True),
]

def linear_cases():
    for name, shape, O, bias in LINEAR_CASES:
        g = generator(name)
        I = shape[-1]
        inputs = {"x": randn(g, *shape), "w": randn(g, O, I, scale=I ** -0.5)}
        if bias:
            inputs["b"] = randn(g, O)
        run(name, "linear", {}, inputs, lambda x, w, b=None: F.linear(x, w, b), g=g)

# ---- sigmoid / relu / tanh -----------------------------------------------------


def activation_input(g):
    """81 values on [-10, 10] (0 among them), 39 random ones, and huge values of both signs: 8 × 16."""
    grid = torch.linspace(-10, 10, 81)
    huge = torch.tensor([15.0, -15.0, 30.0, -30.0, 88.0, -88.0, 100.0, -100.0, 1e4, -1e4, 1e30, -1e30, 3e38, -3e38, 0.5, -0.5])
    rest = randn(g, 128 - 81 - 16, scale=4.0)
    return torch.cat([grid, huge, rest])[torch.randperm(128, generator=g)].reshape(8, 16)


def activation_cases():
    for op, fn in (("sigmoid", torch.sigmoid), ("relu", torch.relu), ("tanh", torch.tanh)):
        g = generator(op)
        run(op, op, {}, {"x": activation_input(g)}, fn, g=g)

# ---- cross-entropy (mean reduction) -------------------------------------------

CE_CASES = [
    # name, N, J, logit scale, logit offset
    ("crossEntropy_2_classes", 6, 2, 1.0, 0.0),
    ("crossEntropy_3_classes", 4, 3, 2.0, 0.0),
    ("crossEntropy_10_classes", 16, 10, 3.0, 0.0),
    ("crossEntropy_100_classes", 5, 100, 1.0, 0.0),
    ("crossEntropy_1_class", 3, 1, 1.0, 0.0),
    ("crossEntropy_large_logits", 8, 10, 1000.0, 0.0),
    ("crossEntropy_offset_logits", 8, 5, 3.0, 1e4),
]

def cross_entropy_cases():
    for name, N, J, scale, offset in CE_CASES:
        g = generator(name)
        logits = randn(g, N, J, scale=scale) + offset
        labels = torch.randint(0, J, (N,), generator=g)
        leaf = logits.clone().requires_grad_(True)
        loss = F.cross_entropy(leaf, labels, reduction="mean")
        dy = randn(g)  # a scalar upstream gradient, d(outer)/d(loss)
        loss.backward(dy)
        save(name, "crossEntropy", {"reduction": "mean"}, {"logits": logits, "labels": labels.float()},
             loss.detach(), {"logits": leaf.grad}, dy)

# ---- d2l LeNet on 16 real MNIST digits ------------------------------------------


def read_idx(name):
    """An IDX file of unsigned bytes (gzipped) as a uint8 tensor: big-endian magic 0x000008NN, NN dims, the bytes."""
    with gzip.open(os.path.join(EMBEDDED_MNIST, name), "rb") as f:
        data = f.read()
    assert data[:3] == b"\x00\x00\x08", name
    rank = data[3]
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return torch.frombuffer(bytearray(data[4 + 4 * rank:]), dtype=torch.uint8).reshape(dims)


def mnist_test_digits(count):
    """The first `count` examples of torchlet's embedded-MNIST test split (loadDataset("mnist").test).

    data/mnist-embedded/t10k-*.gz hold MNIST's bytes; torchlet's pixels are byte / 255, rounded once to float32.
    """
    images = (read_idx("t10k-images-idx3-ubyte.gz")[:count].double() / 255).float()
    labels = read_idx("t10k-labels-idx1-ubyte.gz")[:count].long()
    return images.reshape(count, 1, 28, 28), labels


def lenet_case():
    torch.manual_seed(0)
    net = d2l_lenet()
    images, labels = mnist_test_digits(16)
    logits = net(images)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    tensors = {"images": images, "labels": labels.float()}
    tensors.update({k: v.detach() for k, v in net.state_dict().items()})
    tensors["logits"] = logits.detach()
    tensors["loss"] = loss.detach()
    tensors.update({"grad." + k: p.grad for k, p in net.named_parameters()})
    metadata = {
        "op": "lenet",
        "options": json.dumps({"seed": 0, "batch": 16, "images": "loadDataset('mnist').test examples 0..15"}),
        "inputs": json.dumps(["images", "labels"]),
        "parameters": json.dumps([k for k, _ in net.named_parameters()]),
        "torch": torch.__version__,
    }
    path = os.path.join(FIXTURES, "lenet.safetensors")
    write_safetensors(path, tensors, metadata)
    written.append(("lenet", os.path.getsize(path)))



def main():
    os.makedirs(FIXTURES, exist_ok=True)
    for old in os.listdir(FIXTURES):  # so a renamed or removed case leaves no stale file
        if old.endswith(".safetensors"):
            os.remove(os.path.join(FIXTURES, old))
    conv2d_cases()
    pool2d_cases()
    pool_option_cases()  # branch pool
    nan_pool_cases()  # branch pool
    linear_cases()
    activation_cases()
    cross_entropy_cases()
    lenet_case()
    total = sum(size for _, size in written)
    for name, size in written:
        print(f"{size:9d}  {name}.safetensors")
    print(f"{total:9d}  bytes in total, {len(written)} files in {os.path.relpath(FIXTURES)}")


if __name__ == "__main__":
    main()
