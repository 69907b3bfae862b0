#!/usr/bin/env python3
"""PyTorch as a bench:compare peer: d2l's LeNet-5 (or lenet-modern) on the same weights and images.

    /usr/bin/python3 bench/pytorch_lenet.py weights.safetensors images.f32 labels.i32 BATCH THREADS SECONDS \
        [MODEL [OPTIMIZER LR]]

MODEL is torchlet's name: lenet (default; sigmoid, average pooling) or lenet-modern
(ReLU, max pooling); OPTIMIZER is sgd (default, LR 0.9) or adam. Times, on THREADS
intra-op threads, a training step (forward, cross-entropy, backward, optimizer
step) at BATCH, inference at BATCH under no_grad, and
inference of one image; each for about SECONDS after a warm-up. Prints one
JSON object: {"torch": version, "threads": n, "cases": {name: [ms, ...]},
"logits": [first batch's logits]} so the caller can check it ran the same network.
"""
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "parity"))
from common import d2l_lenet, modern_lenet, read_safetensors  # noqa: E402


def timed(run, seconds, warmup=3, at_least=5):
    for _ in range(warmup):
        run()
    samples, started = [], time.perf_counter()
    while len(samples) < at_least or time.perf_counter() - started < seconds:
        t = time.perf_counter()
        run()
        samples.append((time.perf_counter() - t) * 1000)
    return samples


def main():
    weights, images_path, labels_path, batch, threads, seconds = sys.argv[1:7]
    batch, threads, seconds = int(batch), int(threads), float(seconds)
    model, optimizer_name, lr = (sys.argv[7:10] + ["lenet", "sgd", "0.9"][len(sys.argv[7:10]):])
    build = {"lenet": d2l_lenet, "lenet-modern": modern_lenet}[model]
    make_optimizer = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[optimizer_name]
    torch.set_num_threads(threads)
    images = torch.from_numpy(np.fromfile(images_path, dtype="<f4").reshape(-1, 784).copy())
    labels = torch.from_numpy(np.fromfile(labels_path, dtype="<i4").astype(np.int64))
    batches = [(images[i : i + batch], labels[i : i + batch]) for i in range(0, images.shape[0] - batch + 1, batch)]
    state = read_safetensors(weights)[0]

    net = build()
    net.load_state_dict(state)
    net.eval()
    with torch.no_grad():
        logits = net(batches[0][0]).reshape(-1).tolist()

    train_net = build()
    train_net.load_state_dict(state)
    optimizer = make_optimizer(train_net.parameters(), lr=float(lr))
    loss = torch.nn.CrossEntropyLoss()
    step = [0]

    def train():
        x, y = batches[step[0] % len(batches)]
        step[0] += 1
        optimizer.zero_grad()
        loss(train_net(x), y).backward()
        optimizer.step()

    def infer(x):
        with torch.no_grad():
            net(x)

    one = images[:1]
    cases = {
        "train": timed(train, seconds),
        "infer": timed(lambda: infer(batches[0][0]), seconds),
        "latency": timed(lambda: infer(one), seconds, warmup=20, at_least=50),
    }
    print(json.dumps({"torch": torch.__version__, "threads": threads, "cases": cases, "logits": logits}))


if __name__ == "__main__":
    main()
