"""Moves d2l LeNets between torchlet and real PyTorch; spawned by roundtrip.test.ts.

    /usr/bin/python3 test/parity/torch_roundtrip.py to-torch MODEL IMAGES OUT
        Loads torchlet's MODEL (.safetensors from torchlet's save()) into d2l's
        nn.Sequential with load_state_dict(strict=True) and writes PyTorch's
        logits on IMAGES (a .safetensors holding "images") to OUT as "logits".

    /usr/bin/python3 test/parity/torch_roundtrip.py from-torch IMAGES MODEL_OUT LOGITS_OUT [SEED] [STEPS]
        Builds a d2l LeNet in PyTorch (torch.manual_seed(SEED), Xavier-uniform),
        trains it STEPS full-batch SGD steps (lr 0.9, d2l's) on IMAGES' "images"
        and "labels", saves its state_dict() to MODEL_OUT and its logits on the
        images to LOGITS_OUT as "logits".

All files are safetensors, read and written by common.py (no `safetensors` pip
package needed).
"""

import os
import sys

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ next to the tests
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import d2l_lenet, read_safetensors, write_safetensors  # noqa: E402


def to_torch(model_path, images_path, out_path):
    net = d2l_lenet()
    state, _ = read_safetensors(model_path)
    net.load_state_dict(state, strict=True)  # every name and shape must match d2l's LeNet
    net.eval()
    images = read_safetensors(images_path)[0]["images"]
    with torch.no_grad():
        logits = net(images)
    write_safetensors(out_path, {"logits": logits}, {"torch": torch.__version__})


def from_torch(images_path, model_path, logits_path, seed=0, steps=2):
    torch.manual_seed(seed)
    net = d2l_lenet()
    data = read_safetensors(images_path)[0]
    images, labels = data["images"], data["labels"].long()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.9)
    for _ in range(steps):
        optimizer.zero_grad()
        F.cross_entropy(net(images), labels).backward()
        optimizer.step()
    net.eval()
    with torch.no_grad():
        logits = net(images)
    write_safetensors(model_path, net.state_dict(), {"format": "pt", "torch": torch.__version__, "steps": str(steps)})
    write_safetensors(logits_path, {"logits": logits}, {"torch": torch.__version__})


def main(argv):
    if len(argv) == 4 and argv[0] == "to-torch":
        to_torch(*argv[1:])
    elif len(argv) in (4, 5, 6) and argv[0] == "from-torch":
        from_torch(*argv[1:4], *(int(a) for a in argv[4:]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
