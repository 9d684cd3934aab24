#include "gui/settings.h"

#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "io.h"
#include "params_json.h"

namespace stridescope {

namespace {

namespace fs = std::filesystem;
constexpr const char* kFileName = "settings.json";

MapDisplay MapDisplayFromJson(const nlohmann::json& node) {
  MapDisplay display;
  if (!node.is_object()) return display;
  const auto text = [&](const char* key) {
    return node.contains(key) && node.at(key).is_string() ? node.at(key).get<std::string>() : std::string();
  };
  if (const std::optional<ColourMap> map = ParseColourMap(text("colour_map"))) display.colour_map = *map;
  for (RangeMode mode : {RangeMode::MinMax, RangeMode::Symmetric, RangeMode::Manual}) {
    if (text("range") == Name(mode)) display.range_mode = mode;
  }
  if (node.contains("low") && node.at("low").is_number() && node.contains("high") && node.at("high").is_number()) {
    const float low = node.at("low").get<float>();
    const float high = node.at("high").get<float>();
    if (ValidManualRange(low, high)) {
      display.manual_low = low;
      display.manual_high = high;
    }
  }
  if (display.range_mode == RangeMode::Manual && !ValidManualRange(display.manual_low, display.manual_high))
    display.range_mode = RangeMode::MinMax;
  // Any channel index is kept: one the next map lacks shows all channels (ShownChannelsOf).
  if (node.contains("channel") && node.at("channel").is_number_integer()) {
    const long long channel = node.at("channel").get<long long>();
    if (channel >= -1 && channel < 1'000'000) display.shown_channel = static_cast<int>(channel);
  }
  return display;
}

}  // namespace

std::string ConfigFolder() {
  fs::path config;
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  const char* home = std::getenv("HOME");
  // The XDG spec says to ignore a relative XDG_CONFIG_HOME.
  if (xdg != nullptr && fs::path(xdg).is_absolute()) {
    config = xdg;
  } else if (home != nullptr && *home != '\0') {
    config = fs::path(home) / ".config";
  } else {
    return {};
  }
  const fs::path folder = config / "stridescope";
  std::error_code error;
  fs::create_directories(folder, error);
  if (error || !fs::is_directory(folder, error)) return {};
  return folder.string();
}

Expected<SavedSettings> LoadSettings(const std::string& folder) {
  const fs::path path = fs::path(folder) / kFileName;
  std::error_code error;
  if (!fs::exists(path, error)) return SavedSettings{};
  Expected<std::vector<std::uint8_t>> bytes = ReadFileBytes(path.string());
  if (!bytes) return Error{"saved settings ignored: " + bytes.error().message};
  const nlohmann::json root = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
  if (root.is_discarded() || !root.is_object() || !root.contains("params"))
    return Error{"saved settings ignored: " + path.string() + " is not a stridescope settings file"};
  Expected<Params> params = ParamsFromJson(root.at("params").dump());
  if (!params) return Error{"saved settings ignored: " + params.error().message};
  SavedSettings settings;
  settings.params = std::move(*params);
  if (root.contains("image") && root.at("image").is_string()) settings.image_path = root.at("image").get<std::string>();
  if (root.contains("sample") && root.at("sample").is_string()) settings.sample = root.at("sample").get<std::string>();
  if (root.contains("map_display")) settings.map_display = MapDisplayFromJson(root.at("map_display"));
  return settings;
}

Status SaveSettings(const std::string& folder, const SavedSettings& settings) {
  nlohmann::ordered_json root;
  if (settings.params) root["params"] = nlohmann::ordered_json::parse(ParamsToJson(*settings.params));
  root["image"] = settings.image_path;
  root["sample"] = settings.sample;
  if (settings.map_display) {
    const MapDisplay& d = *settings.map_display;
    root["map_display"] = {{"colour_map", std::string(Name(d.colour_map))}, {"range", std::string(Name(d.range_mode))},
                           {"low", d.manual_low}, {"high", d.manual_high}, {"channel", d.shown_channel}};
  }
  const std::string text = root.dump(2) + "\n";
  return WriteFileAtomic((fs::path(folder) / kFileName).string(), std::vector<std::uint8_t>(text.begin(), text.end()));
}

}  // namespace stridescope
