// Colorization evaluation: methods, scores and the written report (evaluation.h).
#include "evaluation.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "app_main.h"
#include "framework/autograd/grad_mode.h"
#include "framework/core/error.h"
#include "framework/core/random_math.h"
#include "framework/io/safetensors.h"
#include "framework/ops/shape_ops.h"
#include "framework/tensor/factories.h"
#include "image_classifier.h"
#include "image_tensor.h"
#include "kernels/ab_bins.h"
#include "kernels/annealed_mean.h"
#include "kernels/lab.h"
#include "kernels/metrics.h"
#include "line_plot.h"
#include "output_guard.h"
#include "progress_bar.h"
#include "setting_limits.h"
#include "trainer.h"

namespace tint::apps {

namespace fs = std::filesystem;

namespace {

constexpr int kDefaultSize = 176;
constexpr uint64_t kRandomBaselineStream = 0x7261'6e64'6f6d'6162ull;  // "randomab"

// The image's id relative to its split folder ("test/banana/b.png" -> "banana/b.png").
std::string split_relative_id(const ImageDataset& set, const std::string& id) {
  if (!set.split_folders()) return id;
  const size_t slash = id.find('/');
  return slash == std::string::npos ? id : id.substr(slash + 1);
}

std::string fixed(double v, int digits = 6) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// A CSV field: quoted when it holds a comma, quote or newline.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

const char* eval_method_name(EvalMethod method) {
  switch (method) {
    case EvalMethod::Checkpoint: return "checkpoint";
    case EvalMethod::Truth: return "truth";
    case EvalMethod::Gray: return "gray";
    case EvalMethod::Random: return "random";
  }
  return "?";
}

EvalMethod parse_baseline(const std::string& name) {
  if (name == "truth") return EvalMethod::Truth;
  if (name == "gray" || name == "grey") return EvalMethod::Gray;
  if (name == "random") return EvalMethod::Random;
  TINT_FAIL("unknown baseline '", name, "'; the baselines are: gray, random, truth");
}

std::vector<double> cumulative_within(const std::vector<double>& values) {
  std::vector<double> within(color::kAucMaxThreshold + 1, 0.0);
  if (values.empty()) return within;
  for (double v : values) {
    // Counted at every threshold t >= v (t integer).
    const double first = std::ceil(v);
    if (first <= color::kAucMaxThreshold) within[static_cast<size_t>(std::max(first, 0.0))] += 1;
  }
  for (size_t t = 1; t < within.size(); ++t) within[t] += within[t - 1];
  for (double& w : within) w /= static_cast<double>(values.size());
  return within;
}

Tensor class_rebalanced_weights(const Tensor& true_ab) {
  TINT_CHECK(true_ab.defined() && true_ab.dim() == 4 && true_ab.size(1) == 2,
             "class_rebalanced_weights: expected true ab (N, 2, H, W), got ",
             true_ab.defined() ? describe(true_ab) : "an undefined tensor");
  const Tensor ab = true_ab.cpu().to(DType::Float32).contiguous();
  const int64_t n = ab.size(0), hw = ab.size(2) * ab.size(3);
  const float* p = ab.data<float>();
  const color::AbBins& bins = color::AbBins::standard();
  std::vector<int64_t> bin(static_cast<size_t>(n * hw));
  std::vector<double> count(static_cast<size_t>(bins.size()), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < hw; ++k) {
      const int64_t q = bins.nearest(p[(i * 2) * hw + k], p[(i * 2 + 1) * hw + k]);
      bin[i * hw + k] = q;
      count[q] += 1;
    }
  std::vector<double> w(bin.size());
  for (size_t j = 0; j < bin.size(); ++j) w[j] = 1.0 / count[bin[j]];
  return from_vector(w, {n, ab.size(2), ab.size(3)});
}

void score_ab(const Tensor& pred_ab, const Tensor& true_ab, EvaluationResult& result) {
  TINT_CHECK(pred_ab.defined() && true_ab.defined() && pred_ab.shape() == true_ab.shape() &&
                 true_ab.dim() == 4 && true_ab.size(1) == 2 && true_ab.size(0) > 0,
             "score_ab: expected predicted and true ab of the same shape (N, 2, H, W), got ",
             pred_ab.defined() ? describe(pred_ab) : "undefined", " and ",
             true_ab.defined() ? describe(true_ab) : "undefined");
  const Tensor errors = color::ab_errors(pred_ab, true_ab).cpu().to(DType::Float64).contiguous();
  const color::AucResult plain = color::auc_from_errors(errors);
  result.auc_pooled = plain.pooled;
  result.auc_per_image_mean = plain.mean_per_image;
  result.pixels_within = plain.cumulative;
  result.auc_rebalanced =
      color::auc_from_errors(errors, class_rebalanced_weights(true_ab)).pooled;

  const int64_t n = errors.size(0), hw = errors.size(1) * errors.size(2);
  const Tensor pred = pred_ab.cpu().to(DType::Float64).contiguous();
  const Tensor truth = true_ab.cpu().to(DType::Float64).contiguous();
  const double *e = errors.data<double>(), *pa = pred.data<double>(), *ta = truth.data<double>();
  result.per_image.resize(static_cast<size_t>(n));
  std::vector<double> image_errors(static_cast<size_t>(n));
  double error_sum = 0, chroma_pred = 0, chroma_true = 0;
  for (int64_t i = 0; i < n; ++i) {
    double es = 0, cp = 0, ct = 0;
    for (int64_t k = 0; k < hw; ++k) {
      es += e[i * hw + k];
      cp += std::hypot(pa[(2 * i) * hw + k], pa[(2 * i + 1) * hw + k]);
      ct += std::hypot(ta[(2 * i) * hw + k], ta[(2 * i + 1) * hw + k]);
    }
    ImageScore& s = result.per_image[static_cast<size_t>(i)];
    s.auc = plain.per_image[static_cast<size_t>(i)];
    s.mean_error = es / static_cast<double>(hw);
    s.chroma_pred = cp / static_cast<double>(hw);
    s.chroma_true = ct / static_cast<double>(hw);
    image_errors[static_cast<size_t>(i)] = s.mean_error;
    error_sum += es, chroma_pred += cp, chroma_true += ct;
  }
  const double pixels = static_cast<double>(n * hw);
  result.mean_error = error_sum / pixels;
  result.chroma_pred = chroma_pred / pixels;
  result.chroma_true = chroma_true / pixels;
  result.images_within = cumulative_within(image_errors);
  result.images = n;
}

EvaluationResult evaluate_colorization(const EvaluateConfig& c) {
  const auto start = std::chrono::steady_clock::now();
  const auto log = [&](const std::string& line) {
    if (c.log) return c.log(line);
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  TINT_CHECK(c.checkpoint.empty() != c.baseline.empty(),
             c.checkpoint.empty() ? "nothing to evaluate: give a checkpoint or a baseline "
                                    "(gray, random, truth)"
                                  : "give a checkpoint or a baseline, not both");
  const EvalMethod method = c.checkpoint.empty() ? parse_baseline(c.baseline)
                                                 : EvalMethod::Checkpoint;
  TINT_CHECK(!c.out.empty(), "no output folder (--out) was given");
  check_output_outside_input(c.out, "--out", c.data, "--data");
  if (c.size) check_setting("--size", *c.size, limits::kImageSize);
  if (c.temperature) check_setting("--temperature", *c.temperature, limits::kTemperature);
  check_setting("--batch", c.batch, limits::kBatch);
  check_setting("--threads", c.threads, limits::kDecodeThreads);
  const Device device = pick_device(c.device);

  EvaluationResult result;
  result.method = eval_method_name(method);
  std::optional<LoadedColorizer> colorizer;
  int size = c.size.value_or(kDefaultSize);
  double temperature = c.temperature.value_or(color::kAnnealedTemperature);
  if (method == EvalMethod::Checkpoint) {
    colorizer = load_colorizer(c.checkpoint, c.spec, device);
    size = c.size.value_or(colorizer->trained_size.value_or(kDefaultSize));
    temperature = c.temperature.value_or(
        colorizer->trained_temperature.value_or(color::kAnnealedTemperature));
    result.description = c.checkpoint;
    const auto loss = colorizer->metadata.find(kTrainLossKey);
    if (loss != colorizer->metadata.end()) {
      result.loss = loss->second;
      result.description += " (" + result.loss + " loss)";
    }
  } else {
    result.description = std::string("baseline ") + result.method;
  }
  result.size = size;
  result.temperature = temperature;

  DatasetOptions options{.size = size, .seed = c.seed, .augment = false,
                         .max_pixels = c.max_pixels};
  ImageDataset set(c.data, c.split, options);
  std::unique_ptr<ImageDataset> random_source;
  if (method == EvalMethod::Random) {
    const std::string from = c.random_from.empty() ? c.data : c.random_from;
    random_source = std::make_unique<ImageDataset>(from, Split::Train, options);
    result.description += " (ab of random training images of " + from + ")";
  }
  std::unique_ptr<ImageClassifier> classifier;
  if (!c.classifier.empty()) {
    classifier = ImageClassifier::load(c.classifier, c.class_map, device);
    result.classifier = classifier->describe();
  }
  fs::create_directories(c.out);
  if (c.save_images) fs::create_directories(fs::path(c.out) / "images");

  log("evaluate: " + result.description + " on " + std::to_string(set.size()) + " " +
      split_name(c.split) + " images of " + c.data + " at " + std::to_string(size) + "x" +
      std::to_string(size) + (classifier ? "; classifier: " + result.classifier : ""));

  NoGradGuard no_grad;
  BatchLoader loader(set, {.batch_size = c.batch, .shuffle = false, .seed = c.seed,
                           .threads = c.threads});
  loader.start_epoch(0);
  std::unique_ptr<ProgressBar> bar;
  if (c.progress) bar = std::make_unique<ProgressBar>(int64_t(set.size()), "evaluate", "img");
  std::vector<Tensor> preds, truths;
  std::vector<std::string> ids, labels, predicted;
  int64_t done = 0, correct = 0;
  while (std::optional<Batch> batch = loader.next()) try {  // a failure names the batch: below
    const Tensor lab = color::rgb8_to_lab(batch->images.to(device));  // (B, 3, H, W)
    const Tensor L = lab.slice(1, 0, 1).contiguous();
    const Tensor ab = lab.slice(1, 1, 3).contiguous();
    Tensor pred;
    switch (method) {
      case EvalMethod::Truth: pred = ab; break;
      case EvalMethod::Gray: pred = zeros_like(ab); break;
      case EvalMethod::Checkpoint:
        pred = decode_full_resolution(*colorizer->model, colorizer->model->forward(L), size, size,
                                      temperature)
                   .to(DType::Float32);
        break;
      case EvalMethod::Random: {
        std::vector<uint8_t> pixels;
        for (int64_t index : batch->indices) {
          const uint64_t draw = rnd::bits(rnd::bits(c.seed, kRandomBaselineStream),
                                          static_cast<uint64_t>(index));
          const size_t j = static_cast<size_t>(draw % random_source->size());
          // An unreadable training image is replaced by the next readable one.
          std::optional<RgbImage> img;
          for (size_t k = 0; k < random_source->size() && !img; ++k)
            img = random_source->get((j + k) % random_source->size(), 0);
          TINT_CHECK(img.has_value(), "random baseline: no training image of ", c.random_from,
                     " could be read");
          pixels.insert(pixels.end(), img->pixels.begin(), img->pixels.end());
        }
        const Tensor rgb8 = from_vector(pixels, {batch->size(), int64_t(size), int64_t(size), 3});
        pred = color::rgb8_to_lab(rgb8.to(device)).slice(1, 1, 3).contiguous();
        break;
      }
    }
    const size_t first = ids.size();
    for (const std::string& id : batch->ids) ids.push_back(split_relative_id(set, id));
    // The colorized sRGB images, only when written or classified.
    std::vector<RgbImage> colorized;
    if (c.save_images || classifier) colorized = images_of(color::lab_to_rgb8(cat({L, pred}, 1)));
    if (c.save_images) {
      for (size_t i = 0; i < colorized.size(); ++i) {
        const fs::path file = (fs::path(c.out) / "images" / ids[first + i]).replace_extension(".png");
        fs::create_directories(file.parent_path());
        write_png(file.string(), colorized[i]);
      }
    }
    if (classifier) {
      const std::vector<std::string> names = classifier->predict(colorized);
      for (size_t i = 0; i < names.size(); ++i) {
        const std::string label = label_from_path(ids[first + i]);
        labels.push_back(label);
        predicted.push_back(names[i]);
        if (!classifier->knows(label)) {
          ++result.classifier_unknown;
          continue;
        }
        ++result.classifier_images;
        correct += names[i] == label;
      }
    }
    preds.push_back(pred.cpu());
    truths.push_back(ab.cpu());
    done += batch->size();
    if (bar) bar->update(done);
  } catch (const std::bad_alloc&) {
    TINT_FAIL("evaluating the batch of ", batch->size(), " images from ", batch->ids.front(),
              " at ", size, "x", size, " failed: out of memory (lower --batch or --size)");
  } catch (const Error& e) {
    TINT_FAIL("evaluating the batch of ", batch->size(), " images from ", batch->ids.front(),
              " at ", size, "x", size, " failed: ", user_message(e.what()));
  }
  if (bar) bar->finish();
  TINT_CHECK(!preds.empty(), c.data, ": none of the ", split_name(c.split),
             " images could be read");
  score_ab(cat(preds, 0), cat(truths, 0), result);
  for (size_t i = 0; i < ids.size(); ++i) {
    result.per_image[i].id = ids[i];
    if (classifier) result.per_image[i].label = labels[i], result.per_image[i].predicted = predicted[i];
  }
  if (classifier && result.classifier_images > 0)
    result.classifier_accuracy =
        static_cast<double>(correct) / static_cast<double>(result.classifier_images);
  result.skipped = set.skipped();
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

void write_evaluation(const EvaluationResult& r, const EvaluateConfig& c) {
  const fs::path out(c.out);
  fs::create_directories(out);
  remove_stale_temporaries(out, [](const std::string& name) {  // of a killed evaluation
    return name == "summary.json" || name == "per_image.csv" || name == "cumulative.csv" ||
           name == "cumulative.png";
  });
  nlohmann::ordered_json j;
  j["method"] = r.method;
  j["loss"] = r.loss.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(r.loss);
  j["description"] = r.description;
  j["checkpoint"] = c.checkpoint.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(c.checkpoint);
  j["data"] = c.data;
  j["split"] = split_name(c.split);
  j["images"] = r.images;
  j["skipped"] = r.skipped;
  j["size"] = r.size;
  j["temperature"] = r.temperature;
  j["seed"] = c.seed;
  j["auc_pooled"] = r.auc_pooled;
  j["auc_per_image_mean"] = r.auc_per_image_mean;
  j["auc_rebalanced"] = r.auc_rebalanced;
  j["mean_error"] = r.mean_error;
  j["chroma_pred"] = r.chroma_pred;
  j["chroma_true"] = r.chroma_true;
  j["classifier"] = r.classifier.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(r.classifier);
  j["classifier_accuracy"] = r.classifier_accuracy ? nlohmann::ordered_json(*r.classifier_accuracy)
                                                   : nlohmann::ordered_json();
  j["classifier_images"] = r.classifier_images;
  j["classifier_unknown_labels"] = r.classifier_unknown;
  j["seconds"] = r.seconds;
  write_file_atomically((out / "summary.json").string(), j.dump(2) + "\n");

  std::ostringstream per;
  per << "id,auc,mean_error,chroma_pred,chroma_true,label,predicted\n";
  for (const ImageScore& s : r.per_image)
    per << csv_field(s.id) << ',' << fixed(s.auc) << ',' << fixed(s.mean_error, 4) << ','
        << fixed(s.chroma_pred, 4) << ',' << fixed(s.chroma_true, 4) << ',' << csv_field(s.label)
        << ',' << csv_field(s.predicted) << '\n';
  write_file_atomically((out / "per_image.csv").string(), per.str());

  std::ostringstream cum;
  cum << "threshold,pixels_within,images_within\n";
  for (size_t t = 0; t < r.pixels_within.size(); ++t)
    cum << t << ',' << fixed(r.pixels_within[t]) << ',' << fixed(r.images_within[t]) << '\n';
  write_file_atomically((out / "cumulative.csv").string(), cum.str());

  std::vector<double> t(r.pixels_within.size());
  for (size_t i = 0; i < t.size(); ++i) t[i] = static_cast<double>(i);
  const auto panel = [&](const std::string& title, const std::string& y_label,
                         const std::vector<double>& y, const std::string& name) {
    LinePanel p;
    p.title = title, p.x_label = "ab error threshold t", p.y_label = y_label;
    p.x_max = color::kAucMaxThreshold, p.x_tick = 25, p.y_tick = 0.2;
    p.curves.push_back({name, t, y, tab10(0)});
    return p;
  };
  const std::string name = r.loss.empty() ? r.method : r.loss;
  char auc[96], image_auc[96];
  std::snprintf(auc, sizeof auc, "%s, AuC %.1f%%", name.c_str(), 100 * r.auc_pooled);
  std::snprintf(image_auc, sizeof image_auc, "%s, mean image AuC %.1f%%", name.c_str(),
                100 * r.auc_per_image_mean);
  write_png((out / "cumulative.png").string(),
            plot_lines({panel("pixels with ab error <= t", "fraction of pixels", r.pixels_within, auc),
                        panel("images with mean ab error <= t", "fraction of images",
                              r.images_within, image_auc)}));
}

}  // namespace tint::apps
