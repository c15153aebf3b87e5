// Building a colorization network by name (registry.h).
#include "models/registry.h"

#include <functional>
#include <map>

#include "framework/core/error.h"
#include "models/eccv16.h"
#include "models/seed.h"

namespace tint::models {

namespace {

using Factory = std::function<std::unique_ptr<ColorizerModel>(Head, double, Generator&)>;

// Sorted by name (std::map), which model_names() and the error message rely on.
const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> table = {
      {"eccv16", [](Head h, double w, Generator& g) { return std::make_unique<Eccv16>(h, w, g); }},
      {"seed", [](Head h, double w, Generator& g) { return std::make_unique<Seed>(h, w, g); }},
  };
  return table;
}

std::string joined_names() {
  std::string out;
  for (const auto& name : model_names()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : factories()) names.push_back(name);
  return names;
}

std::unique_ptr<ColorizerModel> make_model(const std::string& name, Head head, double width,
                                           Generator& gen) {
  const auto it = factories().find(name);
  TINT_CHECK(it != factories().end(), "unknown model '", name,
             "'; the models are: ", joined_names());
  return it->second(head, width, gen);
}

}  // namespace tint::models
