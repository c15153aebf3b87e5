// safetensors read and write: an 8-byte little-endian header length, a JSON header mapping
// each name to {dtype, shape, data_offsets} (plus an optional "__metadata__" map of strings),
// then the raw little-endian tensor bytes. Byte-compatible with the files PyTorch users save
// with safetensors.torch.save_file. Writes are atomic (temp file in the same folder, then
// rename), so an existing file is never left half-written.
#pragma once

#include <map>
#include <string>

#include "framework/io/atomic_file.h"
#include "framework/tensor/tensor.h"

namespace tint {

using StateDict = std::map<std::string, Tensor>;  // ordered by name, as safetensors stores

struct SafetensorsFile {
  StateDict tensors;
  std::map<std::string, std::string> metadata;
};

// Writes tensors (any device; copied to the host) and metadata to path atomically.
void save_safetensors(const std::string& path, const StateDict& tensors,
                      const std::map<std::string, std::string>& metadata = {});
// Reads every tensor onto the cpu. A missing, truncated or corrupt file is a tint::Error
// naming the path and what was wrong.
SafetensorsFile load_safetensors(const std::string& path);

}  // namespace tint
