// Colorizing one image with a trained network, loading the network, comparison panels
// (colorize_image.h).
#include "colorize_image.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <new>
#include <set>

#include "app_main.h"
#include "augment.h"
#include "framework/cuda/runtime.h"
#include "image_classifier.h"
#include "image_folder.h"
#include "image_tensor.h"
#include "output_guard.h"
#include "progress_bar.h"
#include "setting_limits.h"
#include "train_config.h"
#include "framework/autograd/grad_mode.h"
#include "framework/core/error.h"
#include "framework/io/checkpoint.h"
#include "framework/io/input_file.h"
#include "framework/io/metadata.h"
#include "framework/io/safetensors.h"
#include "framework/ops/shape_ops.h"
#include "framework/ops/upsample.h"
#include "framework/tensor/factories.h"
#include "kernels/lab.h"
#include "kernels/prior.h"
#include "models/registry.h"

namespace tint::apps {

namespace {

// The checkpoint's value for one of model / head / width (text), unless it has none, then
// the flag's; both present and different is an error naming both.
std::string resolve(const std::string& path, const std::optional<std::string>& saved,
                    const std::string& saved_text, const char* flag_name,
                    const std::optional<std::string>& flag, const std::string& missing) {
  if (saved) {
    TINT_CHECK(!flag || *flag == *saved, path, ": the checkpoint holds ", flag_name, " ",
               saved_text, " but --", flag_name, " ", *flag, " was given (leave the flag out)");
    return *saved;
  }
  TINT_CHECK(flag.has_value(), path, ": ", missing, "; say which with --", flag_name);
  return *flag;
}

std::optional<std::string> lookup(const Metadata& meta, const char* key, const char* fallback) {
  auto it = meta.find(key);
  if (it == meta.end()) it = meta.find(fallback);
  if (it == meta.end()) return std::nullopt;
  return it->second;
}

// The width the checkpoint's metadata records under key, within the networks' range.
double parse_width(const std::string& path, const std::string& key, const std::string& text) {
  return metadata_real(path, {{key, text}}, key, "checkpoint", limits::kColorizerWidth);
}

Device model_device(const models::ColorizerModel& model) {
  const auto params = model.named_parameters();
  return params.empty() ? Device::cpu() : params.front().second.device();
}

}  // namespace

LoadedColorizer load_colorizer(const std::string& path, const ModelSpec& spec, Device device) {
  check_regular_file(path, "checkpoint");  // missing, a folder, a FIFO or a device
  SafetensorsFile file = load_safetensors(path);  // errors name the path

  LoadedColorizer out;
  StateDict state;
  Metadata meta;
  const auto format = file.metadata.find("tint.format");
  out.tint_checkpoint = format != file.metadata.end();
  TINT_CHECK(!out.tint_checkpoint || format->second != color::kPriorFormat, path,
             " is a colour prior (written by compute_prior or train_colorizer), not a model "
             "checkpoint");
  TINT_CHECK(!out.tint_checkpoint || format->second == kCheckpointFormat, path, " is a ",
             excerpt(format->second), " file, not a model checkpoint");
  if (out.tint_checkpoint) {
    Checkpoint ckpt = read_checkpoint(path);  // checks the layout and the version
    state = std::move(ckpt.model);
    meta = ckpt.extra;
    TINT_CHECK(meta.count(kClassifierModelKey) == 0, path,
               " is a train_classifier checkpoint (an image classifier), not a colorizer: give "
               "one written by train_colorizer (a classifier goes to evaluate --classifier)");
  } else {
    // A plain state dict; tolerate the "model." prefix of a checkpoint written elsewhere.
    for (auto& [name, t] : file.tensors)
      state[name.rfind("model.", 0) == 0 ? name.substr(6) : name] = t;
    for (const auto& [key, value] : file.metadata)
      if (key.rfind("tint.", 0) != 0) meta[key] = value;
    // A plain file's metadata is not read for the model: the flags say what it is.
  }
  TINT_CHECK(!state.empty(), path, ": holds no model weights");
  try {
    nn::check_finite_state(state);  // NaN weights would colorize every image black
  } catch (const Error& e) {
    TINT_FAIL(path, ": ", user_message(e.what()));
  }

  // What the metadata says (train_colorizer's keys first, then the plain ones).
  std::optional<std::string> saved_model, saved_head, saved_width;
  std::string width_key;
  std::string head_source;
  if (out.tint_checkpoint) {
    saved_model = lookup(meta, kTrainModelKey, kModelKey);
    saved_width = lookup(meta, kTrainWidthKey, kWidthKey);
    width_key = meta.count(kTrainWidthKey) ? kTrainWidthKey : kWidthKey;
    if (const auto loss = lookup(meta, kTrainLossKey, kTrainLossKey)) {
      try {
        saved_head = models::head_name(parse_color_loss(*loss) == ColorLossKind::L2
                                           ? models::Head::Regression
                                           : models::Head::Classification);
      } catch (const Error& e) {
        TINT_FAIL(path, ": ", user_message(e.what()));
      }
      head_source = " (its loss is " + *loss + ")";
    } else {
      saved_head = lookup(meta, kHeadKey, kHeadKey);
    }
    // Checked here, naming the checkpoint and the key, not later as if a flag were wrong.
    if (lookup(meta, kTrainSizeKey, kTrainSizeKey))
      out.trained_size = static_cast<int>(
          metadata_whole(path, meta, kTrainSizeKey, "checkpoint", limits::kImageSize));
    if (lookup(meta, kTrainTemperatureKey, kTrainTemperatureKey))
      out.trained_temperature =
          metadata_real(path, meta, kTrainTemperatureKey, "checkpoint", limits::kTemperature);
  }
  const std::string missing = out.tint_checkpoint
                                  ? "the checkpoint's metadata does not name its "
                                  : "a plain weights file does not name its ";
  const std::string name = resolve(path, saved_model, saved_model.value_or(""), "model",
                                   spec.model, missing + "model");
  const std::string head_text =
      resolve(path, saved_head, saved_head.value_or("") + head_source, "head", spec.head,
              missing + "head");
  double width = 1.0;
  if (saved_width) {
    width = parse_width(path, width_key, *saved_width);
    TINT_CHECK(!spec.width || *spec.width == width, path, ": the checkpoint holds width ",
               *saved_width, " but --width ", *spec.width, " was given (leave the flag out)");
  } else if (spec.width) {
    check_setting("--width", *spec.width, limits::kColorizerWidth);
    width = *spec.width;
  } else {
    TINT_CHECK(!out.tint_checkpoint, path, ": ", missing, "width; say which with --width");
  }

  models::Head head;
  try {
    head = models::parse_head(head_text);
  } catch (const Error& e) {
    TINT_FAIL(path, ": ", user_message(e.what()));
  }
  Generator gen(0);  // the weights are overwritten by the checkpoint's
  try {
    out.model = models::make_model(name, head, width, gen);
    out.model->load_state_dict(state, /*strict=*/true);
  } catch (const Error& e) {
    TINT_FAIL(path, ": cannot load it as ", name, " (", head_text, " head, width ", width,
              "): ", user_message(e.what()));
  }
  out.model->eval();
  out.model->to(device);
  out.metadata = std::move(meta);
  return out;
}

std::string network_input_problem(int width, int height, const ColorizeOptions& options) {
  if (!options.keep_aspect || width <= 0 || height <= 0) return "";
  const int64_t long_side = std::max(width, height), short_side = std::min(width, height);
  if (long_side <= int64_t(kMaxKeepAspectRatio) * short_side) return "";
  char text[320];
  std::snprintf(text, sizeof text,
                "is %d x %d pixels, so --keep-aspect would make its network input %.0f pixels "
                "long (the long side may be at most %d times the short side); crop it or leave "
                "out --keep-aspect",
                width, height, double(long_side) * options.size / double(short_side),
                kMaxKeepAspectRatio);
  return text;
}

std::pair<int, int> network_input_size(int width, int height, const ColorizeOptions& options) {
  check_setting("the network input size (--size)", options.size, limits::kImageSize);
  TINT_CHECK(width > 0 && height > 0, "the image is empty (", width, "x", height, ")");
  const std::string problem = network_input_problem(width, height, options);
  TINT_CHECK(problem.empty(), "the image ", problem);
  if (!options.keep_aspect) return {options.size, options.size};
  const int m = static_cast<int>(models::kInputMultiple);
  const auto scaled = [&](int side, int short_side) {
    const double exact = double(side) * options.size / short_side;
    return std::max(m, static_cast<int>(std::lround(exact / m)) * m);
  };
  const int short_side = std::min(width, height);
  return {scaled(width, short_side), scaled(height, short_side)};
}

RgbImage colorize_image(models::ColorizerModel& model, const RgbImage& image,
                        const ColorizeOptions& options) {
  TINT_CHECK(image.width > 0 && image.height > 0 &&
                 image.pixels.size() == size_t(image.width) * image.height * 3,
             "colorize_image: the image is empty or its pixel buffer has the wrong size");
  check_setting("the temperature (--temperature)", options.temperature, limits::kTemperature);
  const auto [in_w, in_h] = network_input_size(image.width, image.height, options);
  const Device device = model_device(model);
  NoGradGuard no_grad;

  // The network's view: the image resampled to its input size, L only (raw 0..100; the model
  // normalises it itself).
  const RgbImage small = resample(image, Region{0, 0, double(image.width), double(image.height)},
                                  in_w, in_h);
  const Tensor small_lab = color::rgb8_to_lab(image_tensor(small, device));  // (1, 3, h, w)
  const Tensor L_small = small_lab.slice(1, 0, 1).contiguous();
  const Tensor out = model.forward(L_small);
  const Tensor ab = model.decode(out, options.temperature);  // (1, 2, h/4, w/4), Lab units

  // Both grids cover the whole image, so a bilinear resize (align_corners = false) to the
  // image's size puts every ab sample where it belongs.
  const Tensor ab_full =
      upsample_bilinear2d(ab.to(DType::Float32), UpsampleSize::size(image.height, image.width));
  const Tensor lab = color::rgb8_to_lab(image_tensor(image, device));  // (1, 3, H, W)
  const Tensor joined = cat({lab.slice(1, 0, 1), ab_full}, 1);
  return images_of(color::lab_to_rgb8(joined)).front();
}

bool is_grey(const RgbImage& image) {
  for (size_t i = 0; i + 2 < image.pixels.size(); i += 3)
    if (image.pixels[i] != image.pixels[i + 1] || image.pixels[i] != image.pixels[i + 2])
      return false;
  return true;
}

RgbImage grey_image(const RgbImage& image) {
  NoGradGuard no_grad;
  Tensor lab = color::rgb8_to_lab(image_tensor(image, Device::cpu())).contiguous();
  lab.slice(1, 1, 3).fill_(0.0);
  return images_of(color::lab_to_rgb8(lab)).front();
}

RgbImage side_by_side(const std::vector<const RgbImage*>& panels, int gap) {
  TINT_CHECK(!panels.empty(), "side_by_side: no panels");
  int width = 0, height = 0;
  for (const RgbImage* p : panels) {
    width += p->width;
    height = std::max(height, p->height);
  }
  width += gap * static_cast<int>(panels.size() - 1);
  RgbImage out(width, height, 255);
  int x0 = 0;
  for (const RgbImage* p : panels) {
    for (int y = 0; y < p->height; ++y)
      std::copy_n(&p->pixels[size_t(y) * p->width * 3], size_t(p->width) * 3, out.at(x0, y));
    x0 += p->width + gap;
  }
  return out;
}

namespace {

struct Job {
  std::filesystem::path input, output, compare_output;
};

std::vector<Job> plan_jobs(const ColorizeRun& run,
                           const std::function<void(const std::string&)>& warn) {
  namespace fs = std::filesystem;
  TINT_CHECK(!run.inputs.empty(), "no input images or folders were given");
  TINT_CHECK(!run.out.empty(), "no output folder (--out) was given");
  std::vector<std::pair<fs::path, fs::path>> found;  // input, output relative to out
  for (const std::string& input : run.inputs) {
    std::error_code ec;
    TINT_CHECK(fs::exists(input, ec), "input ", input, " does not exist");
    if (fs::is_directory(input, ec)) {
      check_output_outside_input(run.out, "--out", input, "the input folder");
      for (const fs::path& file : list_image_files(input, warn))  // errors name the folder
        found.emplace_back(file, fs::relative(file, input).replace_extension(".png"));
    } else {
      found.emplace_back(input, fs::path(input).filename().replace_extension(".png"));
    }
  }
  std::vector<Job> jobs;
  std::set<fs::path> used;
  std::map<fs::path, fs::path> planned;  // canonical path -> the input that names it
  for (auto& [input, rel] : found) {
    std::error_code canonical_error;
    const fs::path canonical = fs::canonical(input, canonical_error);
    if (!canonical_error) {
      const auto [first, fresh] = planned.emplace(canonical, input);
      if (!fresh) {
        warn("skipping " + input.string() + ": the same file as " + first->second.string() +
             ", colorized once");
        continue;
      }
    }
    fs::path output = fs::path(run.out) / rel;
    // Two inputs with one stem (a.jpg and a.png, or one name in two folders given
    // separately): number the later ones rather than overwrite the first.
    for (int n = 2; used.count(output.lexically_normal()); ++n)
      output = fs::path(run.out) / rel.parent_path() /
               (rel.stem().string() + "-" + std::to_string(n) + ".png");
    used.insert(output.lexically_normal());
    std::error_code ec;
    TINT_CHECK(!fs::exists(output, ec) || !fs::equivalent(output, input, ec), "input ",
               input.string(), ": its output ", output.string(),
               " is the input itself; choose another output folder");
    const fs::path compare = output.parent_path() / (output.stem().string() + "_compare.png");
    jobs.push_back({input, output, compare});
  }
  return jobs;
}

}  // namespace

ColorizeResult colorize_files(const ColorizeRun& run) {
  namespace fs = std::filesystem;
  using Print = std::function<void(const std::string&)>;
  const Print warn = run.warn ? run.warn : Print([](const std::string& line) {
    std::fprintf(stderr, "warning: %s\n", line.c_str());
  });
  const Print info = run.info ? run.info : Print([](const std::string& line) {
    std::fprintf(stderr, "%s\n", line.c_str());
  });
  // Everything that can be checked before the first image is: inputs, settings, device,
  // checkpoint, output folder.
  const std::vector<Job> jobs = plan_jobs(run, warn);
  const Device device = pick_device(run.device);
  LoadedColorizer loaded = load_colorizer(run.checkpoint, run.spec, device);
  models::ColorizerModel& model = *loaded.model;
  ColorizeOptions options = run.options;
  if (run.size_from_checkpoint && loaded.trained_size) options.size = *loaded.trained_size;
  if (run.temperature_from_checkpoint && loaded.trained_temperature)
    options.temperature = *loaded.trained_temperature;
  network_input_size(1, 1, options);  // checks the size
  check_setting("the temperature (--temperature)", options.temperature, limits::kTemperature);
  std::error_code ec;
  fs::create_directories(run.out, ec);
  TINT_CHECK(fs::is_directory(run.out), "cannot create the output folder ", run.out,
             ec ? " (" + ec.message() + ")" : std::string());

  char line[256];
  char decoding[48] = "regression decoding";
  if (model.head() == models::Head::Classification)
    std::snprintf(decoding, sizeof decoding, "annealed mean T = %g", options.temperature);
  std::snprintf(line, sizeof line, "colorize: %s (%s head, width %g) on %s, network input %s%d, "
                "%s, %zu image(s)",
                model.name().c_str(), models::head_name(model.head()).c_str(), model.width(),
                device.str().c_str(), options.keep_aspect ? "short side " : "",
                options.size, decoding, jobs.size());
  info(line);

  const bool single = jobs.size() == 1;
  ColorizeResult result;
  std::optional<ProgressBar> bar;
  if (run.progress && !single) bar.emplace(static_cast<int64_t>(jobs.size()), "colorize", "img");
  for (size_t i = 0; i < jobs.size(); ++i) {
    const Job& job = jobs[i];
    // Why this image cannot be done ("it ..."), and the verb for a single image's error.
    std::string reason;
    const char* cannot = "cannot read ";
    std::optional<RgbImage> image = decode_image(job.input, &reason, nullptr, run.max_pixels);
    if (image) {
      reason = network_input_problem(image->width, image->height, options);
      cannot = "cannot colorize ";
    }
    if (image && reason.empty()) {
      // A failure from here on (out of host or device memory, a write error) stops the run,
      // naming the image and what was being done.
      const auto [in_w, in_h] = network_input_size(image->width, image->height, options);
      const auto failed = [&](const std::string& why) {
        TINT_FAIL("colorizing ", job.input.string(), " (", image->width, " x ", image->height,
                  " pixels, network input ", in_w, " x ", in_h, ") failed: ", why);
      };
      try {
        const RgbImage colour = colorize_image(model, *image, options);
        fs::create_directories(job.output.parent_path());
        write_png(job.output.string(), colour);
        if (run.compare) {
          const RgbImage grey = grey_image(*image);
          std::vector<const RgbImage*> panels = {&grey, &colour};
          if (!is_grey(*image)) panels.push_back(&*image);
          write_png(job.compare_output.string(), side_by_side(panels));
        }
        result.written.push_back(job.output.string());
      } catch (const std::bad_alloc&) {
        failed("out of memory");
      } catch (const Error& e) {
        failed(user_message(e.what()));
      }
    }
    if (!reason.empty()) {
      TINT_CHECK(!single, cannot, job.input.string(), ": it ", reason);
      warn("skipping " + job.input.string() + ": it " + reason);
      result.skipped.push_back(job.input.string());
    }
    if (bar) bar->update(static_cast<int64_t>(i + 1));
  }
  if (bar) bar->finish();
  return result;
}

}  // namespace tint::apps
