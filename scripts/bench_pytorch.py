#!/usr/bin/python3
"""PyTorch twin of apps/bench_train: one training step of a colorization network (forward,
class-rebalanced cross-entropy, backward, Adam), timed on the data, device and settings that
bench_train passes in a JSON file, in one of three modes (--mode):

  eager               float32; on cuda TF32 allowed for convolutions and matmuls
                      (torch.backends.cudnn / cuda.matmul, through the fp32_precision API
                      where this torch has it, else allow_tf32);
  channels_last_bf16  model and input in torch.channels_last, forward + loss under
                      torch.autocast(device type, torch.bfloat16);
  compiled            torch.compile (default mode) of channels_last_bf16's forward + loss
                      (backward through its compiled graph, Adam eager). Without
                      torch.compile, or when compiling or running it fails, the result says
                      "unavailable" with the reason instead of failing.

Prints one line "result {json}" on stdout (images/s of the median step, peak memory, first
loss, parameter count, the first step's time, which includes compiling; in eager mode also
the forward pass's FLOPs by torch.utils.flop_counter where this torch has it) for bench_train
to read; progress goes to stderr.

The networks have tint's layer structure (models/seed.cpp, models/eccv16.cpp): 3x3
convolutions with bias and padding = dilation, a ReLU after each, BatchNorm2d closing blocks
1-7 (seed: then Dropout(0.1)); block 8 is eccv16's ConvTranspose2d 4x4/s2 + two convs + the
1x1 head onto 313 bins (bias), or seed's nearest x2 upsampling + three convs + the 1x1 head
without bias. Channels are scaled by the width multiplier as tint does (floor(c * w + 0.5),
at least 1). Inputs are normalised inside the network: seed L / 100, eccv16 (L - 50) / 100.
eccv16's fixed model_out (the 313 -> 2 decoding conv) is built but takes no part in training.

The loss is tint's rebalanced_cross_entropy (kernels/color_loss.h) written the way an eager
PyTorch user would: the ab target soft-encoded against the 313 bin centres of
data/ab_bins_313.txt (its K = 5 nearest, Gaussian weights sigma = 5, normalised), a dense
(N, 313, h, w) target, per-pixel weight w[nearest bin], loss = -sum(v * sum_q z log softmax)
/ N (per-image sum). "subsampled": ab taken at every 4th pixel (Zhang's, the logits' grid);
"full": the logits upsampled x4 (nearest) to the ab's resolution (the report's).
Adam(lr, betas, weight_decay) as given; zero_grad(set_to_none=True).

Timing: warmup untimed steps, then the median of the timed steps; on cuda each step ends with
torch.cuda.synchronize(). With "profile_steps" > 0 in the config (bench_train
--profile-steps), that many more steps under torch.profiler give the result's "profile":
each operator's self time per step (op_profile below), neither timed nor in the peak. Peak memory: on cuda torch.cuda.max_memory_allocated() over the
timed steps (the peak is reset after the warmup steps, so compiling and one-time workspaces
are not counted; what stays allocated - model, gradients, Adam state, data - is); on the cpu
the process' max RSS (resource.getrusage), "base_mb" being the max RSS before the model.

--matmul-rate: the dense matrix rate the floor of bench_train is measured against: the best
of 10 timed torch.matmul runs (after 3 untimed) of random square matrices, 8192 x 8192 on
cuda, 2048 x 2048 on the cpu (5 runs after 1), for each precision asked for: fp32 (TF32 off),
tf32 (float32 with TF32 allowed; cuda only), bf16; in TFLOP/s (2 n^3 per product).

Usage: /usr/bin/python3 scripts/bench_pytorch.py [--mode MODE] CONFIG.json (via bench_train)
       /usr/bin/python3 scripts/bench_pytorch.py --check [--device cuda]
       /usr/bin/python3 scripts/bench_pytorch.py --matmul-rate [--device cuda]
                        [--precisions tf32,bf16] [--threads N]
Exit codes: 2 bad arguments; 3 PyTorch is not importable; 4 PyTorch cannot use a CUDA device.
"""
import argparse
import json
import math
import resource
import statistics
import sys
import time

MODES = ("eager", "channels_last_bf16", "compiled")
PRECISIONS = ("fp32", "tf32", "bf16")


def import_torch():
    try:
        import torch
    except ImportError:
        print("bench_pytorch.py: PyTorch is not importable by " + sys.executable, file=sys.stderr)
        return None
    return torch


def set_tf32(torch, allowed):
    """TF32 for float32 convolutions and matmuls on cuda, by the API this torch has."""
    matmul, cudnn = torch.backends.cuda.matmul, torch.backends.cudnn
    if hasattr(matmul, "fp32_precision") and hasattr(getattr(cudnn, "conv", None),
                                                     "fp32_precision"):
        precision = "tf32" if allowed else "ieee"
        matmul.fp32_precision = precision
        cudnn.conv.fp32_precision = precision
        return "fp32_precision = " + precision
    matmul.allow_tf32 = allowed
    cudnn.allow_tf32 = allowed
    return f"allow_tf32 = {allowed}"


def build_models(torch):
    nn = torch.nn

    def scaled(channels, width):
        return max(1, int(math.floor(channels * width + 0.5)))

    def conv_relu(channels, last_stride, dilation):
        layers = []
        for i in range(len(channels) - 1):
            stride = last_stride if i + 2 == len(channels) else 1
            layers += [nn.Conv2d(channels[i], channels[i + 1], 3, stride=stride,
                                 padding=dilation, dilation=dilation, bias=True),
                       nn.ReLU(inplace=False)]
        return layers

    def block_specs(c, seed):
        last = [c(512), c(256), c(256), c(256)] if seed else [c(512)] * 4
        return [([1, c(64), c(64)], 2, 1),
                ([c(64), c(128), c(128)], 2, 1),
                ([c(128), c(256), c(256), c(256)], 2, 1),
                ([c(256), c(512), c(512), c(512)], 1, 1),
                ([c(512)] * 4, 1, 2),
                ([c(512)] * 4, 1, 2),
                (last, 1, 1)]

    class Seed(nn.Module):
        def __init__(self, width):
            super().__init__()
            c = lambda ch: scaled(ch, width)  # noqa: E731
            for i, (channels, stride, dilation) in enumerate(block_specs(c, True)):
                layers = conv_relu(channels, stride, dilation)
                layers += [nn.BatchNorm2d(channels[-1]), nn.Dropout(0.1)]
                setattr(self, f"model{i + 1}", nn.Sequential(*layers))
            self.model8 = nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"),
                                        *conv_relu([c(256), c(128), c(128), c(128)], 1, 1))
            self.head = nn.Conv2d(c(128), 313, 1, bias=False)

        def forward(self, L):
            h = L / 100.0
            for i in range(1, 9):
                h = getattr(self, f"model{i}")(h)
            return self.head(h)

    class Eccv16(nn.Module):
        def __init__(self, width):
            super().__init__()
            c = lambda ch: scaled(ch, width)  # noqa: E731
            for i, (channels, stride, dilation) in enumerate(block_specs(c, False)):
                layers = conv_relu(channels, stride, dilation) + [nn.BatchNorm2d(channels[-1])]
                setattr(self, f"model{i + 1}", nn.Sequential(*layers))
            self.model8 = nn.Sequential(
                nn.ConvTranspose2d(c(512), c(256), 4, stride=2, padding=1, bias=True),
                nn.ReLU(inplace=False), *conv_relu([c(256), c(256), c(256)], 1, 1),
                nn.Conv2d(c(256), 313, 1, bias=True))
            self.model_out = nn.Conv2d(313, 2, 1, bias=False)  # fixed decoding, not trained
            self.model_out.weight.requires_grad_(False)

        def forward(self, L):
            h = (L - 50.0) / 100.0
            for i in range(1, 9):
                h = getattr(self, f"model{i}")(h)
            return h

    return {"seed": Seed, "eccv16": Eccv16}


def make_loss(torch, centers, class_weights, k, sigma, full):
    F = torch.nn.functional

    def soft_encode(ab):
        # ab (N, 2, H, W) -> dense target (N, 313, H, W) and per-pixel weight (N, H, W)
        n, _, h, w = ab.shape
        points = ab.permute(0, 2, 3, 1).reshape(-1, 2)
        d2 = torch.cdist(points, centers).pow(2)
        d2k, idx = d2.topk(k, dim=1, largest=False)  # sorted: idx[:, 0] is the nearest bin
        weights = torch.exp(-d2k / (2.0 * sigma * sigma))
        weights = weights / weights.sum(dim=1, keepdim=True)
        target = torch.zeros(points.shape[0], centers.shape[0], device=ab.device)
        target.scatter_(1, idx, weights)
        target = target.reshape(n, h, w, -1).permute(0, 3, 1, 2)
        v = class_weights[idx[:, 0]].reshape(n, h, w)
        return target, v

    def loss_fn(logits, ab):
        n, _, h, w = logits.shape
        if full:
            logits = F.interpolate(logits, size=ab.shape[2:], mode="nearest")
        else:
            ab = ab[:, :, ::ab.shape[2] // h, ::ab.shape[3] // w]
        with torch.no_grad():
            target, v = soft_encode(ab)
        per_pixel = -(target * F.log_softmax(logits, dim=1)).sum(dim=1)
        return (v * per_pixel).sum() / n

    return loss_fn


def max_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def forward_flops(torch, model, L):
    """The forward pass's FLOPs by torch.utils.flop_counter (torch >= 2.1), else None."""
    try:
        from torch.utils.flop_counter import FlopCounterMode
    except ImportError:
        return None
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(L)
    model.train()
    return int(counter.get_total_flops())


def short_reason(error):
    lines = [line for line in str(error).splitlines() if line.strip()]
    text = f"{type(error).__name__}: {lines[0] if lines else ''}".strip()
    return text if len(text) <= 300 else text[:297] + "..."


def unavailable(config, mode, torch, reason):
    print(f"bench_pytorch.py: {config['model']}: {mode} unavailable: {reason}", file=sys.stderr)
    result = {"framework": "torch", "model": config["model"], "mode": mode,
              "batch": config["batch"], "unavailable": reason,
              "torch_version": torch.__version__}
    print("result " + json.dumps(result), flush=True)
    return 0


def run(torch, config, mode):
    device = torch.device(config["device"])
    gpu = device.type == "cuda"
    torch.set_num_threads(config["threads"])
    tf32_api = None
    if gpu:
        if not torch.cuda.is_available():
            return 4
        if device.index is None:
            device = torch.device("cuda", 0)
        torch.cuda.set_device(device)
        torch.backends.cudnn.enabled = True
        tf32_api = set_tf32(torch, bool(config["tf32"]))
        torch.backends.cudnn.benchmark = bool(config["cudnn_benchmark"])
        torch.backends.cudnn.deterministic = False
    if mode == "compiled" and not hasattr(torch, "compile"):
        return unavailable(config, mode, torch, f"torch {torch.__version__} has no torch.compile")
    base_mb = max_rss_mb()

    n, s = config["batch"], config["size"]
    with open(config["data"], "rb") as f:
        raw = f.read()
    values = torch.frombuffer(bytearray(raw), dtype=torch.float32)
    assert values.numel() == n * 3 * s * s, "bench_pytorch.py: the data file has the wrong size"
    L = values[:n * s * s].reshape(n, 1, s, s).clone().to(device)
    ab = values[n * s * s:].reshape(n, 2, s, s).clone().to(device)
    with open(config["bins"]) as f:
        centers = torch.tensor([[float(x) for x in line.split()] for line in f if line.strip()],
                               dtype=torch.float32, device=device)
    class_weights = torch.tensor([0.5 + ((q * 37) % 100) / 100.0 for q in range(313)],
                                 dtype=torch.float32, device=device)
    loss_fn = make_loss(torch, centers, class_weights, config["k"], config["sigma"],
                        config["loss"] == "full")

    torch.manual_seed(42)
    model = build_models(torch)[config["model"]](config["width"]).to(device)
    model.train()
    if mode != "eager":
        model = model.to(memory_format=torch.channels_last)
        L = L.contiguous(memory_format=torch.channels_last)
    flops = forward_flops(torch, model, L) if mode == "eager" else None
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=config["lr"], betas=(config["beta1"], config["beta2"]),
                           weight_decay=config["weight_decay"])

    def forward_loss(L, ab):
        if mode == "eager":
            return loss_fn(model(L), ab)
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16):
            return loss_fn(model(L), ab)

    step_loss = forward_loss
    if mode == "compiled":
        try:
            step_loss = torch.compile(forward_loss)
        except Exception as e:  # noqa: BLE001 - any failure makes the mode unavailable
            return unavailable(config, mode, torch, "torch.compile: " + short_reason(e))

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = step_loss(L, ab)
        loss.backward()
        opt.step()
        if gpu:
            torch.cuda.synchronize(device)
        return loss

    times, first_ms, first_loss, last_loss = [], 0.0, 0.0, 0.0
    total = config["warmup"] + config["steps"]
    try:
        for i in range(total):
            if gpu and i == config["warmup"]:
                torch.cuda.synchronize(device)
                torch.cuda.reset_peak_memory_stats(device)
            t0 = time.perf_counter()
            loss = train_step()
            t1 = time.perf_counter()
            if i == 0:
                first_ms = (t1 - t0) * 1e3
                first_loss = loss.item()
            if i >= config["warmup"]:
                times.append((t1 - t0) * 1e3)
            if i == total - 1:
                last_loss = loss.item()
    except Exception as e:  # noqa: BLE001
        if mode != "compiled":
            raise
        return unavailable(config, mode, torch, "running the compiled step: " + short_reason(e))
    med = statistics.median(times)
    result = {"framework": "torch", "model": config["model"], "mode": mode, "batch": n,
              "params": sum(p.numel() for p in params),
              "ms_per_step_median": med, "ms_per_step_mean": statistics.mean(times),
              "ms_per_step": times, "images_per_s": 1000.0 * n / med,
              "first_step_ms": first_ms, "first_loss": first_loss, "last_loss": last_loss,
              "forward_flops": flops, "torch_version": torch.__version__}
    if gpu:
        result["peak_mb"] = torch.cuda.max_memory_allocated(device) / 2**20
        result["peak_reserved_mb"] = torch.cuda.max_memory_reserved(device) / 2**20
        result["memory"] = "torch.cuda.max_memory_allocated"
        result["cudnn_version"] = torch.backends.cudnn.version()
        result["device_name"] = torch.cuda.get_device_name(device)
        result["tf32_api"] = tf32_api
    else:
        result["peak_mb"] = max_rss_mb()
        result["base_mb"] = base_mb
        result["memory"] = "getrusage max RSS"
    if config.get("profile_steps", 0) > 0:  # after the peak memory is read
        try:
            result["profile"] = op_profile(torch, train_step, config["profile_steps"], gpu)
        except Exception as e:  # noqa: BLE001 - the timing stands without it
            result["profile_error"] = short_reason(e)
    print(f"bench_pytorch.py: {config['model']} {mode} batch {n}: "
          f"{result['images_per_s']:.2f} images/s, peak {result['peak_mb']:.1f} MB",
          file=sys.stderr)
    print("result " + json.dumps(result), flush=True)
    return 0


def op_profile(torch, train_step, steps, gpu):
    """bench_train's op profile (framework/ops/op_profile.h) for PyTorch: `steps` more steps
    under torch.profiler, per operator (and per annotated region, such as a compiled graph's)
    its self time per step: on cuda the GPU time of the kernels it launched itself (CUPTI;
    the kernels' own rows, which repeat those times, are left out), on the cpu its self CPU
    time. The profiler's overhead is in the steps' wall time, not in the ops' GPU times."""
    from torch.profiler import ProfilerActivity, profile
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if gpu else [])
    with profile(activities=activities) as prof:
        t0 = time.perf_counter()
        for _ in range(steps):
            train_step()
        wall = time.perf_counter() - t0
    ops = []
    for e in prof.key_averages():
        if gpu:
            if str(getattr(e, "device_type", "")).endswith("CUDA"):
                continue  # a kernel's row: its time is already its launching op's
            us = getattr(e, "self_device_time_total", None)
            if us is None:
                us = getattr(e, "self_cuda_time_total", 0)
        else:
            us = e.self_cpu_time_total
        if us > 0:
            ops.append({"op": e.key, "calls_per_step": e.count / steps,
                        "ms_per_step": us / 1e3 / steps})
    ops.sort(key=lambda o: -o["ms_per_step"])
    return {"steps": steps, "ms_per_step": wall * 1e3 / steps,
            "clock": "torch profiler (CUPTI)" if gpu else "torch profiler (cpu)", "ops": ops}


def matmul_rate(torch, device_name, precisions, threads):
    device = torch.device(device_name)
    gpu = device.type == "cuda"
    if gpu and not torch.cuda.is_available():
        return 4
    if "tf32" in precisions and not gpu:
        print("bench_pytorch.py: --precisions tf32 needs --device cuda", file=sys.stderr)
        return 2
    if threads:
        torch.set_num_threads(threads)
    n, warmup, repeats = (8192, 3, 10) if gpu else (2048, 1, 5)
    rates = {}
    for precision in precisions:
        if gpu:
            set_tf32(torch, precision == "tf32")
        dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        a = torch.randn(n, n, device=device, dtype=dtype)
        b = torch.randn(n, n, device=device, dtype=dtype)
        best = math.inf
        for i in range(warmup + repeats):
            if gpu:
                start = torch.cuda.Event(enable_timing=True)
                end = torch.cuda.Event(enable_timing=True)
                start.record()
                torch.matmul(a, b)
                end.record()
                end.synchronize()
                seconds = start.elapsed_time(end) / 1e3
            else:
                t0 = time.perf_counter()
                torch.matmul(a, b)
                seconds = time.perf_counter() - t0
            if i >= warmup:
                best = min(best, seconds)
        rates[precision] = 2.0 * n ** 3 / best / 1e12
        print(f"bench_pytorch.py: matmul {n}x{n} {precision}: {rates[precision]:.3f} TFLOP/s",
              file=sys.stderr)
        del a, b
    result = {"rates_tflops": rates, "size": n, "warmup": warmup, "repeats": repeats,
              "device": str(device), "threads": torch.get_num_threads(),
              "device_name": torch.cuda.get_device_name(device) if gpu else "cpu",
              "torch_version": torch.__version__}
    print("result " + json.dumps(result), flush=True)
    return 0


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="bench_pytorch.py", description="PyTorch twin of apps/bench_train.")
    parser.add_argument("config", nargs="?", help="the run's JSON, written by bench_train")
    parser.add_argument("--mode", choices=MODES, help="eager (default), channels_last_bf16 "
                        "or compiled; overrides the config's \"mode\"")
    parser.add_argument("--check", action="store_true",
                        help="only check that torch imports (and sees the GPU with --device cuda)")
    parser.add_argument("--matmul-rate", action="store_true",
                        help="measure the dense matrix rate (TFLOP/s) instead of training")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    parser.add_argument("--precisions", default="", help="comma-separated fp32, tf32, bf16 "
                        "(default: tf32,bf16 on cuda, fp32 on the cpu)")
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads")
    args = parser.parse_args(argv)
    if args.check + args.matmul_rate + (args.config is not None) != 1:
        parser.error("give exactly one of CONFIG.json, --check, --matmul-rate")
    return args


def main(argv):
    args = parse_args(argv)
    torch = import_torch()
    if not torch:
        return 3
    gpu = args.device.startswith("cuda")
    if args.check:
        if gpu and not torch.cuda.is_available():
            print(f"bench_pytorch.py: torch {torch.__version__} under {sys.executable} cannot "
                  f"use a CUDA device", file=sys.stderr)
            return 4
        print("result {}", flush=True)
        return 0
    if args.matmul_rate:
        precisions = [p for p in args.precisions.split(",") if p] or (
            ["tf32", "bf16"] if gpu else ["fp32"])
        bad = [p for p in precisions if p not in PRECISIONS]
        if bad:
            print(f"bench_pytorch.py: unknown precision {bad[0]} (fp32, tf32, bf16)",
                  file=sys.stderr)
            return 2
        return matmul_rate(torch, args.device, precisions, args.threads)
    with open(args.config) as f:
        config = json.load(f)
    return run(torch, config, args.mode or config.get("mode", "eager"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
