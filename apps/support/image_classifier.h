// Image classifiers for the experiments (the "classifier accuracy on colorized images"
// column): a small-vgg checkpoint written by apps/train_classifier (models/small_vgg.h), or
// torchvision's VGG16 (models/vgg16.h) loaded from converted weights with a class map from
// Fruits kinds to ImageNet indices (data/imagenet_fruit_classes.json). Library code: errors
// are tint::Errors naming the file and what was expected; nothing is printed.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "framework/core/device.h"
#include "framework/nn/module.h"
#include "image_io.h"

namespace tint::apps {

// The label of an image id/path: its parent folder's name ("banana/banana_0001.png" ->
// "banana"); tint::Error when it has none.
std::string label_from_path(const std::string& relative_path);

// uint8 RGB images (B, H, W, 3) on any device -> float32 (B, 3, H, W) in [0, 1] on the same
// device: what the classifiers take.
Tensor rgb8_to_classifier_input(const Tensor& images);

// Metadata keys of a small-vgg checkpoint (train_classifier writes them, load reads them).
inline constexpr const char* kClassifierModelKey = "classifier";          // "small-vgg"
inline constexpr const char* kClassifierWidthKey = "classifier.width";    // e.g. "0.5"
inline constexpr const char* kClassifierSizeKey = "classifier.size";      // input side, e.g. "64"
inline constexpr const char* kClassifierClassesKey = "classifier.classes";  // JSON array
inline constexpr const char* kClassifierDataKey = "classifier.data";      // training folder
inline constexpr const char* kSmallVggName = "small-vgg";

// The metadata above for a checkpoint of a small-vgg.
std::map<std::string, std::string> classifier_metadata(const std::vector<std::string>& classes,
                                                       double width, int size,
                                                       const std::string& data);

// The class map file: kind -> ImageNet-1k indices. Either {"kinds": {...}, ...} (the
// committed data/imagenet_fruit_classes.json, each kind {"imagenet": [...], ...}) or a
// plain object {"banana": [954], ...}. An index in [0, 1000) may belong to one kind only.
// tint::Error naming the file for a missing or malformed one.
std::map<std::string, std::vector<int64_t>> read_class_map(const std::string& path);

class ImageClassifier {
 public:
  // A train_classifier checkpoint (class names, model, width and input size in its
  // metadata); or, when class_map is not empty, a plain safetensors file of torchvision
  // VGG16 weights (optional "model." prefix stripped) plus the JSON class map (kind ->
  // ImageNet indices). Every error names the path and what was expected.
  static std::unique_ptr<ImageClassifier> load(const std::string& path,
                                               const std::string& class_map, Device device);
  // A small-vgg model in hand (train_classifier's final test): takes the model; it is used
  // in eval mode on its current device.
  ImageClassifier(std::shared_ptr<nn::Module> model, std::vector<std::string> classes,
                  int input_size, Device device, std::string description);
  ~ImageClassifier();

  // True when images of this label can be scored (a class of the checkpoint, or a kind in
  // the class map).
  bool knows(const std::string& label) const;
  // The predicted label of each image (uint8 RGB, any size: the centre square resampled to
  // the network's input size as train_classifier's val/test splits are, apps/support/
  // augment.h). For VGG16: the kind whose ImageNet indices contain the top-1 class, else
  // "imagenet:<index>". Runs in eval mode, no gradient, in batches.
  std::vector<std::string> predict(const std::vector<RgbImage>& images);
  // One line: "small-vgg x0.5, 37 classes, 64x64, trained on ..." / "VGG16 (ImageNet), 13
  // kinds mapped".
  std::string describe() const;
  int input_size() const { return input_size_; }
  // small-vgg: the class names by index; VGG16: the mapped kinds, sorted.
  const std::vector<std::string>& classes() const { return classes_; }
  Device device() const { return device_; }

 private:
  ImageClassifier() = default;
  std::shared_ptr<nn::Module> model_;
  std::vector<std::string> classes_;
  std::set<std::string> known_;
  std::map<int64_t, std::string> imagenet_kind_;  // VGG16 only
  bool imagenet_ = false;
  int input_size_ = 0;
  int batch_size_ = 32;
  Device device_;
  std::string description_;
};

}  // namespace tint::apps
