# numpy peer of bench/peers.ts: the 784-128-64-10 ReLU/softmax MLP trained with plain SGD, one JSON line per run.
"""Train the peer-benchmark MLP with numpy on the weights and data slice that bench/peers.ts wrote.

Usage: python3 numpy_mlp.py META_JSON SAMPLES WARMUP BATCH LEARNING_RATE TRIALS BUDGET_SECONDS PER_SAMPLE_SAMPLES
       [LABEL_SUFFIX]
Trials stop early once the timed ones took BUDGET_SECONDS. With LABEL_SUFFIX (e.g. " (1 BLAS thread)") only the vectorised float64 run is made, its name suffixed.

Prints one JSON line per variant to stdout:
  {"peer": ..., "dtype": ..., "trials": [samples/s, ...], "loss": mean batch loss of trial 1, "samples": n}
Layout and math follow termnet: W is (out x in), z = a_prev @ W.T + b, dZ = (p - y) / batch at the output,
dW = dZ.T @ a_prev, dB = sum_rows dZ, dA_prev = dZ @ W, dZ_prev = dA_prev * (z_prev > 0); w -= lr * g.
Batches are taken in file order (no shuffling); the loss of a batch is measured before its update.
"""

import json
import os
import sys
import time

# Some machines set OPENBLAS_CORETYPE (and OPENBLAS_L2_SIZE) to work around old OpenBLAS builds; a current numpy
# runs slower under them. OpenBLAS reads them when numpy loads it, so drop both before the import to measure
# numpy as a user of this machine's current numpy would have it.
os.environ.pop("OPENBLAS_CORETYPE", None)
os.environ.pop("OPENBLAS_L2_SIZE", None)

import numpy as np


def load(meta_path):
    with open(meta_path) as f:
        meta = json.load(f)
    sizes = meta["layerSizes"]
    flat = np.fromfile(meta["weights"], dtype="<f8")
    params, offset = [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        w = flat[offset:offset + n_out * n_in].reshape(n_out, n_in)
        offset += n_out * n_in
        b = flat[offset:offset + n_out]
        offset += n_out
        params.append((w, b))
    count = meta["count"]
    images = np.fromfile(meta["images"], dtype=np.uint8).reshape(count, sizes[0])
    labels = np.fromfile(meta["labels"], dtype=np.uint8)
    # Scaled once before timing, x = byte / 255 like termnet.
    x = images.astype(np.float64) / 255.0
    y = np.zeros((count, sizes[-1]), dtype=np.float64)
    y[np.arange(count), labels] = 1.0
    return params, x, y


def copy_params(params, dtype):
    return [(w.astype(dtype, copy=True), b.astype(dtype, copy=True)) for w, b in params]


def train_vectorised(params, x, y, batch, lr):
    """One pass over (x, y) in batches; returns the mean batch loss weighted by batch size."""
    (w1, b1), (w2, b2), (w3, b3) = params
    loss_sum = 0.0
    n = x.shape[0]
    for start in range(0, n, batch):
        xb = x[start:start + batch]
        yb = y[start:start + batch]
        rows = xb.shape[0]
        # forward: z = a_prev @ W.T + b   (rows, units)
        z1 = xb @ w1.T + b1
        a1 = np.maximum(z1, 0)
        z2 = a1 @ w2.T + b2
        a2 = np.maximum(z2, 0)
        z3 = a2 @ w3.T + b3
        e = np.exp(z3 - z3.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        loss_sum += -np.log(np.clip(p[yb > 0], 1e-15, 1.0)).sum()
        # backward: dZ3 = (p - y) / rows, dW = dZ.T @ a_prev, dB = sum dZ, dA_prev = dZ @ W
        dz3 = (p - yb) / rows
        dw3 = dz3.T @ a2
        db3 = dz3.sum(axis=0)
        dz2 = (dz3 @ w3) * (z2 > 0)
        dw2 = dz2.T @ a1
        db2 = dz2.sum(axis=0)
        dz1 = (dz2 @ w2) * (z1 > 0)
        dw1 = dz1.T @ xb
        db1 = dz1.sum(axis=0)
        # plain SGD, in place
        w3 -= lr * dw3
        b3 -= lr * db3
        w2 -= lr * dw2
        b2 -= lr * db2
        w1 -= lr * dw1
        b1 -= lr * db1
    return loss_sum / n


def train_per_sample(params, x, y, batch, lr):
    """The tutorial's style: backpropagate one sample at a time, average over the batch, then update."""
    (w1, b1), (w2, b2), (w3, b3) = params
    loss_sum = 0.0
    n = x.shape[0]
    for start in range(0, n, batch):
        stop = min(start + batch, n)
        rows = stop - start
        grads = [np.zeros_like(t) for t in (w1, b1, w2, b2, w3, b3)]
        for i in range(start, stop):
            a0, target = x[i], y[i]
            z1 = w1 @ a0 + b1
            a1 = np.maximum(z1, 0)
            z2 = w2 @ a1 + b2
            a2 = np.maximum(z2, 0)
            z3 = w3 @ a2 + b3
            e = np.exp(z3 - z3.max())
            p = e / e.sum()
            loss_sum += -np.log(max(p[target > 0][0], 1e-15))
            d3 = (p - target) / rows
            d2 = (w3.T @ d3) * (z2 > 0)
            d1 = (w2.T @ d2) * (z1 > 0)
            for g, v in zip(grads, (np.outer(d1, a0), d1, np.outer(d2, a1), d2, np.outer(d3, a2), d3)):
                g += v
        for t, g in zip((w1, b1, w2, b2, w3, b3), grads):
            t -= lr * g
    return loss_sum / n


def measure(name, dtype, train, params, x, y, options):
    samples, warmup, batch, lr, trials, budget = options
    xs, ys = x.astype(dtype), y.astype(dtype)
    lr = dtype(lr)
    train(copy_params(params, dtype), xs[:warmup], ys[:warmup], batch, lr)
    rates, loss, spent = [], None, 0.0
    for _ in range(trials):
        if spent >= budget:
            break
        p = copy_params(params, dtype)
        started = time.perf_counter()
        value = train(p, xs[:samples], ys[:samples], batch, lr)
        seconds = time.perf_counter() - started
        spent += seconds
        rates.append(samples / seconds)
        if loss is None:
            loss = float(value)
    print(json.dumps({"peer": name, "dtype": np.dtype(dtype).name, "trials": rates, "loss": loss,
                      "samples": samples}), flush=True)


def main(argv):
    if len(argv) not in (9, 10):
        sys.exit("Usage: numpy_mlp.py META_JSON SAMPLES WARMUP BATCH LEARNING_RATE TRIALS BUDGET_SECONDS "
                 "PER_SAMPLE_SAMPLES [LABEL_SUFFIX]")
    meta, samples, warmup, batch, lr, trials, budget, per_sample = argv[1:9]
    suffix = argv[9] if len(argv) == 10 else None
    samples, warmup, batch, trials, per_sample = map(int, (samples, warmup, batch, trials, per_sample))
    lr, budget = float(lr), float(budget)
    params, x, y = load(meta)
    options = (samples, warmup, batch, lr, trials, budget)
    if suffix is not None:
        measure("numpy vectorised" + suffix, np.float64, train_vectorised, params, x, y, options)
        return
    measure("numpy vectorised", np.float64, train_vectorised, params, x, y, options)
    measure("numpy vectorised", np.float32, train_vectorised, params, x, y, options)
    if per_sample > 0:
        short = (per_sample, min(warmup, per_sample), batch, lr, 1, budget)
        measure("numpy per-sample (tutorial)", np.float64, train_per_sample, params, x, y, short)


if __name__ == "__main__":
    main(sys.argv)
