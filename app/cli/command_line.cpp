#include "cli/command_line.h"

#include <algorithm>
#include <cstdio>
#include <ostream>

#include "samples.h"
#include "cli/bench_model.h"

#include "cli/exit_codes.h"

namespace stridescope {

namespace {


// The window's own flags, next to the shared parameter flags.
struct WindowFlags {
  std::string image;
  std::string input;
  std::string sample;
  std::string screenshot;
  int frames = 3;
  int step = 0;
  std::string overlay;  // --overlay: "coverage" or empty
  float zoom = 0.0f;    // --zoom; 0: fit the window
  bool align = false;   // --align
  bool benchmark_ui = false;   // --benchmark-ui
  bool json = false;           // --json (with --benchmark-ui)
  std::string size;            // --size WxH (with --benchmark-ui)
  bool headless = false;       // --headless (with --benchmark-ui)
  std::string colour_map;  // --colour-map: grey or diverging; empty: not given
  std::string range;       // --range: minmax, symmetric or LOW,HIGH; empty: not given
  ParamFlags params;
};

std::string SampleNames() {
  std::string names;
  for (const SampleInfo& s : Samples()) names += (names.empty() ? "" : ", ") + std::string(s.name);
  return names;
}

std::string FormatZoom(float zoom) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", static_cast<double>(zoom));
  return text;
}

// Flags written before a subcommand belong to the window and would be silently dropped.
bool AnyWindowFlagGiven(const WindowFlags& w) {
  return !w.image.empty() || !w.input.empty() || !w.sample.empty() || !w.screenshot.empty() || w.frames != 3 ||
         w.step != 0 || !w.overlay.empty() || w.zoom != 0.0f || w.align || w.benchmark_ui || w.json ||
         w.headless || !w.size.empty() || !w.colour_map.empty() || !w.range.empty() || w.params.AnyGiven() ||
         w.params.engine != "auto";
}

std::optional<std::string> ValidateWindowFlags(const WindowFlags& w) {
  if (!w.image.empty() && !w.input.empty()) return "give the image either as IMAGE or as --input, not both";
  if (!w.sample.empty() && (!w.image.empty() || !w.input.empty()))
    return "--sample and an input file exclude each other; choose one";
  if (!w.sample.empty()) {
    const auto& samples = Samples();
    if (std::none_of(samples.begin(), samples.end(), [&](const SampleInfo& s) { return s.name == w.sample; }))
      return "--sample '" + w.sample + "' is unknown; the samples are " + SampleNames();
  }
  if (w.frames < 1 || w.frames > 1000) return "--frames must be from 1 to 1000";
  if (!w.overlay.empty() && w.overlay != "coverage")
    return "--overlay '" + w.overlay + "' is unknown; the overlays are coverage";
  if (w.zoom != 0.0f && !(w.zoom >= kMinViewZoom && w.zoom <= kMaxViewZoom))
    return "--zoom must be from " + FormatZoom(kMinViewZoom) + " to " + FormatZoom(kMaxViewZoom) +
           " screen pixels per image pixel (leave it out to fit the window)";
  if ((w.json || !w.size.empty() || w.headless) && !w.benchmark_ui)
    return "--json, --size and --headless go with --benchmark-ui (for the engine's benchmark see stridescope bench "
           "--help)";
  if (w.benchmark_ui && !w.screenshot.empty()) return "--benchmark-ui and --screenshot exclude each other; choose one";
  if (!w.size.empty()) {
    if (Expected<BenchSize> size = ParseBenchSize(w.size); !size) return size.error().message;
  }
  if (w.step < 0) return "--step must be 0 or more (steps count window positions from 0, row by row)";
  if (!w.colour_map.empty() && !ParseColourMap(w.colour_map))
    return "--colour-map '" + w.colour_map + "' is unknown; the colour maps are grey and diverging";
  MapDisplay display;
  if (!w.range.empty()) {
    if (Status range = ParseRangeFlag(w.range, &display); !range) return range.error().message;
  }
  return std::nullopt;
}

// The flags' display choice; nullopt when neither was given. Call after ValidateWindowFlags.
// A diverging map without --range is symmetric, so its ends are equally far from zero.
std::optional<MapDisplay> MapDisplayFromFlags(const WindowFlags& w) {
  if (w.colour_map.empty() && w.range.empty()) return std::nullopt;
  MapDisplay display;
  if (!w.colour_map.empty()) display.colour_map = *ParseColourMap(w.colour_map);
  if (display.colour_map == ColourMap::Diverging) display.range_mode = RangeMode::Symmetric;
  if (!w.range.empty()) ParseRangeFlag(w.range, &display);
  return display;
}

}  // namespace

Command ParseCommandLine(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"stridescope: see what stride, padding and dilation do to a convolution.\n"
               "With no subcommand it opens the window on IMAGE, --input or a built-in --sample."};
  app.set_version_flag("--version", "stridescope 0.1.0");
  app.require_subcommand(0, 1);

  WindowFlags window;
  app.add_option("IMAGE", window.image, "Image (PNG, JPEG, BMP) or .npy array to open");
  app.add_option("--input", window.input, "Same as IMAGE");
  app.add_option("--sample", window.sample, "Built-in sample to open: " + SampleNames() + " (default scene)");
  app.add_option("--screenshot", window.screenshot, "Render a few frames, save the window as PNG to PATH, exit 0");
  app.add_option("--frames", window.frames, "Frames to render before --screenshot (default 3)");
  app.add_option("--step", window.step,
                 "Timeline step to open at: the window position, counted from 0 row by row "
                 "(clamped to the last)");
  app.add_option("--overlay", window.overlay,
                 "Overlay to open with on the input: coverage (heat map of how often each pixel is read, "
                 "never-read pixels in red)");
  app.add_option("--zoom", window.zoom,
                 "Screen pixels per image pixel in both views, e.g. 8 to see pixel values on a photo "
                 "(default: fit the window)");
  app.add_flag("--align", window.align, "Open with the feature map drawn over the input area each cell came from");
  app.add_flag("--benchmark-ui", window.benchmark_ui,
               "Replay a scripted session (slider drags, playback, zoom, idle) on a large scene and report frame "
               "times, latency, memory and idle CPU use, then exit");
  app.add_flag("--json", window.json, "With --benchmark-ui: print the report as JSON");
  app.add_option("--size", window.size, "With --benchmark-ui: the scene's WIDTHxHEIGHT (default 3840x2160)");
  app.add_flag("--headless", window.headless,
               "With --benchmark-ui: no window or display; frames drawn offscreen through EGL (a GPU machine "
               "without a desktop)");
  app.add_option("--colour-map", window.colour_map,
                 "Feature map colours: grey (default) or diverging (blue < 0 < red, zero at the neutral "
                 "near-white; symmetric range unless --range says otherwise)");
  app.add_option("--range", window.range,
                 "Feature map value range: minmax (default for grey), symmetric (-max|v|..+max|v|) or "
                 "LOW,HIGH (e.g. -1,1; values outside clamp)");
  AddParamOptions(app, window.params);

  ConvOptions conv;
  CLI::App* conv_command = AddConvCommand(app, conv);
  BenchOptions bench;
  CLI::App* bench_command = AddBenchCommand(app, bench);
  // The subcommand given, if any: its help and its name in error messages.
  const auto given = [&]() -> CLI::App* {
    for (CLI::App* sub : {conv_command, bench_command})
      if (app.got_subcommand(sub)) return sub;
    return nullptr;
  };

  // CLI11 wants argv in reverse order when given a vector.
  std::vector<std::string> reversed(args.rbegin(), args.rend() - (args.empty() ? 0 : 1));
  Command command;
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << (given() ? given()->help() : app.help());
    command.exit_code = 0;
    return command;
  } catch (const CLI::CallForVersion&) {
    out << "stridescope 0.1.0\n";
    command.exit_code = 0;
    return command;
  } catch (const CLI::ParseError& e) {
    const std::string name = "stridescope" + (given() ? " " + given()->get_name() : std::string());
    err << name << ": " << e.what() << " (see " << name << " --help)\n";
    command.exit_code = kExitInvalid;
    return command;
  }

  if (given() != nullptr && AnyWindowFlagGiven(window)) {
    const std::string name = given()->get_name();
    err << "stridescope " << name << ": flags before '" << name << "' are the window's and would be ignored; "
        << "put them after it, e.g. stridescope " << name << " --stride 2 ...\n";
    command.exit_code = kExitInvalid;
    return command;
  }
  if (app.got_subcommand(conv_command)) {
    command.conv = std::move(conv);
    return command;
  }
  if (app.got_subcommand(bench_command)) {
    command.bench = std::move(bench);
    return command;
  }
  if (auto problem = ValidateWindowFlags(window)) {
    err << "stridescope: " << *problem << "\n";
    command.exit_code = kExitInvalid;
    return command;
  }
  GuiOptions gui;
  gui.input_path = window.image.empty() ? window.input : window.image;
  if (!window.sample.empty()) gui.sample = window.sample;
  gui.screenshot_path = window.screenshot;
  gui.frames = window.frames;
  gui.step = window.step;
  gui.show_coverage = window.overlay == "coverage";
  gui.zoom = window.zoom;
  if (window.benchmark_ui) {
    UiBenchmarkOptions benchmark;
    benchmark.json = window.json;
    benchmark.headless = window.headless;
    if (!window.size.empty()) {
      const BenchSize size = *ParseBenchSize(window.size);  // validated above
      benchmark.width = size.width;
      benchmark.height = size.height;
    }
    gui.benchmark = benchmark;
  }
  gui.align_output = window.align;
  gui.map_display = MapDisplayFromFlags(window);
  gui.engine = window.params.engine;
  if (window.params.AnyGiven()) {
    Params defaults;
    Expected<Params> params = BuildParams(window.params, defaults);
    if (!params) {
      err << "stridescope: " << params.error().message << "\n";
      command.exit_code = kExitInvalid;
      return command;
    }
    gui.params = std::move(*params);
  }
  command.gui = std::move(gui);
  return command;
}

}  // namespace stridescope
