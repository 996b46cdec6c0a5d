#!/usr/bin/env python3
"""Reference optimizer steps in NumPy, written from the papers' formulas, for tests/nn/optimizers_test.ts.

Writes tests/fixtures/reference/optimizers.json: fixed starting parameters (a 2x3 weight matrix, which takes L2
weight decay, and 3 biases, which do not), a fixed gradient for each of 4 steps, and for each optimizer setting the
parameters after every step.

Run from the repository root:  python3 scripts/reference/optimizers.py
"""

import json
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "reference" / "optimizers.json"
STEPS = 4

rng = np.random.default_rng(20240601)
start = {
    "weights": rng.uniform(-1, 1, size=6),
    "biases": rng.uniform(-1, 1, size=3),
}
gradients = [{"weights": rng.normal(size=6), "biases": rng.normal(size=3)} for _ in range(STEPS)]


def with_decay(name, g, w, l2):
    """g + l2 * w for weights (L2 weight decay), g for biases."""
    return g + l2 * w if name == "weights" and l2 != 0 else g


def sgd(lr, l2):
    """w <- w - lr * g."""
    params = {k: v.copy() for k, v in start.items()}
    history = []
    for step in gradients:
        for name in params:
            params[name] = params[name] - lr * with_decay(name, step[name], params[name], l2)
        history.append({k: v.tolist() for k, v in params.items()})
    return history


def momentum(lr, mu, nesterov, l2):
    """Classical (Polyak): v <- mu v - lr g, w <- w + v. Nesterov (Sutskever et al. 2013, Keras): w <- w + mu v - lr g."""
    params = {k: v.copy() for k, v in start.items()}
    velocity = {k: np.zeros_like(v) for k, v in start.items()}
    history = []
    for step in gradients:
        for name in params:
            g = with_decay(name, step[name], params[name], l2)
            velocity[name] = mu * velocity[name] - lr * g
            if nesterov:
                params[name] = params[name] + mu * velocity[name] - lr * g
            else:
                params[name] = params[name] + velocity[name]
        history.append({k: v.tolist() for k, v in params.items()})
    return history


def adam(lr, beta1, beta2, eps, l2):
    """Kingma & Ba (2015), Algorithm 1, with L2 added to the gradient."""
    params = {k: v.copy() for k, v in start.items()}
    m = {k: np.zeros_like(v) for k, v in start.items()}
    v = {k: np.zeros_like(x) for k, x in start.items()}
    history = []
    for t, step in enumerate(gradients, start=1):
        for name in params:
            g = with_decay(name, step[name], params[name], l2)
            m[name] = beta1 * m[name] + (1 - beta1) * g
            v[name] = beta2 * v[name] + (1 - beta2) * g * g
            m_hat = m[name] / (1 - beta1**t)
            v_hat = v[name] / (1 - beta2**t)
            params[name] = params[name] - lr * m_hat / (np.sqrt(v_hat) + eps)
        history.append({k: x.tolist() for k, x in params.items()})
    return history


cases = []
for l2 in (0.0, 0.1):
    cases.append({"optimizer": "sgd", "options": {"learningRate": 0.1, "l2": l2}, "steps": sgd(0.1, l2)})
    for nesterov in (False, True):
        cases.append({
            "optimizer": "momentum",
            "options": {"learningRate": 0.1, "momentum": 0.9, "nesterov": nesterov, "l2": l2},
            "steps": momentum(0.1, 0.9, nesterov, l2),
        })
    cases.append({
        "optimizer": "adam",
        "options": {"learningRate": 0.01, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "l2": l2},
        "steps": adam(0.01, 0.9, 0.999, 1e-8, l2),
    })

fixture = {
    "generator": "scripts/reference/optimizers.py (NumPy " + np.__version__ + ")",
    "start": {k: v.tolist() for k, v in start.items()},
    "gradients": [{k: v.tolist() for k, v in g.items()} for g in gradients],
    "cases": cases,
}
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps(fixture, indent=2) + "\n")
print(f"wrote {OUT}")
