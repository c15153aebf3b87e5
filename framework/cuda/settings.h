// Switches of the CUDA backend, as PyTorch's torch.backends.cudnn flags:
//   benchmark      — cudnnFind (time every algorithm once per shape) instead of heuristics;
//   deterministic  — only algorithms cuDNN marks deterministic;
//   allow_tf32     — TF32 tensor cores for fp32 convolutions (on by default, as PyTorch's
//                    torch.backends.cudnn.allow_tf32). Matmuls stay full fp32, as PyTorch's
//                    default torch.backends.cuda.matmul.allow_tf32 = False.
//   vectorized_bias_relu — tint's bias + ReLU (and bfloat16 conv bias) kernels read and write
//                    16-byte packs where the layout allows, with the same arithmetic per
//                    element (off: one element per thread; bench_kernels times both).
// Plain C++ so apps can set them in any build.
#pragma once

namespace tint::cuda {

struct Settings {
  bool benchmark = false;
  bool deterministic = false;
  bool allow_tf32 = true;
  bool vectorized_bias_relu = true;
};

Settings& settings();

}  // namespace tint::cuda
