// Checkpoint files: prefixing and unprefixing state dicts, the metadata that identifies a
// tint checkpoint, and an all-or-nothing restore of model plus optimizer.
#include "framework/io/checkpoint.h"

#include <charconv>
#include <system_error>

#include "framework/core/error.h"
#include "framework/io/metadata.h"

namespace tint {

namespace {

const std::string kModelPrefix = "model.";
const std::string kOptimPrefix = "optim.";

}  // namespace

void save_checkpoint(const std::string& path, const StateDict& model_state,
                     const Optimizer* optimizer, const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> meta;
  for (const auto& [key, value] : extra) {
    TINT_CHECK(key.rfind("tint.", 0) != 0, "save_checkpoint ", path, ": metadata key '", key,
               "' is reserved (keys starting with 'tint.' are tint's own)");
    meta[key] = value;
  }
  meta["tint.format"] = kCheckpointFormat;
  meta["tint.format_version"] = std::to_string(kCheckpointVersion);
  StateDict tensors;
  for (const auto& [name, t] : model_state) tensors[kModelPrefix + name] = t;
  if (optimizer) {
    meta["tint.optimizer"] = optimizer->type_name();
    meta["tint.step"] = std::to_string(optimizer->step_count());
    meta["tint.lr"] = format_metadata_number(optimizer->lr());
    for (const auto& [name, t] : optimizer->state()) tensors[kOptimPrefix + name] = t;
  }
  save_safetensors(path, tensors, meta);
}

void save_checkpoint(const std::string& path, const nn::Module& model, const Optimizer* optimizer,
                     const std::map<std::string, std::string>& extra) {
  save_checkpoint(path, model.state_dict(), optimizer, extra);
}

Checkpoint read_checkpoint(const std::string& path) {
  SafetensorsFile file = load_safetensors(path);
  auto format = file.metadata.find("tint.format");
  TINT_CHECK(format != file.metadata.end() && format->second == kCheckpointFormat, path,
             ": not a tint checkpoint (its metadata has no tint.format = ", kCheckpointFormat,
             "); to load plain weights use load_safetensors and Module::load_state_dict");
  const std::string& version =
      metadata_value(path, file.metadata, "tint.format_version", "checkpoint");
  TINT_CHECK(version == std::to_string(kCheckpointVersion), path, ": checkpoint format version ",
             version, " is not supported (this tint reads version ", kCheckpointVersion, ")");

  Checkpoint ckpt;
  for (const auto& [key, value] : file.metadata)
    if (key.rfind("tint.", 0) != 0) ckpt.extra[key] = value;
  auto optimizer = file.metadata.find("tint.optimizer");
  ckpt.has_optimizer = optimizer != file.metadata.end();
  if (ckpt.has_optimizer) {
    ckpt.optimizer_type = optimizer->second;
    ckpt.step = metadata_number<int64_t>(path, file.metadata, "tint.step", "checkpoint");
    ckpt.lr = metadata_number<double>(path, file.metadata, "tint.lr", "checkpoint");
  }
  for (auto& [name, t] : file.tensors) {
    if (name.rfind(kModelPrefix, 0) == 0) {
      ckpt.model[name.substr(kModelPrefix.size())] = t;
    } else if (name.rfind(kOptimPrefix, 0) == 0) {
      TINT_CHECK(ckpt.has_optimizer, path, ": tensor '", name,
                 "' is optimizer state but the checkpoint names no optimizer");
      ckpt.optimizer[name.substr(kOptimPrefix.size())] = t;
    } else {
      TINT_FAIL(path, ": tensor '", name,
                "' has neither the 'model.' nor the 'optim.' prefix "
                "of a tint checkpoint");
    }
  }
  return ckpt;
}

std::map<std::string, std::string> load_checkpoint(const std::string& path, nn::Module& model,
                                                   Optimizer* optimizer) {
  Checkpoint ckpt = read_checkpoint(path);
  if (optimizer) {
    TINT_CHECK(ckpt.has_optimizer, path,
               ": the checkpoint holds no optimizer state (it was "
               "saved with the weights only)");
    TINT_CHECK(ckpt.optimizer_type == optimizer->type_name(), path,
               ": the checkpoint's "
               "optimizer is ",
               ckpt.optimizer_type, " but a ", optimizer->type_name(), " was given to restore");
  }
  // load_state replaces the state tensors rather than writing into them, so these handles
  // are an intact snapshot to roll back to if the model then fails to load.
  const StateDict before = optimizer ? optimizer->state() : StateDict{};
  const int64_t before_step = optimizer ? optimizer->step_count() : 0;
  const double before_lr = optimizer ? optimizer->lr() : 0.0;
  bool optimizer_changed = false;
  try {
    if (optimizer) {
      try {
        nn::check_finite_state(ckpt.optimizer);
      } catch (const Error& e) {
        throw Error(std::string("optimizer state: ") + e.what());
      }
      optimizer->load_state(ckpt.optimizer, ckpt.step);  // validates before changing
      optimizer->set_lr(ckpt.lr);
      optimizer_changed = true;
    }
    model.load_state_dict(ckpt.model, /*strict=*/true);  // validates before changing
  } catch (const Error& e) {
    if (optimizer_changed) {
      optimizer->load_state(before, before_step);
      optimizer->set_lr(before_lr);
    }
    // Name the file: the loaders' own messages only name the key.
    throw Error(path + ": " + e.what());
  }
  return ckpt.extra;
}

}  // namespace tint
