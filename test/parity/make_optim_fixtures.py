"""Writes test/parity/optim-fixtures.json, which test/nn/optim-pytorch.test.ts checks torchlet's optimizers,
learning-rate schedulers and gradient clipping against.

Run by hand from the repository root after changing a case (the output is committed):

    /usr/bin/python3 test/parity/make_optim_fixtures.py

(/usr/bin/python3 is Debian's Python with python3-torch 1.13; a pyenv `python3` has no torch.)

The file holds, all numbers being float32 values written exactly as doubles:
  init       two parameters, shapes [3] and [2, 2], their starting values (flattened)
  grads      STEPS steps of fixed gradients, one list per parameter
  optimizers one case per configuration: kind (SGD, Adam, AdamW), options (torchlet's camelCase),
             groups (null for one group over both parameters, else [{params: [indices], ...options}]),
             and params: each parameter's values after every step (STEPS × 2 lists)
  schedulers kind, options, the optimizer (kind, options, per-group lr overrides), and after the
             constructor and every step(): lrs (one per group) and momentum (SGD's momentum or
             Adam's beta1 of every group)
  clip       fn (clipGradNorm or clipGradValue), args, the gradients before, after, and the returned norm
"""

import json
import os
import sys
import warnings

import torch

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "optim-fixtures.json")
STEPS = 5
SCHEDULER_STEPS = 12

torch.set_default_dtype(torch.float32)
warnings.simplefilter("ignore")  # "lr_scheduler.step() before optimizer.step()": no parameter moves in the scheduler cases

INIT = [[0.5, -1.25, 2.0], [0.1, 0.2, -0.3, 4.0]]
SHAPES = [[3], [2, 2]]
GRADS = [
    [[1.0, -2.0, 0.5], [0.25, 0.0, -1.0, 3.0]],
    [[0.5, -1.0, 0.25], [-0.5, 1.0, 2.0, -3.0]],
    [[-1.0, 4.0, 1.0], [1e-3, -1e-3, 0.5, 0.0]],
    [[2.0, 2.0, -2.0], [0.0, 0.0, 0.0, 0.0]],
    [[0.1, -0.1, 0.3], [7.0, -7.0, 1.0, 1.0]],
]

# torchlet option name -> torch keyword
TORCH_NAMES = {
    "weightDecay": "weight_decay", "stepSize": "step_size", "tMax": "T_max", "etaMin": "eta_min",
    "maxLr": "max_lr", "totalSteps": "total_steps", "pctStart": "pct_start", "annealStrategy": "anneal_strategy",
    "cycleMomentum": "cycle_momentum", "baseMomentum": "base_momentum", "maxMomentum": "max_momentum",
    "divFactor": "div_factor", "finalDivFactor": "final_div_factor", "threePhase": "three_phase",
    "stepsPerEpoch": "steps_per_epoch",
}

OPTIMIZERS = [
    ("sgd_plain", "SGD", {"lr": 0.1}, None),
    ("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}, None),
    ("sgd_dampening", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}, None),
    ("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}, None),
    ("sgd_weight_decay", "SGD", {"lr": 0.1, "weightDecay": 0.05}, None),
    ("sgd_momentum_weight_decay_maximize", "SGD", {"lr": 0.05, "momentum": 0.9, "weightDecay": 0.01, "maximize": True}, None),
    ("sgd_nesterov_weight_decay", "SGD", {"lr": 0.02, "momentum": 0.5, "nesterov": True, "weightDecay": 0.1}, None),
    ("adam_default", "Adam", {}, None),
    ("adam_amsgrad", "Adam", {"lr": 0.1, "amsgrad": True}, None),
    ("adam_weight_decay", "Adam", {"lr": 0.05, "weightDecay": 0.1}, None),
    ("adam_maximize", "Adam", {"lr": 0.05, "maximize": True}, None),
    ("adam_betas_eps", "Adam", {"lr": 0.1, "betas": [0.8, 0.99], "eps": 1e-3}, None),
    ("adam_all", "Adam", {"lr": 0.02, "betas": [0.5, 0.9], "eps": 1e-6, "weightDecay": 0.2, "amsgrad": True, "maximize": True}, None),
    ("adamw_default", "AdamW", {}, None),
    ("adamw_lr_weight_decay_amsgrad", "AdamW", {"lr": 0.1, "weightDecay": 0.1, "amsgrad": True}, None),
    ("sgd_two_groups", "SGD", {"lr": 0.1, "momentum": 0.9}, [{"params": [0]}, {"params": [1], "lr": 0.01, "nesterov": True}]),
    ("adam_two_groups", "Adam", {"lr": 0.1}, [{"params": [0], "lr": 0.01}, {"params": [1], "betas": [0.5, 0.6], "weightDecay": 0.1}]),
]

SCHEDULERS = [
    ("step_lr", "StepLR", {"stepSize": 3}, ("SGD", {"lr": 0.5}, None)),
    ("step_lr_gamma_groups", "StepLR", {"stepSize": 2, "gamma": 0.5}, ("SGD", {"lr": 1.0}, [None, 0.1])),
    ("cosine", "CosineAnnealingLR", {"tMax": 5}, ("SGD", {"lr": 0.1}, None)),
    ("cosine_eta_min_groups", "CosineAnnealingLR", {"tMax": 4, "etaMin": 0.01}, ("Adam", {"lr": 0.2}, [None, 0.05])),
    ("one_cycle_sgd", "OneCycleLR", {"maxLr": 0.1, "totalSteps": 12}, ("SGD", {"lr": 0.1, "momentum": 0.9}, None)),
    ("one_cycle_adam_linear", "OneCycleLR", {"maxLr": [0.01, 0.02], "totalSteps": 12, "annealStrategy": "linear", "pctStart": 0.25}, ("Adam", {}, [None, None])),
    ("one_cycle_three_phase", "OneCycleLR", {"maxLr": 1.0, "epochs": 3, "stepsPerEpoch": 4, "threePhase": True, "divFactor": 10.0, "finalDivFactor": 100.0, "baseMomentum": 0.8, "maxMomentum": 0.9}, ("SGD", {"lr": 0.1}, None)),
    ("one_cycle_no_momentum", "OneCycleLR", {"maxLr": 0.3, "totalSteps": 12, "cycleMomentum": False}, ("SGD", {"lr": 0.1, "momentum": 0.5}, None)),
]

CLIP_GRADS = [[3.0, -4.0, 0.5], [1.0, -2.0, 0.25, 6.0]]
CLIPS = [
    ("norm2", "clipGradNorm", {"maxNorm": 1.0}),
    ("norm2_no_clip", "clipGradNorm", {"maxNorm": 100.0}),
    ("norm_inf", "clipGradNorm", {"maxNorm": 2.0, "normType": "inf"}),
    ("norm1", "clipGradNorm", {"maxNorm": 3.0, "normType": 1.0}),
    ("norm3", "clipGradNorm", {"maxNorm": 0.5, "normType": 3.0}),
    ("value", "clipGradValue", {"clipValue": 1.5}),
]


def torch_kwargs(options):
    return {TORCH_NAMES.get(k, k): (tuple(v) if k == "betas" else v) for k, v in options.items()}


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


def make_params():
    return [torch.tensor(v).reshape(s).requires_grad_() for v, s in zip(INIT, SHAPES)]


def make_optimizer(kind, params, options, groups):
    cls = getattr(torch.optim, kind)
    if groups is None:
        return cls(params, **torch_kwargs(options))
    specs = [{**torch_kwargs({k: v for k, v in g.items() if k != "params"}), "params": [params[i] for i in g["params"]]} for g in groups]
    return cls(specs, **torch_kwargs(options))


def optimizer_case(name, kind, options, groups):
    params = make_params()
    opt = make_optimizer(kind, params, options, groups)
    history = []
    for step in range(STEPS):
        opt.zero_grad()
        for p, g in zip(params, GRADS[step]):
            p.grad = torch.tensor(g).reshape(p.shape)
        opt.step()
        history.append([flat(p) for p in params])
    return {"name": name, "kind": kind, "options": options, "groups": groups, "params": history}


def momentum_of(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def scheduler_case(name, kind, options, optimizer):
    opt_kind, opt_options, group_lrs = optimizer
    params = make_params()
    groups = None if group_lrs is None else [{"params": [i], **({} if lr is None else {"lr": lr})} for i, lr in enumerate(group_lrs)]
    opt = make_optimizer(opt_kind, params, opt_options, groups)
    scheduler = getattr(torch.optim.lr_scheduler, kind)(opt, **torch_kwargs(options))
    lrs, momenta = [scheduler.get_last_lr()], [momentum_of(opt)]
    for _ in range(SCHEDULER_STEPS):
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        momenta.append(momentum_of(opt))
    return {"name": name, "kind": kind, "options": options, "optimizer": {"kind": opt_kind, "options": opt_options, "groups": groups}, "lrs": lrs, "momentum": momenta}


def clip_case(name, fn, args):
    params = make_params()
    for p, g in zip(params, CLIP_GRADS):
        p.grad = torch.tensor(g).reshape(p.shape)
    norm = None
    if fn == "clipGradNorm":
        norm_type = args.get("normType", 2.0)
        norm = float(torch.nn.utils.clip_grad_norm_(params, args["maxNorm"], float("inf") if norm_type == "inf" else norm_type))
    else:
        torch.nn.utils.clip_grad_value_(params, args["clipValue"])
    return {"name": name, "fn": fn, "args": args, "before": CLIP_GRADS, "after": [flat(p.grad) for p in params], "norm": norm}


def main():
    fixtures = {
        "torch": torch.__version__,
        "init": INIT,
        "shapes": SHAPES,
        "grads": GRADS,
        "optimizers": [optimizer_case(*case) for case in OPTIMIZERS],
        "schedulers": [scheduler_case(*case) for case in SCHEDULERS],
        "clip": [clip_case(*case) for case in CLIPS],
    }
    with open(OUT, "w") as f:
        json.dump(fixtures, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}: {len(OPTIMIZERS)} optimizers, {len(SCHEDULERS)} schedulers, {len(CLIPS)} clips")


if __name__ == "__main__":
    main()
