#!/usr/bin/python3
"""PyTorch twin of apps/bench_ops: times conv2d / conv_transpose2d forward + backward on the
layer shapes that bench_ops passes in a JSON file, on the device it names ("cpu" or
"cuda[:N]"), with the same thread count, warmup and repeats (and on cuda the same TF32 and
cudnn.benchmark settings; with "precision": "bf16_nhwc" every tensor bfloat16 and the 4-D ones
channels_last, as bench_ops' tint side), and prints one line "layer <name> <median ms>" per
layer on stdout
for bench_ops to read, after "info <key> <value>" lines (torch and cuDNN versions, device).

On cuda each timed run is bracketed by torch.cuda.synchronize(), as tint's runs are by
tint::cuda::synchronize(): the median is of wall time with the device idle at both ends.

Usage: python3 scripts/bench_ops_torch.py CONFIG.json              (normally run by bench_ops)
       python3 scripts/bench_ops_torch.py --check [--device cuda]  (only checks for torch / GPU)
Exit codes: 3 PyTorch is not importable; 4 PyTorch cannot use a CUDA device.
"""
import json
import statistics
import sys
import time


def time_layer(torch, layer, warmup, repeats, device, bf16_nhwc=False):
    gpu = device.type == "cuda"
    # Same seeds as before on the cpu; on the GPU draw there (host randn of the full-size
    # tensors would take longer than the benchmark).
    gen = torch.Generator(device=device).manual_seed(42) if gpu else torch.Generator().manual_seed(42)
    on = dict(device=device) if gpu else {}
    n, c_in, c_out, size = layer["batch"], layer["c_in"], layer["c_out"], layer["size"]
    k = layer["kernel"]
    transposed = layer.get("transposed", False)
    def as_run(t):  # bf16_nhwc: bfloat16, the 4-D tensors channels_last
        if not bf16_nhwc:
            return t
        if t.dim() == 4:
            return t.to(dtype=torch.bfloat16, memory_format=torch.channels_last)
        return t.to(torch.bfloat16)

    x = as_run(torch.randn(n, c_in, size, size, generator=gen, **on)).detach()
    x.requires_grad_(layer["input_grad"])
    w_shape = (c_in, c_out, k, k) if transposed else (c_out, c_in, k, k)
    w = as_run(torch.randn(*w_shape, generator=gen, **on) * 0.1).detach().requires_grad_()
    b = as_run(torch.zeros(c_out, **on)).detach().requires_grad_()
    opts = dict(stride=layer["stride"], padding=layer["padding"], dilation=layer["dilation"])
    conv = torch.nn.functional.conv_transpose2d if transposed else torch.nn.functional.conv2d
    with torch.no_grad():
        out_shape = conv(x, w, b, **opts).shape
    grad_out = as_run(torch.randn(out_shape, generator=gen, **on))
    times = []
    for i in range(warmup + repeats):
        if gpu:
            torch.cuda.synchronize(device)
        t0 = time.perf_counter()
        y = conv(x, w, b, **opts)
        y.backward(grad_out)
        if gpu:
            torch.cuda.synchronize(device)
        t1 = time.perf_counter()
        if i >= warmup:
            times.append((t1 - t0) * 1e3)
        x.grad = w.grad = b.grad = None
    return statistics.median(times)


def import_torch():
    try:
        import torch
    except ImportError:
        print("bench_ops_torch.py: PyTorch is not importable by " + sys.executable,
              file=sys.stderr)
        return None
    return torch


def cuda_usable(torch):
    if torch.cuda.is_available():
        return True
    print(f"bench_ops_torch.py: torch {torch.__version__} under {sys.executable} cannot use a "
          f"CUDA device (torch.cuda.is_available() is False)", file=sys.stderr)
    return False


def main(argv):
    if len(argv) == 1 and argv[0] != "--check":
        config_path = argv[0]
    elif argv[:1] == ["--check"] and argv[1:] in ([], ["--device", "cpu"]):
        return 0 if import_torch() else 3
    elif argv[:1] == ["--check"] and len(argv) == 3 and argv[1] == "--device" and \
            argv[2].startswith("cuda"):
        torch = import_torch()
        if not torch:
            return 3
        return 0 if cuda_usable(torch) else 4
    else:
        print(__doc__, file=sys.stderr)
        return 2
    torch = import_torch()
    if not torch:
        return 3
    with open(config_path) as f:
        config = json.load(f)
    device = torch.device(config.get("device", "cpu"))
    torch.set_num_threads(config["threads"])
    if device.type == "cuda":
        if not cuda_usable(torch):
            return 4
        if device.index is None:
            device = torch.device("cuda", 0)
        torch.cuda.set_device(device)
        # PyTorch's defaults, set explicitly: TF32 for cuDNN convolutions, not for matmuls.
        torch.backends.cudnn.enabled = True
        torch.backends.cudnn.allow_tf32 = bool(config.get("tf32", True))
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.benchmark = bool(config.get("cudnn_benchmark", False))
        torch.backends.cudnn.deterministic = False
        name = torch.cuda.get_device_name(device)
        print(f"bench_ops_torch.py: torch {torch.__version__} (CUDA {torch.version.cuda}, cuDNN "
              f"{torch.backends.cudnn.version()}), {device} {name}, cudnn.allow_tf32 "
              f"{torch.backends.cudnn.allow_tf32}, cudnn.benchmark "
              f"{torch.backends.cudnn.benchmark}", file=sys.stderr)
        print(f"info torch_version {torch.__version__}")
        print(f"info torch_cuda_version {torch.version.cuda}")
        print(f"info cudnn_version {torch.backends.cudnn.version()}")
        print(f"info device_name {name}", flush=True)
    else:
        print(f"bench_ops_torch.py: torch {torch.__version__}, {torch.get_num_threads()} "
              f"thread(s), mkldnn {torch.backends.mkldnn.is_available()}", file=sys.stderr)
        print(f"info torch_version {torch.__version__}", flush=True)
    for layer in config["layers"]:
        ms = time_layer(torch, layer, config["warmup"], config["repeats"], device,
                        config.get("precision", "fp32") == "bf16_nhwc")
        print(f"  torch {layer['name']:<9} {ms:8.3f} ms", file=sys.stderr)
        print(f"layer {layer['name']} {ms:.6f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
