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
    pool2d_cases()
    linear_cases()
    activation_cases()
    cross_entropy_cases()
    lenet_case()
    nnkit_loss_cases()  # nnkit
    nnkit_batchnorm_cases()  # nnkit
    nnkit_state_dict_case()  # nnkit
    total = sum(size for _, size in written)
    for name, size in written:
        print(f"{size:9d}  {name}.safetensors")
    print(f"{total:9d}  bytes in total, {len(written)} files in {os.path.relpath(FIXTURES)}")


if __name__ == "__main__":
    main()
