"""PyTorch on one thread: the reference issue #5 states its targets against (W4: at least half of
PyTorch's one-thread steps/s). The bench runs it where /usr/bin/python3 can import torch (Debian:
apt-get install python3-torch), as one more subject in a fresh process:

    python3 pytorch/subject.py <w1|w2|w3|w4> [n]

and prints one measurement as JSON, the shape the Node subjects print. The workloads mirror
src/subjects/backprop.ts: the same shapes, the same fixed-seed synthetic data (the LCG of
src/subjects/types.ts), the same warm-up and timing rules.
"""

import json
import os
import resource
import sys
import time

XOR_EPOCHS = 10_000


def lcg(seed):
    """The generator of types.ts: numbers in [-0.5, 0.5)."""
    state = seed & 0xFFFFFFFF

    def draw():
        nonlocal state
        state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
        return state / 2**32 - 0.5

    return draw


def synthetic(torch, rows, cols, seed):
    draw = lcg(seed)
    return torch.tensor([draw() for _ in range(rows * cols)], dtype=torch.float32).reshape(rows, cols)


def synthetic_labels(torch, rows, classes, seed):
    u = synthetic(torch, rows, 1, seed).reshape(rows)
    return torch.clamp(torch.floor((u + 0.5) * classes), max=classes - 1).long()


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def w1(torch, n):
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    torch.mm(a, b)
    reps = 3 if n >= 1024 else 10 if n >= 512 else 40
    start = time.perf_counter()
    for _ in range(reps):
        torch.mm(a, b)
    seconds = time.perf_counter() - start
    return {"value": 2 * n**3 * reps / seconds / 1e9}


def w2(torch):
    nn = torch.nn
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = synthetic(torch, 128, 784, 1)
    y = synthetic_labels(torch, 128, 10, 2)

    def step():
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()

    for _ in range(20):
        step()
    start = time.perf_counter()
    for _ in range(200):
        step()
    seconds = time.perf_counter() - start
    return {"value": 200 * 128 / seconds, "extra": {"peakRssMB": peak_rss_mb()}}


def w3(torch, epochs=XOR_EPOCHS):
    nn = torch.nn
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
    start = time.perf_counter()
    for _ in range(epochs):
        optimizer.zero_grad()
        (0.5 * ((model(x) - y) ** 2).mean()).backward()
        optimizer.step()
    ms = (time.perf_counter() - start) * 1000
    with torch.no_grad():
        final = float(0.5 * ((model(x) - y) ** 2).mean())
    return {"value": ms, "extra": {"finalLoss": final}}


def w4(torch):
    nn = torch.nn
    torch.manual_seed(1)
    conv = nn.Conv2d(1, 8, 3)
    dense = nn.Linear(8 * 13 * 13, 10)
    optimizer = torch.optim.SGD([*conv.parameters(), *dense.parameters()], lr=0.01)
    x = synthetic(torch, 64, 784, 4).reshape(64, 1, 28, 28)
    y = synthetic_labels(torch, 64, 10, 5)

    def step():
        optimizer.zero_grad()
        h = nn.functional.max_pool2d(torch.relu(conv(x)), 2)
        nn.functional.cross_entropy(dense(h.reshape(64, 8 * 13 * 13)), y).backward()
        optimizer.step()

    for _ in range(3):
        step()
    # As stepsPerSecond in types.ts: at least 5 s and 5 steps.
    steps = 0
    start = time.perf_counter()
    while time.perf_counter() - start < 5 or steps < 5:
        step()
        steps += 1
    return {"value": steps / (time.perf_counter() - start)}


def reference_blas(torch):
    """The path of the BLAS library PyTorch's products run on, if it is the unoptimized reference
    one (Debian's python3-torch takes whichever libblas.so.3 is installed; without OpenBLAS, W1 runs
    at a twentieth of its speed). None when it is a tuned one or cannot be told (not Linux)."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "libblas" in line or "openblas" in line}
    except OSError:
        return None
    if any("openblas" in p or "mkl" in p or "blis" in p for p in paths):
        return None
    return next(iter(paths), None)


def main(argv):
    if len(argv) < 2:
        print("usage: subject.py <w1|w2|w3|w4> [n]", file=sys.stderr)
        return 2
    workload = argv[1]
    param = int(argv[2]) if len(argv) > 2 else None
    # One thread, as the figures: PyTorch's own pool and the BLAS's (OpenBLAS keeps its own).
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"
    try:
        import torch
    except ImportError as error:
        print(json.dumps({"unsupported": f"PyTorch is not installed for {sys.executable} ({error})"}))
        return 0
    torch.set_num_threads(1)
    blas = reference_blas(torch)
    if blas:
        print(json.dumps({"unsupported": f"PyTorch runs on the reference BLAS ({blas}), not a tuned one: install libopenblas0-pthread"}))
        return 0
    runs = {
        "w1": lambda: w1(torch, param or 1024),
        "w2": lambda: w2(torch),
        "w3": lambda: w3(torch, XOR_EPOCHS if param is None else param),
        "w4": lambda: w4(torch),
    }
    if workload not in runs:
        print(json.dumps({"unsupported": f"pytorch has no {workload}"}))
        return 0
    print(json.dumps(runs[workload]()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
