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

# ---- conv2d options (issue 13): dilation, groups, "same"/"valid", unbatched, paddingMode ----

CONV_OPTION_CASES = [
    # name, x shape, K, kH, kW, options (torchlet's spelling), bias
    ("conv2d_dilation2", (1, 3, 9, 8), 4, 3, 3, {"padding": 1, "dilation": 2}, True),
    ("conv2d_dilation_stride_per_dim", (1, 2, 10, 11), 3, 3, 2, {"stride": [1, 2], "padding": [2, 0], "dilation": [2, 3]}, False),
    ("conv2d_groups2", (1, 4, 7, 6), 6, 3, 3, {"padding": 1, "groups": 2}, True),
    ("conv2d_groups3_dilation_stride", (1, 6, 9, 9), 3, 3, 3, {"stride": 2, "dilation": 2, "groups": 3}, True),
    ("conv2d_depthwise", (1, 3, 8, 7), 3, 3, 3, {"padding": 1, "groups": 3}, True),
    ("conv2d_depthwise_multiplier2", (1, 3, 6, 6), 6, 2, 3, {"groups": 3}, False),
    ("conv2d_same_odd_kernel", (1, 2, 7, 6), 3, 3, 5, {"padding": "same"}, True),
    ("conv2d_same_even_kernel", (1, 2, 6, 7), 3, 4, 2, {"padding": "same"}, True),
    ("conv2d_same_dilated_groups", (1, 4, 7, 8), 4, 2, 3, {"padding": "same", "dilation": [3, 2], "groups": 2}, False),
    ("conv2d_valid", (1, 3, 6, 7), 2, 3, 2, {"padding": "valid", "stride": [2, 1]}, True),
    ("conv2d_unbatched", (3, 7, 6), 4, 3, 3, {"padding": 1, "stride": 2}, True),
    ("conv2d_unbatched_same_groups", (4, 5, 6), 2, 2, 2, {"padding": "same", "groups": 2}, True),
    ("conv2d_mode_reflect", (1, 2, 6, 7), 3, 3, 3, {"padding": [1, 2], "paddingMode": "reflect"}, True),
    ("conv2d_mode_replicate", (2, 2, 5, 6), 3, 3, 3, {"padding": 2, "stride": 2, "paddingMode": "replicate"}, True),
    ("conv2d_mode_circular", (1, 2, 5, 6), 4, 3, 2, {"padding": [2, 1], "groups": 2, "paddingMode": "circular"}, False),
    ("conv2d_mode_reflect_same_even", (1, 3, 6, 6), 2, 4, 4, {"padding": "same", "dilation": [1, 2], "paddingMode": "reflect"}, True),
    ("conv2d_mode_replicate_unbatched", (2, 5, 5), 3, 3, 3, {"padding": 1, "paddingMode": "replicate"}, True),
]


def conv2d_option_cases():
    """Functional F.conv2d, or (with paddingMode) nn.Conv2d's own forward: F.pad in that mode, then the conv."""
    for name, shape, K, kH, kW, options, bias in CONV_OPTION_CASES:
        g = generator(name)
        C = shape[-3]
        groups = options.get("groups", 1)
        inputs = {"x": randn(g, shape), "w": randn(g, K, C // groups, kH, kW, scale=(C // groups * kH * kW) ** -0.5)}
        if bias:
            inputs["b"] = randn(g, K)
        kwargs = {"stride": pair(options.get("stride", 1)), "padding": pair(options.get("padding", 0)),
                  "dilation": pair(options.get("dilation", 1)), "groups": groups}
        if "paddingMode" in options:
            layer = torch.nn.Conv2d(C, K, (kH, kW), bias=bias, padding_mode=options["paddingMode"], **kwargs)
            fn = lambda x, w, b=None, layer=layer: layer._conv_forward(x, w, b)  # noqa: E731 (Conv2d.forward with these weights)
        else:
            fn = lambda x, w, b=None, kwargs=kwargs: F.conv2d(x, w, b, **kwargs)  # noqa: E731
        run(name, "conv2d", options, inputs, fn, g=g)

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

# ---- reduce helper: softmax/logSoftmax over a dim, sum/mean/max/argmax, NaN rules, every cross-entropy option, NLLLoss ----
# Files named reduce_<case>.safetensors. Those named reduce_own_* are checked by their own block in pytorch.test.ts
# (argmax has no gradient; NaN cases compare NaN positions), the rest by the shared loop. A class-weight tensor is
# saved as "weight" (options {"weight": true}) and is not an input: PyTorch has no gradient for it.


def reduce_save(name, op, options, inputs, extras, y, grads, dy):
    """save() plus tensors that are not inputs (weight, indices), written after the rest."""
    save(name, op, options, inputs, y, grads, dy)
    path = os.path.join(FIXTURES, name + ".safetensors")
    from common import read_safetensors  # noqa: E402
    tensors, metadata = read_safetensors(path)
    tensors.update({k: v.detach().float() for k, v in extras.items()})
    write_safetensors(path, tensors, metadata)
    written[-1] = (name, os.path.getsize(path))


def reduce_run(name, op, options, inputs, fn, extras=None, no_grad=()):
    """run() for the reduce cases: fn returns y, or (y, extras); inputs named in no_grad are not leaves."""
    g = generator(name)
    leaves = {k: v.detach().clone().requires_grad_(k not in no_grad) for k, v in inputs.items()}
    out = fn(*leaves.values())
    y, more = out if isinstance(out, tuple) else (out, {})
    more.update(extras or {})
    dy = randn(g, y.shape)
    if y.requires_grad:
        y.backward(dy)
    grads = {k: v.grad for k, v in leaves.items() if k not in no_grad and v.grad is not None}
    reduce_save(name, op, options, {k: v.detach() for k, v in leaves.items()}, more, y.detach(), grads, dy)


def with_ties(g, shape):
    """Values k/4 for small integers k: exact in float32 and often tied."""
    return torch.randint(-3, 4, shape, generator=g).float() / 4


def reduce_softmax_cases():
    for op, fn in (("softmax", torch.softmax), ("logSoftmax", torch.log_softmax)):
        for dim in (0, 1, -1, 2):
            name = f"reduce_{op}_dim{dim}".replace("-", "m")
            reduce_run(name, op, {"dim": dim}, {"x": randn(generator(name), 2, 3, 4, scale=2.0)}, lambda x, d=dim, f=fn: f(x, d))


REDUCE_SUM_CASES = [
    # name, op, dim (None: all), keepdim
    ("sum_all", "sum", None, False),
    ("sum_dim1", "sum", 1, False),
    ("sum_dims0_2_keepdim", "sum", [0, 2], True),
    ("sum_dimm1_keepdim", "sum", -1, True),
    ("mean_dim0", "mean", 0, False),
    ("mean_dims1_m1", "mean", [1, -1], False),
    ("mean_dim2_keepdim", "mean", 2, True),
]


def reduce_sum_cases():
    for case, op, dim, keepdim in REDUCE_SUM_CASES:
        name = "reduce_" + case
        fn = torch.sum if op == "sum" else torch.mean
        options = {} if dim is None else {"dim": dim, "keepdim": keepdim}
        call = (lambda x, f=fn: f(x)) if dim is None else (lambda x, f=fn, d=dim, k=keepdim: f(x, d, keepdim=k))
        reduce_run(name, op, options, {"x": randn(generator(name), 2, 3, 4)}, call)


def reduce_max_cases():
    for case, dim, keepdim in (("max_dim1_ties", 1, False), ("max_dim0_keepdim_ties", 0, True), ("max_dimm1", -1, False)):
        name = "reduce_" + case
        x = with_ties(generator(name), (2, 3, 4)) if "ties" in case else randn(generator(name), 2, 3, 4)
        reduce_run(name, "max", {"dim": dim, "keepdim": keepdim}, {"x": x},
                   lambda x, d=dim, k=keepdim: (lambda r: (r.values, {"indices": r.indices.float()}))(torch.max(x, d, keepdim=k)))
    name = "reduce_max_all_ties"  # the gradient is shared by the tied maxima
    x = torch.tensor([[0.5, 2.0, -1.0], [2.0, 0.0, 2.0]])
    reduce_run(name, "max", {}, {"x": x}, lambda x: torch.max(x))


def reduce_own_cases():
    """argmax (no gradient) and NaN cases: checked by their own block in pytorch.test.ts."""
    nan = float("nan")
    rows = torch.tensor([[0.5, nan, 0.9, nan], [nan, 1.0, 3.0, 3.0], [1.0, 3.0, 3.0, -2.0]])
    for case, dim, keepdim in (("dim1", 1, False), ("dim0_keepdim", 0, True), ("flat", None, False)):
        name = "reduce_own_argmax_" + case
        options = {} if dim is None else {"dim": dim, "keepdim": keepdim}
        y = torch.argmax(rows) if dim is None else torch.argmax(rows, dim, keepdim=keepdim)
        reduce_save(name, "argmax", options, {"x": rows}, {}, y.float(), {}, torch.zeros(()))
    reduce_run("reduce_own_relu_nan", "relu", {}, {"x": torch.tensor([[nan, -1.0, 0.0], [2.0, nan, -nan]])}, torch.relu)
    reduce_run("reduce_own_max_dim1_nan", "max", {"dim": 1, "keepdim": False}, {"x": rows},
               lambda x: (lambda r: (r.values, {"indices": r.indices.float()}))(torch.max(x, 1)))
    reduce_run("reduce_own_max_all_nan", "max", {}, {"x": rows}, lambda x: torch.max(x))
    reduce_run("reduce_own_softmax_nan", "softmax", {"dim": 1}, {"x": rows}, lambda x: torch.softmax(x, 1))


REDUCE_CE_CASES = [
    # name, logits shape, options (torchlet spelling), target: "labels" | "probs", labels set to ignoreIndex
    ("ce_sum", (5, 4), {"reduction": "sum"}, "labels", 0),
    ("ce_none", (5, 4), {"reduction": "none"}, "labels", 0),
    ("ce_ignore_default", (6, 4), {}, "labels", 2),
    ("ce_ignore_custom", (6, 4), {"ignoreIndex": 2}, "labels", 2),
    ("ce_smoothing", (5, 4), {"labelSmoothing": 0.1}, "labels", 0),
    ("ce_smoothing_none", (5, 4), {"labelSmoothing": 0.2, "reduction": "none"}, "labels", 0),
    ("ce_smoothing_ignore", (6, 4), {"labelSmoothing": 0.15, "ignoreIndex": 1}, "labels", 2),
    ("ce_weight", (5, 4), {"weight": True}, "labels", 0),
    ("ce_weight_sum", (5, 4), {"weight": True, "reduction": "sum"}, "labels", 0),
    ("ce_weight_smoothing_ignore", (6, 4), {"weight": True, "labelSmoothing": 0.1, "ignoreIndex": 1}, "labels", 2),
    ("ce_weight_smoothing_ignore_none", (6, 4), {"weight": True, "labelSmoothing": 0.3, "ignoreIndex": 0, "reduction": "none"}, "labels", 2),
    ("ce_probs", (5, 4), {}, "probs", 0),
    ("ce_probs_weight_smoothing_sum", (5, 4), {"weight": True, "labelSmoothing": 0.2, "reduction": "sum"}, "probs", 0),
    ("ce_probs_none", (5, 4), {"reduction": "none"}, "probs", 0),
    ("ce_kdim", (2, 4, 3, 2), {}, "labels", 0),
    ("ce_kdim_weight_ignore_none", (2, 4, 3), {"weight": True, "ignoreIndex": 3, "reduction": "none"}, "labels", 2),
    ("ce_kdim_smoothing", (2, 4, 3), {"labelSmoothing": 0.1}, "labels", 1),
    ("ce_kdim_probs_weight", (2, 4, 3), {"weight": True}, "probs", 0),
    ("ce_unbatched", (5,), {}, "labels", 0),
    ("ce_unbatched_weight_smoothing", (5,), {"weight": True, "labelSmoothing": 0.1}, "labels", 0),
    ("ce_unbatched_probs", (5,), {"labelSmoothing": 0.05}, "probs", 0),
    ("nll_mean", (5, 4), {}, "labels", 0),
    ("nll_weight_ignore_sum", (6, 4), {"weight": True, "ignoreIndex": 1, "reduction": "sum"}, "labels", 2),
    ("nll_kdim_weight_none", (2, 4, 3), {"weight": True, "reduction": "none"}, "labels", 0),
    ("nll_unbatched_weight", (4,), {"weight": True}, "labels", 0),
]


def reduce_cross_entropy_cases():
    for case, shape, options, kind, ignored in REDUCE_CE_CASES:
        name = "reduce_" + case
        g = generator(name)
        C = shape[0] if len(shape) == 1 else shape[1]
        sample_shape = () if len(shape) == 1 else (shape[0],) + tuple(shape[2:])
        logits = randn(g, shape, scale=2.0)
        ignore = options.get("ignoreIndex", -100)
        labels = torch.randint(0, C, sample_shape, generator=g)
        flat = labels.reshape(-1)
        for k in range(ignored):  # the first `ignored` samples take ignoreIndex (and ignoreIndex also appears as a class elsewhere)
            flat[k] = ignore
        weight = torch.rand(C, generator=g) + 0.25
        torch_options = {"reduction": options.get("reduction", "mean"), "ignore_index": ignore}
        if "weight" in options:
            torch_options["weight"] = weight
        extras = {"weight": weight} if "weight" in options else {}
        if case.startswith("nll"):
            reduce_run(name, "nllLoss", options, {"x": logits}, lambda x: F.nll_loss(x, labels, **torch_options),
                       extras=dict(extras, labels=labels.float()))
            continue
        torch_options["label_smoothing"] = options.get("labelSmoothing", 0.0)
        if kind == "probs":
            del torch_options["ignore_index"]
            target = torch.softmax(randn(g, shape), 0 if len(shape) == 1 else 1)
            reduce_run(name, "crossEntropy", options, {"logits": logits, "target": target},
                       lambda x, t: F.cross_entropy(x, t, **torch_options), extras=extras)
        else:
            reduce_run(name, "crossEntropy", options, {"logits": logits}, lambda x: F.cross_entropy(x, labels, **torch_options),
                       extras=dict(extras, labels=labels.float()))


def reduce_cases():
    reduce_softmax_cases()
    reduce_sum_cases()
    reduce_max_cases()
    reduce_own_cases()
    reduce_cross_entropy_cases()

# ---- end of the reduce helper's section ----
# ---- shape and indexing (issue 14, branch shape) -------------------------------------
# Options are spelled as torchlet's free functions take them; an index travels in the
# options (it is not a float tensor and has no gradient). Inputs: "x", or "a", "b", "c"
# for cat and stack, in call order.

SHAPE_CASES = [
    # name, op, options, {input: shape}, PyTorch's computation
    ("reshape_infer", "reshape", {"shape": [4, -1]}, {"x": (2, 3, 4)}, lambda x: x.reshape(4, -1)),
    ("view_flat", "view", {"shape": [24]}, {"x": (2, 3, 4)}, lambda x: x.view(24)),
    ("flatten_middle", "flatten", {"startDim": 1, "endDim": 2}, {"x": (2, 3, 4, 2)}, lambda x: torch.flatten(x, 1, 2)),
    ("unsqueeze_negative", "unsqueeze", {"dim": -2}, {"x": (3, 4)}, lambda x: torch.unsqueeze(x, -2)),
    ("squeeze_all", "squeeze", {}, {"x": (1, 3, 1, 4)}, lambda x: torch.squeeze(x)),
    ("squeeze_dim", "squeeze", {"dim": 2}, {"x": (1, 3, 1, 4)}, lambda x: torch.squeeze(x, 2)),
    ("transpose_outer", "transpose", {"dim0": 0, "dim1": 2}, {"x": (2, 3, 4)}, lambda x: torch.transpose(x, 0, 2)),
    ("transpose_matrix", "transpose", {"dim0": -1, "dim1": -2}, {"x": (5, 3)}, lambda x: torch.transpose(x, -1, -2)),
    ("T_matrix", "T", {}, {"x": (4, 6)}, lambda x: x.T),
    ("permute_4d", "permute", {"dims": [2, 0, 3, 1]}, {"x": (2, 3, 4, 5)}, lambda x: x.permute(2, 0, 3, 1)),
    ("permute_nchw_to_nhwc", "permute", {"dims": [0, 2, 3, 1]}, {"x": (2, 3, 4, 4)}, lambda x: x.permute(0, 2, 3, 1)),
    ("cat_dim0", "cat", {"dim": 0}, {"a": (2, 3), "b": (4, 3), "c": (1, 3)}, lambda a, b, c: torch.cat([a, b, c], 0)),
    ("cat_dim_last", "cat", {"dim": -1}, {"a": (2, 3, 1), "b": (2, 3, 4)}, lambda a, b: torch.cat([a, b], -1)),
    ("stack_dim0", "stack", {"dim": 0}, {"a": (3, 4), "b": (3, 4)}, lambda a, b: torch.stack([a, b], 0)),
    ("stack_dim_last", "stack", {"dim": 2}, {"a": (3, 4), "b": (3, 4), "c": (3, 4)}, lambda a, b, c: torch.stack([a, b, c], 2)),
    ("narrow_negative_start", "narrow", {"dim": 1, "start": -3, "length": 2}, {"x": (3, 5, 2)}, lambda x: torch.narrow(x, 1, -3, 2)),
    ("slice_step", "slice", {"dim": 1, "start": -4, "end": None, "step": 2}, {"x": (3, 7)}, lambda x: x[:, -4::2]),
    ("slice_clamped", "slice", {"dim": 0, "start": 1, "end": 100, "step": 3}, {"x": (8, 2, 3)}, lambda x: x[1:100:3]),
    ("indexSelect_repeats", "indexSelect", {"dim": 1, "index": [4, 0, 4, 2, 4]}, {"x": (3, 5)}, lambda x: torch.index_select(x, 1, torch.tensor([4, 0, 4, 2, 4]))),
    ("indexSelect_rows", "indexSelect", {"dim": 0, "index": [2, 2, 0]}, {"x": (3, 2, 4)}, lambda x: torch.index_select(x, 0, torch.tensor([2, 2, 0]))),
    ("gather_dim1", "gather", {"dim": 1, "index": [[0, 0, 3], [2, 1, 2]]}, {"x": (2, 4)}, lambda x: torch.gather(x, 1, torch.tensor([[0, 0, 3], [2, 1, 2]]))),
    ("gather_dim0_smaller", "gather", {"dim": 0, "index": [[[1, 0], [0, 0]], [[1, 1], [0, 1]], [[0, 1], [1, 1]]]}, {"x": (2, 3, 4)},
     lambda x: torch.gather(x, 0, torch.tensor([[[1, 0], [0, 0]], [[1, 1], [0, 1]], [[0, 1], [1, 1]]]))),
]


def shape_cases():
    for name, op, options, shapes, fn in SHAPE_CASES:
        g = generator(name)
        run(name, op, options, {k: randn(g, shape) for k, shape in shapes.items()}, fn, g=g)

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


# ---- broadcasting and elementwise math (issue 14, branch math) -------------------
# One file per case, named math_<op>_<case>. Inputs are the op's tensor arguments;
# a number argument is in the options under its name ({"other": 2.5} for
# torch.div(x, 2.5), {"input": 1.0} for torch.sub(1, x)); clamp's bounds are
# options too. A comparison has no gradient, so its case runs
# where(<cmp>(input, other), input, other): which operand receives dy shows the
# comparison's 0/1 result element by element, NaN and ties included.

NAN, INF = float("nan"), float("inf")
MATH_SPECIAL = [NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.5, 1e-30, 88.0, -88.0, 3.0]


def math_special(g, shape):
    """Random normals with the special values scattered in (a permutation keeps every one of them)."""
    values = randn(g, shape).flatten()
    n = values.numel()
    specials = torch.tensor(MATH_SPECIAL[:n])
    where = torch.randperm(n, generator=g)[:specials.numel()]
    values[where] = specials
    return values.reshape(shape)


def math_values(g, shape, kind):
    """normal draws; "special" ones with MATH_SPECIAL scattered in; "positive" ones (|x| + 0.25); "halves" rounded to 0.5 (many ties)."""
    if kind == "special":
        return math_special(g, shape)
    x = randn(g, shape)
    return {"normal": x, "positive": x.abs() + 0.25, "halves": (x * 2).round() / 2}[kind]


def math_case(op, case, fn, shapes, options=None, kind="normal"):
    """Like run(), for fn(*tensors, **options); a condition (compared with 0 inside fn) gets no gradient, so none is saved."""
    name = "math_%s_%s" % (op, case)
    g = generator(name)
    options = options or {}
    inputs = {key: math_values(g, shape, kind) for key, shape in shapes.items()}
    leaves = {k: v.detach().clone().requires_grad_(k != "condition") for k, v in inputs.items()}
    y = fn(*leaves.values(), **options)
    dy = randn(g, y.shape)
    y.backward(dy)
    grads = {k: v.grad for k, v in leaves.items() if k != "condition"}
    save(name, op, options, inputs, y.detach(), grads, dy)


def cmp_via_where(cmp):
    return lambda a, b: torch.where(cmp(a, b), a, b)


def math_cases():
    M = math_case
    binary = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
    for op, fn in binary.items():
        M(op, "row", lambda a, b: fn(a, b), {"input": (3, 4), "other": (4,)})
        M(op, "column_row", lambda a, b: fn(a, b), {"input": (3, 1), "other": (1, 4)})
        M(op, "rank_expanding", lambda a, b: fn(a, b), {"input": (2, 1, 3), "other": (4, 1)})
        M(op, "scalar_tensor", lambda a, b: fn(a, b), {"input": (), "other": (2, 3)})
        M(op, "special", lambda a, b: fn(a, b), {"input": (2, 7), "other": (2, 7)}, kind="special")
        M(op, "number_other", lambda a, other: fn(a, other), {"input": (2, 3)}, {"other": 2.5})
        M(op, "number_input", lambda b, input: fn(input, b), {"other": (2, 7)}, {"input": 1.0}, kind="special")
    for op, fn in {"exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "abs": torch.abs, "neg": torch.neg}.items():
        M(op, "special", fn, {"input": (2, 7)}, kind="special")
        M(op, "random", fn, {"input": (3, 5)}, kind="positive" if op in ("log", "sqrt") else "normal")
    for e in (2.0, 3.0, 0.5, -0.5, -1.0, -1.5, 0.0):
        M("pow", "special_exponent_%s" % str(e).replace("-", "minus").replace(".", "_"), lambda a, exponent: torch.pow(a, exponent), {"input": (2, 7)}, {"exponent": e}, kind="special")
    M("pow", "number_base", lambda b, input: torch.pow(input, b), {"exponent": (2, 7)}, {"input": 2.0}, kind="special")
    M("pow", "number_base_zero", lambda b, input: torch.pow(input, b), {"exponent": (2, 7)}, {"input": 0.0}, kind="special")
    M("pow", "broadcast", torch.pow, {"input": (3, 4), "exponent": (4,)}, kind="positive")
    M("pow", "special_both", torch.pow, {"input": (2, 7), "exponent": (2, 7)}, kind="special")
    for case, bounds in {"both": {"min": -0.5, "max": 0.75}, "min": {"min": 0.0}, "max": {"max": 1.0}, "min_above_max": {"min": 1.0, "max": -1.0}}.items():
        M("clamp", case, lambda x, **b: torch.clamp(x, b.get("min"), b.get("max")), {"input": (2, 7)}, bounds, kind="special")
    for op, fn in {"maximum": torch.maximum, "minimum": torch.minimum}.items():
        M(op, "special", fn, {"input": (2, 7), "other": (2, 7)}, kind="special")
        M(op, "broadcast", fn, {"input": (3, 4), "other": (3, 1)})
        M(op, "ties", fn, {"input": (3, 4), "other": (4,)}, kind="halves")
    M("where", "broadcast", lambda c, a, b: torch.where(c > 0, a, b), {"condition": (3, 1), "input": (3, 4), "other": (4,)})
    M("where", "special", lambda c, a, b: torch.where(c > 0, a, b), {"condition": (2, 7), "input": (2, 7), "other": (2, 7)}, kind="special")
    M("where", "number_other", lambda c, a, other: torch.where(c > 0, a, other), {"condition": (2, 3), "input": (2, 3)}, {"other": -2.0})
    for op in ("eq", "ne", "lt", "le", "gt", "ge"):
        cmp = getattr(torch, op)
        M(op, "special", cmp_via_where(cmp), {"input": (2, 7), "other": (2, 7)}, kind="special")
        M(op, "broadcast_ties", cmp_via_where(cmp), {"input": (3, 4), "other": (4,)}, kind="halves")

# ---- end of broadcasting and elementwise math ------------------------------------


# ==== nnkit (issue 14): losses, BatchNorm, a PyTorch-written state dict ==========
# Losses: one file per loss and reduction (op mseLoss, l1Loss, binaryCrossEntropyWithLogits), inputs
# x and target, both with gradients; BCE also with constant weight/posWeight (stored as extra tensors,
# named in metadata "constants"). BatchNorm: op "batchNormSteps", a BatchNorm1d/2d layer (random γ, β)
# trained 3 steps (x{k}, dy{k} in; y{k}, grad.x{k}, grad.weight{k}, grad.bias{k}, running_mean{k},
# running_var{k} out), then eval (x_eval, y_eval). bn_state_dict.safetensors: a real PyTorch state_dict of
# Sequential(Linear, BatchNorm1d) after 3 steps, num_batches_tracked kept as I64.

NNKIT_LOSS_CASES = [
    # name, op, torch function, shape, extra options
    ("mseLoss", "mseLoss", F.mse_loss, (3, 4), {}),
    ("l1Loss", "l1Loss", F.l1_loss, (3, 4), {}),
    ("bceWithLogits", "binaryCrossEntropyWithLogits", F.binary_cross_entropy_with_logits, (4, 3), {}),
    ("bceWithLogits_weights", "binaryCrossEntropyWithLogits", F.binary_cross_entropy_with_logits, (4, 3), {"weight": (4, 1), "pos_weight": (3,)}),
]


def nnkit_loss_cases():
    for base, op, fn, shape, extra in NNKIT_LOSS_CASES:
        for reduction in ("mean", "sum", "none"):
            name = f"nnkit_{base}_{reduction}"
            g = generator(name)
            x = randn(g, shape, scale=2.0)
            if op == "l1Loss":  # keep |x - t| away from the kink at 0
                t = x + torch.sign(randn(g, shape)) * (0.1 + torch.rand(shape, generator=g))
            elif op == "mseLoss":
                t = randn(g, shape)
            else:
                t = torch.rand(shape, generator=g)
            constants = {key: torch.rand(size, generator=g) + 0.5 for key, size in extra.items()}
            leaves = {"x": x.clone().requires_grad_(True), "target": t.clone().requires_grad_(True)}
            y = fn(leaves["x"], leaves["target"], reduction=reduction, **constants)
            dy = randn(g, y.shape)
            y.backward(dy)
            tensors = {"x": x, "target": t, **{"const." + k: v for k, v in constants.items()}, "dy": dy, "y": y.detach(),
                       "grad.x": leaves["x"].grad, "grad.target": leaves["target"].grad}
            options = {"reduction": reduction}
            metadata = {"op": op, "options": json.dumps(options), "inputs": json.dumps(["x", "target"]),
                        "constants": json.dumps({"weight": "const.weight", "posWeight": "const.pos_weight"} if extra else {}),
                        "torch": torch.__version__}
            path = os.path.join(FIXTURES, name + ".safetensors")
            write_safetensors(path, tensors, metadata)
            written.append((name, os.path.getsize(path)))


NNKIT_BN_CASES = [
    # name, layer, input shape, momentum
    ("nnkit_batchNorm1d_NC", "BatchNorm1d", (6, 3), 0.1),
    ("nnkit_batchNorm1d_NCL", "BatchNorm1d", (3, 2, 5), 0.3),
    ("nnkit_batchNorm2d", "BatchNorm2d", (2, 3, 4, 3), 0.1),
    ("nnkit_batchNorm2d_cumulative", "BatchNorm2d", (2, 2, 3, 3), None),
]


def nnkit_batchnorm_cases():
    for name, layer_name, shape, momentum in NNKIT_BN_CASES:
        g = generator(name)
        C = shape[1]
        layer = getattr(torch.nn, layer_name)(C, momentum=momentum)
        with torch.no_grad():
            layer.weight.copy_(torch.rand(C, generator=g) + 0.5)
            layer.bias.copy_(randn(g, C))
        tensors = {"weight": layer.weight.detach().clone(), "bias": layer.bias.detach().clone()}
        for k in range(3):
            x = (randn(g, shape, scale=2.0) + 1.0).requires_grad_(True)
            layer.zero_grad()
            y = layer(x)
            dy = randn(g, y.shape)
            y.backward(dy)
            tensors.update({f"x{k}": x.detach(), f"dy{k}": dy, f"y{k}": y.detach(), f"grad.x{k}": x.grad,
                            f"grad.weight{k}": layer.weight.grad.clone(), f"grad.bias{k}": layer.bias.grad.clone(),
                            f"running_mean{k}": layer.running_mean.clone(), f"running_var{k}": layer.running_var.clone()})
        layer.eval()
        x_eval = randn(g, shape)
        tensors.update({"x_eval": x_eval, "y_eval": layer(x_eval).detach()})
        options = {"layer": layer_name, "momentum": momentum, "steps": 3}
        metadata = {"op": "batchNormSteps", "options": json.dumps(options), "inputs": json.dumps([]), "torch": torch.__version__}
        path = os.path.join(FIXTURES, name + ".safetensors")
        write_safetensors(path, tensors, metadata)
        written.append((name, os.path.getsize(path)))


def nnkit_write_state_dict(path, state, metadata):
    """A torch state_dict as safetensors with its own dtypes (F32, and I64 for num_batches_tracked)."""
    dtypes = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for key, value in state.items():
        dtype, fmt = dtypes[value.dtype]
        blob = value.detach().numpy().astype(fmt).tobytes(order="C")
        header[key] = {"dtype": dtype, "shape": list(value.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))


def nnkit_state_dict_case():
    name = "nnkit_bn_state_dict"
    g = generator(name)
    torch.manual_seed(zlib.crc32(name.encode("utf-8")))
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    for _ in range(3):
        net(randn(g, 5, 4))
    net.eval()
    x = randn(g, 2, 4)
    y = net(x).detach()
    state = dict(net.state_dict())
    state.update({"probe.x": x, "probe.y": y})  # an input and the eval output, beside the model's own names
    metadata = {"op": "stateDict", "options": json.dumps({"model": "Sequential(Linear(4, 3), BatchNorm1d(3))"}),
                "inputs": json.dumps([]), "torch": torch.__version__}
    path = os.path.join(FIXTURES, name + ".safetensors")
    nnkit_write_state_dict(path, state, metadata)
    written.append((name, os.path.getsize(path)))

# ==== end nnkit ===================================================================


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    for old in os.listdir(FIXTURES):  # so a renamed or removed case leaves no stale file
        if old.endswith(".safetensors"):
            os.remove(os.path.join(FIXTURES, old))
    conv2d_cases()
    conv2d_option_cases()
    pool2d_cases()
    pool_option_cases()  # branch pool
    nan_pool_cases()  # branch pool
    linear_cases()
    activation_cases()
    cross_entropy_cases()
    reduce_cases()
    shape_cases()
    lenet_case()
    math_cases()  # broadcasting and elementwise math (issue 14)
    nnkit_loss_cases()  # nnkit
    nnkit_batchnorm_cases()  # nnkit
    nnkit_state_dict_case()  # nnkit
    total = sum(size for _, size in written)
    for name, size in written:
        print(f"{size:9d}  {name}.safetensors")
    print(f"{total:9d}  bytes in total, {len(written)} files in {os.path.relpath(FIXTURES)}")


if __name__ == "__main__":
    main()
