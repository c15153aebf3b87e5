#!/usr/bin/python3
"""PyTorch twin of apps/bench_ops: times conv2d forward + backward on the layer shapes that
bench_ops passes in a JSON file, with the same thread count, warmup and repeats, and prints
one line "layer <name> <median ms>" per layer on stdout for bench_ops to read.

Usage: /usr/bin/python3 scripts/bench_ops_torch.py CONFIG.json   (normally run by bench_ops)
       /usr/bin/python3 scripts/bench_ops_torch.py --check         (only checks for torch)
Exit code 3 means PyTorch is not importable.
"""
import json
import statistics
import sys
import time


def time_layer(torch, layer, warmup, repeats):
    gen = torch.Generator().manual_seed(42)
    n, c_in, c_out, size = layer["batch"], layer["c_in"], layer["c_out"], layer["size"]
    k = layer["kernel"]
    x = torch.randn(n, c_in, size, size, generator=gen)
    x.requires_grad_(layer["input_grad"])
    w = (torch.randn(c_out, c_in, k, k, generator=gen) * 0.1).requires_grad_()
    b = torch.zeros(c_out, requires_grad=True)
    opts = dict(stride=layer["stride"], padding=layer["padding"], dilation=layer["dilation"])
    with torch.no_grad():
        out_shape = torch.nn.functional.conv2d(x, w, b, **opts).shape
    grad_out = torch.randn(out_shape, generator=gen)
    times = []
    for i in range(warmup + repeats):
        t0 = time.perf_counter()
        y = torch.nn.functional.conv2d(x, w, b, **opts)
        y.backward(grad_out)
        t1 = time.perf_counter()
        if i >= warmup:
            times.append((t1 - t0) * 1e3)
        x.grad = w.grad = b.grad = None
    return statistics.median(times)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        import torch
    except ImportError:
        print("bench_ops_torch.py: PyTorch is not importable by " + sys.executable,
              file=sys.stderr)
        return 3
    if sys.argv[1] == "--check":
        return 0
    with open(sys.argv[1]) as f:
        config = json.load(f)
    torch.set_num_threads(config["threads"])
    print(f"bench_ops_torch.py: torch {torch.__version__}, {torch.get_num_threads()} thread(s), "
          f"mkldnn {torch.backends.mkldnn.is_available()}", file=sys.stderr)
    for layer in config["layers"]:
        ms = time_layer(torch, layer, config["warmup"], config["repeats"])
        print(f"  torch {layer['name']:<9} {ms:8.3f} ms", file=sys.stderr)
        print(f"layer {layer['name']} {ms:.6f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
