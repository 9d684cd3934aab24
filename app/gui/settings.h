// What the window remembers between runs: the last parameters and image, as JSON in
// $XDG_CONFIG_HOME/stridescope (default ~/.config/stridescope), beside ImGui's imgui.ini.
#pragma once

#include <optional>
#include <string>

#include "colour_map.h"
#include "expected.h"
#include "params.h"

namespace stridescope {

struct SavedSettings {
  std::optional<Params> params;
  std::string image_path;  // a file to reopen; empty: `sample`
  std::string sample;      // a built-in sample name; empty: the default
  // The feature map's colours; nullopt when the file has none. Each field out of range (an unknown
  // name, a manual range that is not finite low < high) falls back to its default on load.
  std::optional<MapDisplay> map_display;
};

// The config folder, created if missing; empty when there is no usable one (no HOME, read-only).
std::string ConfigFolder();

// Reads settings.json from folder. A missing file gives empty settings; an unreadable or corrupt
// one gives an Error saying so (the window starts on its defaults and tells the user).
Expected<SavedSettings> LoadSettings(const std::string& folder);

// Writes settings.json into folder atomically, so a crash mid-write keeps the old file.
Status SaveSettings(const std::string& folder, const SavedSettings& settings);

}  // namespace stridescope
