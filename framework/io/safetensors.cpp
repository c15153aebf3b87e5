// safetensors writer and validating reader (files are written by framework/io/atomic_file.h).
// The reader checks the whole layout before trusting a byte of it (header bounds, JSON, dtype
// names, shapes against byte ranges, offsets covering the data exactly once) and names the
// file in every error, because a corrupt checkpoint is a user's problem to fix, not a crash.
#include "framework/io/safetensors.h"

#include <sys/stat.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "framework/core/error.h"
#include "framework/io/input_file.h"
#include "framework/tensor/factories.h"

namespace tint {

static_assert(std::endian::native == std::endian::little,
              "safetensors stores little-endian data; tint assumes a little-endian host");

namespace {

using ordered_json = nlohmann::ordered_json;

// The reference implementation refuses headers over 100 MB; so do we, so that a corrupt
// length cannot make us allocate gigabytes before noticing.
constexpr uint64_t kMaxHeaderBytes = 100ull * 1000 * 1000;

const char* safetensors_dtype(DType dtype) {
  switch (dtype) {
    case DType::Float32: return "F32";
    case DType::Float64: return "F64";
    case DType::Int32: return "I32";
    case DType::Int64: return "I64";
    case DType::UInt8: return "U8";
    case DType::BFloat16: return "BF16";
  }
  return "?";
}

// The dtype for a header string; throws naming the file for the ones tint cannot hold.
DType parse_dtype(const std::string& path, const std::string& name, const std::string& text) {
  if (text == "F32") return DType::Float32;
  if (text == "F64") return DType::Float64;
  if (text == "I32") return DType::Int32;
  if (text == "I64") return DType::Int64;
  if (text == "U8") return DType::UInt8;
  if (text == "BF16") return DType::BFloat16;
  if (text == "F16" || text == "F8_E4M3" || text == "F8_E5M2")
    TINT_FAIL(path, ": tensor '", name, "' has dtype ", text,
              ", which tint does not support; convert it to float32 (F32) before loading");
  if (text == "BOOL" || text == "I8" || text == "I16" || text == "U16" || text == "U32" ||
      text == "U64")
    TINT_FAIL(path, ": tensor '", name, "' has dtype ", text,
              ", which tint does not support (it reads F32, F64, BF16, I32, I64 and U8)");
  TINT_FAIL(path, ": tensor '", name, "' has unknown dtype '", text,
            "' (expected F32, F64, BF16, I32, I64 or U8)");
}

struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin, end;
};

Entry parse_entry(const std::string& path, const std::string& name, const ordered_json& value) {
  TINT_CHECK(value.is_object(), path, ": header entry '", name,
             "' is not an object with dtype, shape and data_offsets");
  for (const char* field : {"dtype", "shape", "data_offsets"})
    TINT_CHECK(value.contains(field), path, ": header entry '", name, "' has no \"", field,
               "\"");
  TINT_CHECK(value["dtype"].is_string(), path, ": tensor '", name, "': dtype is not a string");
  Entry e{name, parse_dtype(path, name, value["dtype"].get<std::string>()), {}, 0, 0};
  const ordered_json& shape = value["shape"];
  TINT_CHECK(shape.is_array(), path, ": tensor '", name, "': shape is not an array");
  for (const auto& s : shape) {
    TINT_CHECK(s.is_number_unsigned() || (s.is_number_integer() && s.get<int64_t>() >= 0),
               path, ": tensor '", name, "': shape ", shape.dump(),
               " must hold non-negative integers");
    e.shape.push_back(s.get<int64_t>());
  }
  const ordered_json& offsets = value["data_offsets"];
  TINT_CHECK(offsets.is_array() && offsets.size() == 2 && offsets[0].is_number_unsigned() &&
                 offsets[1].is_number_unsigned(),
             path, ": tensor '", name, "': data_offsets ", offsets.dump(),
             " must be two non-negative integers [begin, end]");
  e.begin = offsets[0].get<uint64_t>();
  e.end = offsets[1].get<uint64_t>();
  TINT_CHECK(e.begin <= e.end, path, ": tensor '", name, "': data_offsets [", e.begin, ", ",
             e.end, "] end before they begin");
  // numel * size in 128 bits would be exact; shapes that overflow 64 bits cannot match a
  // real byte range anyway, so a checked multiply suffices.
  uint64_t bytes = dtype_size(e.dtype);
  for (int64_t s : e.shape) {
    TINT_CHECK(s == 0 || bytes <= UINT64_MAX / static_cast<uint64_t>(s), path, ": tensor '",
               name, "': shape ", shape_str(e.shape), " is too large");
    bytes *= static_cast<uint64_t>(s);
  }
  TINT_CHECK(bytes == e.end - e.begin, path, ": tensor '", name, "': shape ",
             shape_str(e.shape), " of ", value["dtype"].get<std::string>(), " needs ", bytes,
             " bytes but data_offsets [", e.begin, ", ", e.end, "] hold ", e.end - e.begin);
  return e;
}

}  // namespace

namespace {
// Position of a dtype in the reference implementation's Dtype enum (BOOL, U8, I8, F8*, I16,
// U16, F16, BF16, I32, U32, F32, F64, I64, U64), which orders its output.
int writer_rank(DType dtype) {
  switch (dtype) {
    case DType::UInt8: return 1;
    case DType::BFloat16: return 7;
    case DType::Int32: return 9;
    case DType::Float32: return 11;
    case DType::Float64: return 12;
    case DType::Int64: return 13;
  }
  return 0;
}
}  // namespace

void save_safetensors(const std::string& path, const StateDict& tensors,
                      const std::map<std::string, std::string>& metadata) {
  ordered_json header = ordered_json::object();
  if (!metadata.empty()) {
    ordered_json meta = ordered_json::object();
    for (const auto& [key, value] : metadata) meta[key] = value;
    header["__metadata__"] = meta;
  }
  // The reference writer's layout: tensors ordered by dtype (its enum order, descending:
  // I64, F64, F32, I32, U8), then by name, so wider elements come first and every tensor's
  // data stays aligned to its element size.
  std::vector<std::pair<std::string, Tensor>> ordered(tensors.begin(), tensors.end());
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    return writer_rank(a.second.dtype()) > writer_rank(b.second.dtype());
  });
  std::vector<Tensor> host;
  host.reserve(ordered.size());
  uint64_t offset = 0;
  for (const auto& [name, tensor] : ordered) {
    TINT_CHECK(name != "__metadata__", "save_safetensors ", path,
               ": '__metadata__' is reserved and cannot name a tensor");
    TINT_CHECK(tensor.defined(), "save_safetensors ", path, ": tensor '", name,
               "' is undefined");
    host.push_back(tensor.detach().cpu().contiguous());
    const uint64_t nbytes = host.back().nbytes();
    header[name] = {{"dtype", safetensors_dtype(tensor.dtype())},
                    {"shape", tensor.shape()},
                    {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
  }
  std::string json = header.dump();
  // Pad with spaces to a multiple of 8 like the reference writer, so the tensor data starts
  // 8-byte aligned when the file is memory-mapped.
  json.append((8 - json.size() % 8) % 8, ' ');
  std::string bytes;
  bytes.reserve(8 + json.size() + offset);
  const uint64_t n = json.size();
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  bytes += json;
  for (const Tensor& t : host)
    bytes.append(static_cast<const char*>(t.raw_data()), t.nbytes());
  write_file_atomically(path, bytes);
}

SafetensorsFile load_safetensors(const std::string& path) {
  const std::string bytes = read_regular_file(path, "");  // a FIFO or device is refused
  TINT_CHECK(bytes.size() >= 8, path, ": file too small (", bytes.size(),
             " bytes): a safetensors file starts with an 8-byte header length");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  TINT_CHECK(n <= kMaxHeaderBytes, path, ": header length ", n,
             " bytes is implausible (over 100 MB); the file is not safetensors or is corrupt");
  TINT_CHECK(n <= bytes.size() - 8, path, ": truncated: header says ", n,
             " bytes of JSON but only ", bytes.size() - 8, " follow");
  ordered_json header;
  try {
    header = ordered_json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(n));
  } catch (const nlohmann::json::exception& e) {
    TINT_FAIL(path, ": the header is not valid JSON (", e.what(), ")");
  }
  TINT_CHECK(header.is_object(), path, ": the header is JSON but not an object");

  SafetensorsFile file;
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      TINT_CHECK(value.is_object(), path, ": __metadata__ is not an object of strings");
      for (const auto& [key, text] : value.items()) {
        TINT_CHECK(text.is_string(), path, ": __metadata__ value for '", key,
                   "' is not a string");
        file.metadata[key] = text.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(path, name, value));
  }

  // Offsets are relative to the byte after the header. Sorted by begin, the ranges must tile
  // [0, data size) exactly: a gap or overlap means a writer bug or corruption.
  const uint64_t data_size = bytes.size() - 8 - n;
  std::vector<const Entry*> sorted;
  for (const Entry& e : entries) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  const uint64_t needed = sorted.empty() ? 0 : std::max_element(sorted.begin(), sorted.end(),
      [](const Entry* a, const Entry* b) { return a->end < b->end; })[0]->end;
  TINT_CHECK(needed <= data_size, path, ": truncated: header says ", needed,
             " bytes of tensor data but only ", data_size, " follow");
  uint64_t expected = 0;
  for (const Entry* e : sorted) {
    TINT_CHECK(e->begin == expected, path, ": tensor '", e->name, "' has data_offsets [",
               e->begin, ", ", e->end, "] but the previous tensor ends at ", expected,
               e->begin < expected ? " (overlap)" : " (gap)");
    expected = e->end;
  }
  TINT_CHECK(expected == data_size, path, ": ", data_size - expected,
             " bytes after the last tensor are not described by the header (data section is ",
             data_size, " bytes, tensors cover ", expected, ")");

  const char* data = bytes.data() + 8 + n;
  for (const Entry& e : entries)
    file.tensors[e.name] = from_buffer(data + e.begin, e.shape, e.dtype);
  return file;
}

}  // namespace tint
