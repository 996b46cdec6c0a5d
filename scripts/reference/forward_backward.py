#!/usr/bin/env python3
"""One forward and backward pass of two small fixed networks in NumPy, for tests/nn/optimizers_test.ts.

Writes tests/fixtures/reference/forward_backward.json with, for each network: its layers (units, activation,
weights of shape units x inputs, biases), a batch x and targets y, and the reference z and a of every layer, the
mean loss, and dW, dB of every layer.

The math is the tutorial's, written out by hand without any fusing:
    z = a_prev @ W.T + b              (batch, units)
    a = f(z)
    dA_last = dL/da                   (the loss's own derivative)
    dZ = dA * f'(z)                   (softmax: the row Jacobian product a * (dA - sum(dA * a)))
    dW = dZ.T @ a_prev,  dB = dZ.sum(axis=0),  dA_prev = dZ @ W

Run from the repository root:  python3 scripts/reference/forward_backward.py
"""

import json
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "reference" / "forward_backward.json"


def forward(name, z):
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(name)


def backward(name, dA, a):
    if name == "tanh":
        return dA * (1 - a * a)
    if name == "sigmoid":
        return dA * a * (1 - a)
    if name == "softmax":
        return a * (dA - (dA * a).sum(axis=1, keepdims=True))
    raise ValueError(name)


def loss_and_gradient(name, p, y):
    """The mean loss and dL/dp: mse over all N*K entries, cross-entropy over the N rows."""
    if name == "mse":
        return ((p - y) ** 2).mean(), 2 * (p - y) / p.size
    if name == "cross_entropy":
        n = p.shape[0]
        return -(y * np.log(p)).sum() / n, -y / (p * n)
    raise ValueError(name)


def run(case):
    x, y = np.array(case["x"]), np.array(case["y"])
    weights = [np.array(layer["weights"]) for layer in case["layers"]]
    biases = [np.array(layer["biases"]) for layer in case["layers"]]
    names = [layer["activation"] for layer in case["layers"]]
    zs, activations = [], [x]
    for W, b, name in zip(weights, biases, names):
        z = activations[-1] @ W.T + b
        zs.append(z)
        activations.append(forward(name, z))
    loss, dA = loss_and_gradient(case["loss"], activations[-1], y)
    dWs, dBs = [None] * len(weights), [None] * len(weights)
    for l in reversed(range(len(weights))):
        dZ = backward(names[l], dA, activations[l + 1])
        dWs[l] = dZ.T @ activations[l]
        dBs[l] = dZ.sum(axis=0)
        dA = dZ @ weights[l]
    return {
        "z": [z.tolist() for z in zs],
        "a": [a.tolist() for a in activations[1:]],
        "loss": float(loss),
        "dW": [dW.tolist() for dW in dWs],
        "dB": [dB.tolist() for dB in dBs],
    }


rng = np.random.default_rng(7)


def layer(units, inputs, activation):
    return {
        "units": units,
        "activation": activation,
        "weights": rng.uniform(-1, 1, size=(units, inputs)).tolist(),
        "biases": rng.uniform(-0.5, 0.5, size=units).tolist(),
    }


cases = [
    {
        "name": "2-3-2 tanh/softmax + cross_entropy",
        "input": 2,
        "layers": [layer(3, 2, "tanh"), layer(2, 3, "softmax")],
        "loss": "cross_entropy",
        "x": [[0.5, -1.0], [1.5, 0.25], [-0.75, 0.8], [0.0, 0.0]],
        "y": [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0]],
    },
    {
        "name": "2-3-1 sigmoid + mse",
        "input": 2,
        "layers": [layer(3, 2, "sigmoid"), layer(1, 3, "sigmoid")],
        "loss": "mse",
        "x": [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]],
        "y": [[0.0], [1.0], [1.0], [0.0]],
    },
]
for case in cases:
    case["expected"] = run(case)

fixture = {"generator": "scripts/reference/forward_backward.py (NumPy " + np.__version__ + ")", "cases": cases}
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps(fixture, indent=2) + "\n")
print(f"wrote {OUT}")
