// Training checkpoints: one safetensors file holding the model's state dict under "model.",
// the optimizer's state under "optim.", and metadata (format marker and version, optimizer
// type, step count, lr, plus the caller's own string entries). Any safetensors reader opens
// it; a PyTorch user gets the model by stripping the "model." prefix.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "framework/io/safetensors.h"
#include "framework/nn/module.h"
#include "framework/optim/optimizer.h"

namespace tint {

// Metadata keys tint writes; the caller's extra keys must not start with "tint.".
inline constexpr const char* kCheckpointFormat = "tint-checkpoint";
inline constexpr int kCheckpointVersion = 1;

struct Checkpoint {
  StateDict model;      // prefix removed
  StateDict optimizer;  // prefix removed; empty when saved without an optimizer
  bool has_optimizer = false;
  std::string optimizer_type;  // "SGD", "Adam", "AdamW"
  int64_t step = 0;
  double lr = 0.0;
  std::map<std::string, std::string> extra;  // the caller's metadata
};

// Writes atomically. optimizer may be null (weights only). A tint::Error for an extra key
// starting with "tint.".
void save_checkpoint(const std::string& path, const StateDict& model_state,
                     const Optimizer* optimizer,
                     const std::map<std::string, std::string>& extra = {});
void save_checkpoint(const std::string& path, const nn::Module& model, const Optimizer* optimizer,
                     const std::map<std::string, std::string>& extra = {});

// Reads and checks the layout; a file that is not a tint checkpoint (no marker, another
// version, stray tensors) is a tint::Error naming the path.
Checkpoint read_checkpoint(const std::string& path);

// Restores the model (strict load_state_dict) and, when given, the optimizer (state, step
// count, lr); the optimizer's type must match the saved one. A NaN or infinite value in the
// model's tensors or the optimizer's state is an error naming the tensor. All or nothing:
// when any part fails, the model and the optimizer are left as they were. Returns the extra
// metadata.
std::map<std::string, std::string> load_checkpoint(const std::string& path, nn::Module& model,
                                                   Optimizer* optimizer = nullptr);

}  // namespace tint
