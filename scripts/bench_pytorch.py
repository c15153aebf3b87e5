#!/usr/bin/python3
"""PyTorch twin of apps/bench_train: one training step of a colorization network (forward,
class-rebalanced cross-entropy, backward, Adam) in plain eager PyTorch, timed on the data,
device and settings that bench_train passes in a JSON file. Prints one line
"result {json}" on stdout (images/s of the median step, peak memory, first loss, parameter
count) for bench_train to read; progress goes to stderr.

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
torch.cuda.synchronize(). Peak memory: on cuda torch.cuda.max_memory_allocated() with the
peak reset after the model, optimizer and data are in place; on the cpu the process' max RSS
(resource.getrusage), "base_mb" being the max RSS before the model is built.

Usage: /usr/bin/python3 scripts/bench_pytorch.py CONFIG.json         (normally via bench_train)
       /usr/bin/python3 scripts/bench_pytorch.py --check [--device cuda]
Exit codes: 3 PyTorch is not importable; 4 PyTorch cannot use a CUDA device.
"""
import json
import math
import resource
import statistics
import sys
import time


def import_torch():
    try:
        import torch
    except ImportError:
        print("bench_pytorch.py: PyTorch is not importable by " + sys.executable, file=sys.stderr)
        return None
    return torch


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


def run(torch, config):
    device = torch.device(config["device"])
    gpu = device.type == "cuda"
    torch.set_num_threads(config["threads"])
    if gpu:
        if not torch.cuda.is_available():
            return 4
        if device.index is None:
            device = torch.device("cuda", 0)
        torch.cuda.set_device(device)
        torch.backends.cudnn.enabled = True
        torch.backends.cudnn.allow_tf32 = bool(config["tf32"])
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.benchmark = bool(config["cudnn_benchmark"])
        torch.backends.cudnn.deterministic = False
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
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=config["lr"], betas=(config["beta1"], config["beta2"]),
                           weight_decay=config["weight_decay"])
    if gpu:
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)

    times, first_loss, last_loss = [], 0.0, 0.0
    total = config["warmup"] + config["steps"]
    for i in range(total):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(L), ab)
        loss.backward()
        opt.step()
        if gpu:
            torch.cuda.synchronize(device)
        t1 = time.perf_counter()
        if i >= config["warmup"]:
            times.append((t1 - t0) * 1e3)
        if i == 0:
            first_loss = loss.item()
        if i == total - 1:
            last_loss = loss.item()
    med = statistics.median(times)
    result = {"framework": "torch", "model": config["model"],
              "params": sum(p.numel() for p in params),
              "ms_per_step_median": med, "ms_per_step_mean": statistics.mean(times),
              "ms_per_step": times, "images_per_s": 1000.0 * n / med,
              "first_loss": first_loss, "last_loss": last_loss,
              "torch_version": torch.__version__}
    if gpu:
        result["peak_mb"] = torch.cuda.max_memory_allocated(device) / 2**20
        result["peak_reserved_mb"] = torch.cuda.max_memory_reserved(device) / 2**20
        result["memory"] = "torch.cuda.max_memory_allocated"
        result["cudnn_version"] = torch.backends.cudnn.version()
        result["device_name"] = torch.cuda.get_device_name(device)
    else:
        result["peak_mb"] = max_rss_mb()
        result["base_mb"] = base_mb
        result["memory"] = "getrusage max RSS"
    print(f"bench_pytorch.py: {config['model']}: {result['images_per_s']:.2f} images/s, "
          f"peak {result['peak_mb']:.1f} MB", file=sys.stderr)
    print("result " + json.dumps(result), flush=True)
    return 0


def main(argv):
    if argv[:1] == ["--check"]:
        torch = import_torch()
        if not torch:
            return 3
        if argv[1:] == ["--device", "cuda"] and not torch.cuda.is_available():
            print(f"bench_pytorch.py: torch {torch.__version__} under {sys.executable} cannot "
                  f"use a CUDA device", file=sys.stderr)
            return 4
        print("result {}", flush=True)
        return 0
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    torch = import_torch()
    if not torch:
        return 3
    with open(argv[0]) as f:
        config = json.load(f)
    return run(torch, config)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
