// The colorization networks by name, for apps and configs: "seed" (the report's network,
// models/seed.h) and "eccv16" (Zhang's, models/eccv16.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "framework/core/generator.h"
#include "models/colorizer.h"

namespace tint::models {

// The known names, sorted: {"eccv16", "seed"}.
std::vector<std::string> model_names();

// A freshly initialised network. An unknown name is a tint::Error listing the known names;
// a width that is not a number in (0, kMaxWidth] is a tint::Error too.
std::unique_ptr<ColorizerModel> make_model(const std::string& name, Head head, double width = 1.0,
                                           Generator& gen = default_generator());

}  // namespace tint::models
