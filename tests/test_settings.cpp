// The window's saved settings: round trip, missing file, corrupt file. No display needed.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "gui/settings.h"
#include "kernels.h"

using namespace stridescope;
namespace fs = std::filesystem;

TEST_CASE("settings round trip, and a missing or corrupt file never stops the window") {
  const fs::path folder = fs::temp_directory_path() / ("stridescope-settings-" + std::to_string(::getpid()));
  fs::create_directories(folder);

  Expected<SavedSettings> none = LoadSettings(folder.string());
  REQUIRE(none.ok());
  CHECK_FALSE(none->params.has_value());

  SavedSettings saved;
  Params p;
  p.kernel = *MakePresetKernel("sobel-x");
  p.stride = {3, 2};
  p.padding = {PadPreset::Same, 0, 0, 0, 0};
  p.pad_mode = PadMode::Reflect;
  saved.params = p;
  saved.image_path = "/tmp/photo.png";
  saved.sample = "grid7";
  REQUIRE(SaveSettings(folder.string(), saved).ok());

  Expected<SavedSettings> loaded = LoadSettings(folder.string());
  REQUIRE(loaded.ok());
  REQUIRE(loaded->params.has_value());
  CHECK(loaded->params->stride == Size2{3, 2});
  CHECK(loaded->params->padding.preset == PadPreset::Same);
  CHECK(loaded->params->pad_mode == PadMode::Reflect);
  CHECK(loaded->params->kernel.weights == p.kernel.weights);
  CHECK(loaded->image_path == "/tmp/photo.png");
  CHECK(loaded->sample == "grid7");

  // The colour choice round-trips; out-of-range fields fall back to their defaults.
  MapDisplay display;
  display.colour_map = ColourMap::Diverging;
  display.range_mode = RangeMode::Manual;
  display.manual_low = -0.5f;
  display.manual_high = 2.0f;
  display.shown_channel = 2;
  saved.map_display = display;
  REQUIRE(SaveSettings(folder.string(), saved).ok());
  Expected<SavedSettings> with_display = LoadSettings(folder.string());
  REQUIRE(with_display.ok());
  REQUIRE(with_display->map_display.has_value());
  CHECK(*with_display->map_display == display);
  std::ofstream(folder / "settings.json")
      << "{\"params\": {\"version\": 1}, \"map_display\": {\"colour_map\": \"rainbow\", \"range\": "
         "\"manual\", \"low\": 3, \"high\": 1, \"channel\": -7}}";
  Expected<SavedSettings> odd_display = LoadSettings(folder.string());
  REQUIRE(odd_display.ok());
  REQUIRE(odd_display->map_display.has_value());
  // Manual stays, with the default bounds in place of the inverted ones.
  MapDisplay fallback;
  fallback.range_mode = RangeMode::Manual;
  CHECK(*odd_display->map_display == fallback);

  std::ofstream(folder / "settings.json") << "{\"params\": {\"version\": 1, \"stride\": [0, 0]}}";
  Expected<SavedSettings> bad = LoadSettings(folder.string());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("stride") != std::string::npos);

  std::ofstream(folder / "settings.json") << "garbage";
  Expected<SavedSettings> garbage = LoadSettings(folder.string());
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.error().message.find("not a stridescope settings file") != std::string::npos);

  // XDG_CONFIG_HOME decides the folder, and it is created.
  const fs::path xdg = folder / "xdg";
  ::setenv("XDG_CONFIG_HOME", xdg.c_str(), 1);
  CHECK(ConfigFolder() == (xdg / "stridescope").string());
  CHECK(fs::is_directory(xdg / "stridescope"));
  fs::remove_all(folder);
}
