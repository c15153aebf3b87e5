// ImageClassifier: loading a small-vgg checkpoint or VGG16 weights with a class map, and
// batched prediction on resampled images.
#include "image_classifier.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app_main.h"
#include "augment.h"
#include "setting_limits.h"
#include "framework/io/input_file.h"
#include "framework/io/metadata.h"
#include "framework/tint.h"
#include "kernels/prior.h"
#include "models/small_vgg.h"
#include "models/vgg16.h"

namespace tint::apps {

namespace fs = std::filesystem;

std::string label_from_path(const std::string& relative_path) {
  const fs::path parent = fs::path(relative_path).parent_path();
  const std::string label = parent.filename().string();
  TINT_CHECK(!label.empty() && label != "." && label != "..", "image ", relative_path,
             " has no parent folder to take its label from (expected <label>/<file>)");
  return label;
}

Tensor rgb8_to_classifier_input(const Tensor& images) {
  TINT_CHECK(images.defined() && images.dtype() == DType::UInt8 && images.dim() == 4 &&
                 images.size(3) == 3,
             "classifier input: expected uint8 RGB images (B, H, W, 3), got ",
             images.defined() ? shape_str(images.shape()) + " " + dtype_name(images.dtype())
                              : std::string("an undefined tensor"));
  return images.to(DType::Float32).permute({0, 3, 1, 2}).contiguous() * (1.0 / 255.0);
}

std::map<std::string, std::string> classifier_metadata(const std::vector<std::string>& classes,
                                                       double width, int size,
                                                       const std::string& data) {
  return {{kClassifierModelKey, kSmallVggName},
          {kClassifierWidthKey, format_metadata_number(width)},
          {kClassifierSizeKey, std::to_string(size)},
          {kClassifierClassesKey, nlohmann::json(classes).dump()},
          {kClassifierDataKey, data}};
}

std::map<std::string, std::vector<int64_t>> read_class_map(const std::string& path) {
  // A map of 1000 ImageNet indices is a few kilobytes; anything over this is not one.
  constexpr uint64_t kMaxBytes = 16 << 20;
  std::string text;
  const std::string problem = try_read_regular_file(path, kMaxBytes, &text);
  TINT_CHECK(problem.empty(), "class map ", path, " ", problem,
             " (expected a JSON file of kind -> ImageNet indices, e.g. "
             "data/imagenet_fruit_classes.json)");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    TINT_FAIL("class map ", path, " is not valid JSON: ", e.what());
  }
  const nlohmann::json& kinds = doc.is_object() && doc.contains("kinds") ? doc["kinds"] : doc;
  TINT_CHECK(kinds.is_object() && !kinds.empty(), "class map ", path,
             " must be a non-empty JSON object of kind -> ImageNet indices");
  std::map<std::string, std::vector<int64_t>> map;
  std::map<int64_t, std::string> owner;
  for (const auto& [kind, entry] : kinds.items()) {
    const nlohmann::json& list = entry.is_object() && entry.contains("imagenet") ? entry["imagenet"] : entry;
    TINT_CHECK(list.is_array() && !list.empty(), "class map ", path, ": kind '", kind,
               "' must map to a non-empty list of ImageNet indices");
    for (const nlohmann::json& v : list) {
      TINT_CHECK(v.is_number_integer() && v.get<int64_t>() >= 0 &&
                     v.get<int64_t>() < models::Vgg16::kClasses,
                 "class map ", path, ": kind '", kind, "' lists ", v.dump(),
                 ", not an ImageNet index in [0, 1000)");
      const int64_t index = v.get<int64_t>();
      auto [it, fresh] = owner.emplace(index, kind);
      TINT_CHECK(fresh || it->second == kind, "class map ", path, ": ImageNet index ", index,
                 " belongs to both '", it->second, "' and '", kind,
                 "' (a top-1 class must name one kind)");
      map[kind].push_back(index);
    }
  }
  return map;
}

namespace {

std::string width_text(double width) {
  std::ostringstream s;
  s << "x" << width;
  return s.str();
}


}  // namespace

ImageClassifier::ImageClassifier(std::shared_ptr<nn::Module> model,
                                 std::vector<std::string> classes, int input_size, Device device,
                                 std::string description)
    : model_(std::move(model)),
      classes_(std::move(classes)),
      known_(classes_.begin(), classes_.end()),
      input_size_(input_size),
      device_(device),
      description_(std::move(description)) {
  TINT_CHECK(model_ != nullptr, "ImageClassifier: no model given");
  TINT_CHECK(input_size_ > 0, "ImageClassifier: the input size must be > 0, got ", input_size_);
  model_->eval();
}

ImageClassifier::~ImageClassifier() = default;

std::unique_ptr<ImageClassifier> ImageClassifier::load(const std::string& path,
                                                       const std::string& class_map,
                                                       Device device) {
  const std::string problem = try_read_regular_file(path, kNoSizeLimit, nullptr);  // reads nothing
  TINT_CHECK(problem.empty(), "classifier ", path, " ", problem, " (expected ",
             class_map.empty() ? "a train_classifier checkpoint" : "VGG16 safetensors weights",
             ")");
  if (class_map.empty()) {
    // Other files people hand over by mistake, said as such.
    const Metadata file_meta = load_safetensors(path).metadata;  // errors name the path
    const auto format = file_meta.find("tint.format");
    TINT_CHECK(format == file_meta.end() || format->second != color::kPriorFormat, path,
               " is a colour prior (written by compute_prior or train_colorizer), not an image "
               "classifier: give one written by train_classifier");
    TINT_CHECK(format != file_meta.end() && format->second == kCheckpointFormat, path,
               " is not a tint checkpoint: give a classifier written by train_classifier, or "
               "VGG16 weights with --class-map");
    TINT_CHECK(file_meta.count("train.model") == 0, path,
               " is a train_colorizer checkpoint (a colorization network), not an image "
               "classifier: give one written by train_classifier");
    const Checkpoint ck = read_checkpoint(path);
    auto kind = ck.extra.find(kClassifierModelKey);
    TINT_CHECK(kind != ck.extra.end(), path,
               " is a tint checkpoint but not an image classifier (no '", kClassifierModelKey,
               "' metadata; expected a checkpoint written by train_classifier, or give a class "
               "map for VGG16 weights)");
    TINT_CHECK(kind->second == kSmallVggName, path, ": unknown classifier model '", kind->second,
               "' (expected '", kSmallVggName, "')");
    const char* what = "image classifier";
    const double width =
        metadata_real(path, ck.extra, kClassifierWidthKey, what, limits::kClassifierWidth);
    const int size = static_cast<int>(
        metadata_whole(path, ck.extra, kClassifierSizeKey, what, limits::kClassifierSize));
    std::vector<std::string> classes;
    try {
      classes = nlohmann::json::parse(metadata_value(path, ck.extra, kClassifierClassesKey, what))
                    .get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception& e) {
      TINT_FAIL(path, ": metadata '", kClassifierClassesKey,
                "' is not a JSON list of class names: ", e.what());
    }
    TINT_CHECK(!classes.empty(), path, ": the classifier has no classes");
    auto model = std::make_shared<models::SmallVgg>(static_cast<int64_t>(classes.size()), width);
    try {
      nn::check_finite_state(ck.model);
    } catch (const Error& e) {
      TINT_FAIL(path, ": ", user_message(e.what()));
    }
    try {
      model->load_state_dict(ck.model);
    } catch (const Error& e) {
      TINT_FAIL(path, ": the weights do not fit a small-vgg of width ", width, " with ",
                classes.size(), " classes: ", e.what());
    }
    model->to(device);
    const auto data = ck.extra.find(kClassifierDataKey);
    std::string description = std::string(kSmallVggName) + " " + width_text(width) + ", " +
                              std::to_string(classes.size()) + " classes, " +
                              std::to_string(size) + "x" + std::to_string(size);
    if (data != ck.extra.end() && !data->second.empty())
      description += ", trained on " + data->second;
    return std::make_unique<ImageClassifier>(model, classes, size, device, description);
  }

  const std::map<std::string, std::vector<int64_t>> kinds = read_class_map(class_map);
  const SafetensorsFile file = load_safetensors(path);
  bool prefixed = false;
  for (const auto& [name, t] : file.tensors) prefixed |= name.rfind("model.", 0) == 0;
  StateDict state;
  for (const auto& [name, t] : file.tensors) {
    if (!prefixed) state[name] = t;
    else if (name.rfind("model.", 0) == 0) state[name.substr(6)] = t;
  }
  auto first = state.find("features.0.weight");
  TINT_CHECK(first != state.end() && first->second.dim() == 4 && first->second.size(0) > 0,
             path, " holds no VGG16 weights: no 4-D tensor 'features.0.weight' (expected "
             "torchvision's vgg16 state dict, optionally under 'model.')");
  const double width = static_cast<double>(first->second.size(0)) / 64.0;
  auto model = std::make_shared<models::Vgg16>(width);
  try {
    nn::check_finite_state(state);
  } catch (const Error& e) {
    TINT_FAIL(path, ": ", user_message(e.what()));
  }
  try {
    model->load_state_dict(state);
  } catch (const Error& e) {
    TINT_FAIL(path, ": not torchvision's VGG16 (no batch norm) state dict: ", e.what());
  }
  model->to(device);
  auto classifier = std::unique_ptr<ImageClassifier>(new ImageClassifier());
  classifier->model_ = model;
  classifier->model_->eval();
  classifier->imagenet_ = true;
  classifier->input_size_ = static_cast<int>(models::Vgg16::kInputSize);
  classifier->batch_size_ = 8;
  classifier->device_ = device;
  for (const auto& [kind, indices] : kinds) {
    classifier->classes_.push_back(kind);
    classifier->known_.insert(kind);
    for (int64_t i : indices) classifier->imagenet_kind_[i] = kind;
  }
  classifier->description_ = "VGG16 (ImageNet)" +
                             (width == 1.0 ? std::string() : " " + width_text(width)) + ", " +
                             std::to_string(kinds.size()) + " kinds mapped";
  return classifier;
}

bool ImageClassifier::knows(const std::string& label) const { return known_.count(label) > 0; }

std::string ImageClassifier::describe() const { return description_; }

std::vector<std::string> ImageClassifier::predict(const std::vector<RgbImage>& images) {
  model_->eval();
  NoGradGuard no_grad;
  std::vector<std::string> labels;
  labels.reserve(images.size());
  const int s = input_size_;
  for (size_t begin = 0; begin < images.size(); begin += static_cast<size_t>(batch_size_)) {
    const size_t end = std::min(images.size(), begin + static_cast<size_t>(batch_size_));
    Tensor batch = Tensor::empty({static_cast<int64_t>(end - begin), s, s, 3}, DType::UInt8);
    uint8_t* dst = batch.data<uint8_t>();
    for (size_t i = begin; i < end; ++i) {
      const RgbImage& image = images[i];
      TINT_CHECK(image.width > 0 && image.height > 0 &&
                     image.pixels.size() == static_cast<size_t>(image.width) * image.height * 3,
                 "ImageClassifier::predict: image ", i, " is empty or its pixels do not match its ",
                 image.width, "x", image.height, " size");
      const RgbImage r = resample(image, center_square(image.width, image.height), s, s);
      std::copy(r.pixels.begin(), r.pixels.end(), dst + (i - begin) * static_cast<size_t>(s) * s * 3);
    }
    const Tensor logits = (*model_)(rgb8_to_classifier_input(batch.to(device_)));
    for (int64_t top : argmax(logits, 1).cpu().to_vector<int64_t>()) {
      if (!imagenet_) {
        labels.push_back(classes_.at(static_cast<size_t>(top)));
        continue;
      }
      auto it = imagenet_kind_.find(top);
      labels.push_back(it != imagenet_kind_.end() ? it->second : "imagenet:" + std::to_string(top));
    }
  }
  return labels;
}

}  // namespace tint::apps
