// Every panel, driven headless for a few hundred ImGui frames (no platform or renderer backend)
// while the parameters, the sample, the timeline and the mouse change at random, fixed seed.
// After each frame the state must still be valid: a map on screen has a size, a current map
// matches ResolveGeometry of the current parameters, a stale one says why, the timeline is inside
// the map. GL through a headless EGL context (llvmpipe on CI), because AppState owns textures.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>  // key codes only: the shortcuts read io.KeysDown at GLFW indices
#include <imgui.h>

#include "geometry.h"
#include "headless_ui.h"
#include "gui/app_state.h"
#include "gui/main_window.h"
#include "gui/shortcuts.h"
#include "gui/timeline.h"
#include "gui/views/colour_legend.h"
#include "kernels.h"
#include "samples.h"

using namespace stridescope;
using namespace stridescope::testing;

namespace {

void CheckTimeline(const AppState& state, int frame);

// Frames in which a panel's widgets changed the state (the clicks and keys reached them).
int g_panel_changes = 0;

void DrawFrame(AppState& state, int frame) {
  ImGui::NewFrame();
  bool changed = HandleShortcuts(state);
  // HandleShortcuts has just fitted the timeline to the map on screen (last frame's geometry).
  CheckTimeline(state, frame);
  changed |= DrawMainWindow(state, 1.0f);
  ImGui::Render();
  if (changed) ++g_panel_changes;
}

bool SameAxis(const AxisGeometry& a, const AxisGeometry& b) {
  return a.input == b.input && a.taps == b.taps && a.stride == b.stride &&
         a.dilation == b.dilation && a.pad_begin == b.pad_begin && a.pad_end == b.pad_end &&
         a.output_padding == b.output_padding && a.output == b.output &&
         a.transposed == b.transposed && a.spread == b.spread && a.step == b.step &&
         a.lattice_pad_begin == b.lattice_pad_begin && a.lattice_pad_end == b.lattice_pad_end;
}

bool SameGeometry(const Geometry& a, const Geometry& b) {
  return a.op == b.op && a.pad_mode == b.pad_mode && SameAxis(a.y, b.y) && SameAxis(a.x, b.x) &&
         a.channels.in_channels == b.channels.in_channels &&
         a.channels.out_channels == b.channels.out_channels &&
         a.channels.groups == b.channels.groups && a.macs == b.macs;
}

std::string Describe(const AppState& state) {
  const Params& p = state.params;
  std::ostringstream out;
  out << "input " << state.input().name << " (" << state.input().pixels().channels << "x"
      << state.input().pixels().height << "x" << state.input().pixels().width << "), op "
      << Name(p.op) << ", kernel " << state.kernel_choice.preset << "/" << state.kernel_choice.size
      << " (" << p.kernel.height << "x" << p.kernel.width << "), window " << p.window.y << "x"
      << p.window.x << ", stride " << p.stride.y << "," << p.stride.x << ", dilation "
      << p.dilation.y << "," << p.dilation.x << ", padding " << Name(p.padding.preset) << " "
      << p.padding.top << "," << p.padding.bottom << "," << p.padding.left << ","
      << p.padding.right << " " << Name(p.pad_mode) << ", output_padding " << p.output_padding.y
      << "," << p.output_padding.x << ", ceil " << p.ceil_mode << ", channels "
      << Name(p.channel_mode) << ", step " << state.timeline.step;
  return out.str();
}

// The invariants, checked once the frame's edits have been recomputed (what the next frame's
// first call does).
void CheckInvariants(AppState& state, int frame) {
  state.Recompute();
  const ViewResult& result = state.result();
  const Tensor3& in = state.input().pixels();
  INFO("frame " << frame << ": " << Describe(state) << "; error: " << result.error);
  REQUIRE_FALSE(in.Empty());
  if (result.has_value) {
    REQUIRE(result.geometry.OutputHeight() >= 1);
    REQUIRE(result.geometry.OutputWidth() >= 1);
    REQUIRE(result.channels >= 1);
    if (result.computed_by == EngineKind::Cpu) {
      REQUIRE(result.feature_map.channels == result.channels);
      REQUIRE(result.feature_map.height == result.geometry.OutputHeight());
      REQUIRE(result.feature_map.width == result.geometry.OutputWidth());
    }
  }
  if (result.has_value && !result.stale) {
    REQUIRE(result.error.empty());
    const Expected<Geometry> expected = ResolveGeometry(state.params, in.channels, in.height, in.width);
    REQUIRE_MESSAGE(expected.ok(), (expected.ok() ? "" : expected.error().message));
    REQUIRE(SameGeometry(result.geometry, *expected));
  }
  // Wheel turns and drags keep the view usable: a zoom in the views' range, the panes' images
  // not dragged out of reach (BeginImagePane keeps a corner of each in its pane).
  const ViewState& view = state.view;
  REQUIRE(std::isfinite(view.zoom));
  REQUIRE(view.zoom >= 1.0f / 64.0f);
  REQUIRE(view.zoom <= 256.0f);
  for (const ImVec2 pan : {view.input_pan, view.map_pan}) {
    REQUIRE(std::isfinite(pan.x));
    REQUIRE(std::isfinite(pan.y));
    REQUIRE(std::abs(pan.x) < 1e7f);
    REQUIRE(std::abs(pan.y) < 1e7f);
  }
  if (result.stale) {
    REQUIRE(result.has_value);
    REQUIRE_FALSE(result.error.empty());
  }
  if (!result.has_value) {
    // Nothing valid yet: the current parameters must really be invalid.
    REQUIRE_FALSE(result.error.empty());
  }
  if (result.has_value) {
    // The picture on screen is drawn with the current colour choice, also when it is stale
    // or the worker is computing a newer one, and the legend's range is a real range.
    REQUIRE(result.display == state.view.map_display);
    REQUIRE(result.display_range.high > result.display_range.low);
    if (result.computed_by == EngineKind::Cpu) {
      const MapDisplay& d = state.view.map_display;
      const DisplayRange expected =
          ResolveRange(d, FiniteMinMax(result.feature_map, ShownChannelsOf(result.channels, d)));
      REQUIRE(result.display_range.low == expected.low);
      REQUIRE(result.display_range.high == expected.high);
    }
  }
}

// The timeline is fitted to the map on screen at the start of each frame (HandleShortcuts), before
// that frame's recompute; the drawing code after a recompute clamps for itself (ClampedStep).
void CheckTimeline(const AppState& state, int frame) {
  const ViewResult& result = state.result();
  if (!result.has_value || result.stale) return;
  INFO("frame " << frame << ": " << Describe(state));
  REQUIRE(state.timeline.step >= 0);
  REQUIRE(state.timeline.step < StepCount(result.geometry));
}

class Fuzzer {
 public:
  explicit Fuzzer(unsigned seed) : rng_(seed) {}

  int Int(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  float Float(float low, float high) { return std::uniform_real_distribution<float>(low, high)(rng_); }

  // Small values mostly, sometimes an invalid or extreme one.
  int SmallOrOdd(int small_high, bool big_input) {
    if (Chance(0.05)) {
      const int odd[] = {0, -1, -7, 65, 1000, 2000, 100000};
      return odd[Int(0, 6)];
    }
    return Int(1, big_input ? std::min(small_high, 3) : small_high);
  }

  void MutateSample(AppState& state) {
    const double r = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    std::string name;
    if (r < 0.8) {
      const char* small[] = {"grid5", "grid7", "onnx7x5"};
      name = small[Int(0, 2)];
    } else if (r < 0.93) {
      const char* medium[] = {"checkerboard", "zoneplate", "stripes"};
      name = medium[Int(0, 2)];
    } else if (r < 0.97) {
      name = "scene";
    } else {
      name = "no-such-sample";
    }
    const bool big = name != "grid5" && name != "grid7" && name != "onnx7x5";
    if (big) KeepCheap(state);  // before the load, so no frame computes a slow map
    const bool known = std::any_of(Samples().begin(), Samples().end(),
                                   [&](const SampleInfo& s) { return s.name == name; });
    const bool loaded = state.LoadSample(name);
    if (!known) CHECK_FALSE(state.input_error().empty());
    if (known && loaded) CHECK(state.input().name == name);
  }

  // Small kernels and strides for the large samples (llvmpipe and the CPU engine stay quick).
  void KeepCheap(AppState& state) {
    Params& p = state.params;
    p.stride = {Int(1, 3), Int(1, 3)};
    p.dilation = {1, 1};
    p.window = {Int(1, 3), Int(1, 3)};
    p.padding = Padding{};
    p.output_padding = {0, 0};
    state.kernel_choice.size = 3;
    if (!state.ApplyKernelChoice()) {
      state.kernel_choice = {"box", 3};
      state.ApplyKernelChoice();
    }
  }

  void MutateParams(AppState& state) {
    Params& p = state.params;
    const bool big = state.input().pixels().width > 16;
    switch (Int(0, 13)) {
      case 0:
        p.op = static_cast<Op>(Int(0, 3));
        break;
      case 1:
        p.stride = {SmallOrOdd(5, big), SmallOrOdd(5, big)};
        if (big && p.stride.y > 4) p.stride.y = 100000;  // invalid, so cheap
        if (big && p.stride.x > 4) p.stride.x = 100000;
        break;
      case 2:
        p.dilation = {SmallOrOdd(3, big), SmallOrOdd(3, big)};
        if (big && p.dilation.y > 3) p.dilation.y = 0;
        if (big && p.dilation.x > 3) p.dilation.x = 0;
        break;
      case 3: {
        p.padding.preset = static_cast<PadPreset>(Int(0, 3));
        int* sides[] = {&p.padding.top, &p.padding.bottom, &p.padding.left, &p.padding.right};
        for (int* side : sides) {
          if (Chance(0.03)) {
            *side = big ? 5000 : (Chance(0.5) ? 1024 : 1025);  // huge: past the limit or at it
          } else if (Chance(0.02)) {
            *side = -Int(1, 3);
          } else {
            *side = Int(0, big ? 2 : 6);  // reflect wider than a 5-pixel grid included
          }
        }
        // A huge but valid pad on a small grid makes a big map; keep it on one side at most.
        if (!big) {
          int huge = 0;
          for (int* side : sides) {
            if (*side >= 1024 && ++huge > 1) *side = 0;
          }
        }
        break;
      }
      case 4:
        p.pad_mode = static_cast<PadMode>(Int(0, 3));
        break;
      case 5: {
        const std::vector<KernelPreset>& presets = KernelPresets();
        if (Chance(0.05)) {
          state.kernel_choice.preset = "no-such-kernel";
        } else {
          state.kernel_choice.preset =
              std::string(presets[static_cast<std::size_t>(Int(0, static_cast<int>(presets.size()) - 1))].name);
        }
        const int sizes[] = {0, 1, 2, 3, 4, 5, 7, -3, 31, 32, 1000};
        state.kernel_choice.size = sizes[Int(0, 10)];
        for (const KernelPreset& preset : presets) {  // fixed presets: mostly their own size
          if (preset.name == state.kernel_choice.preset && !preset.sizable && Chance(0.8))
            state.kernel_choice.size = Chance(0.5) ? 0 : preset.default_size;
        }
        if (big && state.kernel_choice.size > 5) state.kernel_choice.size = 1000;  // refused: cheap
        state.ApplyKernelChoice();
        break;
      }
      case 6: {
        const float odd[] = {0.0f, -1.5f, 1e30f, std::numeric_limits<float>::infinity(),
                             std::numeric_limits<float>::quiet_NaN()};
        p.bias = Chance(0.2) ? odd[Int(0, 4)] : Float(-2.0f, 2.0f);
        break;
      }
      case 7:
        p.channel_mode = static_cast<ChannelMode>(Int(0, 1));
        break;
      case 8:
        p.window = {SmallOrOdd(4, big), SmallOrOdd(4, big)};
        if (big && p.window.y > 3) p.window.y = 0;
        if (big && p.window.x > 3) p.window.x = 0;
        break;
      case 9:
        p.ceil_mode = Chance(0.5);
        p.count_include_pad = Chance(0.5);
        break;
      case 10:
        p.output_padding = {Int(-1, 3), Int(-1, 3)};
        break;
      case 11:
        state.view.explain_channel = Int(-3, 70);
        break;
      case 12:
        state.view.per_side_padding = Chance(0.5);
        state.view.link_stride = Chance(0.5);
        break;
      case 13:
        MutateDisplay(state);
        break;
    }
    // A transposed conv at a large stride on a large sample makes a huge map: keep it cheap.
    if (big && p.op == Op::Transposed) {
      p.stride.y = std::min(p.stride.y, 2);
      p.stride.x = std::min(p.stride.x, 2);
    }
  }

  // The colour choice, as the controls would set it (they refuse invalid manual ranges).
  void MutateDisplay(AppState& state) {
    MapDisplay& d = state.view.map_display;
    d.colour_map = Chance(0.5) ? ColourMap::Grey : ColourMap::Diverging;
    d.range_mode = static_cast<RangeMode>(Int(0, 2));
    d.manual_low = Float(-3.0f, 1.0f);
    d.manual_high = d.manual_low + Float(0.01f, 4.0f);
    d.shown_channel = Int(-1, 4);
    state.MarkDisplayChanged();
  }

  // What a user does after an error: puts one thing back to something sensible.
  void Repair(AppState& state) {
    Params& p = state.params;
    switch (Int(0, 5)) {
      case 0:
        p.stride = {Int(1, 2), Int(1, 2)};
        break;
      case 1:
        p.dilation = {1, 1};
        break;
      case 2:
        p.padding = Padding{};
        break;
      case 3:
        state.kernel_choice = {"box", 3};
        state.ApplyKernelChoice();
        break;
      case 4:
        p.window = {2, 2};
        p.output_padding = {0, 0};
        break;
      default:
        p.op = Op::Conv;
        break;
    }
  }

  // What the view shows: aligned or compact, fitted or zoomed far in or out.
  void MutateView(AppState& state) {
    ViewState& view = state.view;
    switch (Int(0, 2)) {
      case 0:
        view.align_output = !view.align_output;
        break;
      case 1:
        view.zoom_fits = false;
        view.zoom = Chance(0.5) ? Float(0.02f, 1.0f) : Float(1.0f, 120.0f);
        break;
      default:
        view.zoom_fits = true;
        break;
    }
  }

  void MutateTimeline(AppState& state) {
    Timeline& t = state.timeline;
    switch (Int(0, 3)) {
      case 0:
        t.step = Int(-5, 2000);  // the next frame's HandleShortcuts must bring it back inside
        break;
      case 1:
        t.playing = Chance(0.5);
        break;
      case 2:
        t.steps_per_second = Chance(0.1) ? 1e9f : Float(kMinStepsPerSecond, 200.0f);
        break;
      default:
        t.step = Int(0, 3);
        break;
    }
  }

  // The mouse: a press somewhere, held for a few frames while it drags a little, then released.
  // Keys: now and then a shortcut is pressed for one frame.
  void MoveInput() {
    ImGuiIO& io = ImGui::GetIO();
    if (mouse_frames_left_ > 0) {
      --mouse_frames_left_;
      io.MousePos.x = std::clamp(io.MousePos.x + Float(-20.0f, 20.0f), 0.0f, kDisplayWidth - 1.0f);
      io.MousePos.y = std::clamp(io.MousePos.y + Float(-4.0f, 4.0f), 0.0f, kDisplayHeight - 1.0f);
      io.MouseDown[button_] = mouse_frames_left_ > 0;
    } else if (Chance(0.35)) {
      io.MousePos = ImVec2(Float(0.0f, kDisplayWidth - 1.0f), Float(0.0f, kDisplayHeight - 1.0f));
      // Mostly the left button; the right one pans the feature map.
      button_ = Chance(0.8) ? 0 : 1;
      io.MouseDown[button_] = true;
      mouse_frames_left_ = Int(1, 4);
    } else {
      io.MouseDown[0] = false;
      io.MouseDown[1] = false;
      io.MouseWheel = Chance(0.05) ? Float(-2.0f, 2.0f) : 0.0f;
    }
    for (bool& down : io.KeysDown) down = false;
    if (Chance(0.1)) {
      const int keys[] = {GLFW_KEY_SPACE, GLFW_KEY_LEFT, GLFW_KEY_RIGHT, GLFW_KEY_HOME,
                          GLFW_KEY_END, GLFW_KEY_LEFT_BRACKET, GLFW_KEY_RIGHT_BRACKET};
      io.KeysDown[keys[Int(0, 6)]] = true;
    }
  }

 private:
  std::mt19937 rng_;
  int mouse_frames_left_ = 0;
  int button_ = 0;
};

void RunFrames(const EngineStartup& startup, int frames, unsigned seed) {
  Context();
  HeadlessImGui imgui;
  AppState state(Params{}, startup);
  REQUIRE(state.LoadSample("grid7"));
  // STRIDESCOPE_UI_SEED=n replaces the fixed seed, to hunt with more walks than CI runs.
  if (const char* env = std::getenv("STRIDESCOPE_UI_SEED"); env != nullptr && *env != '\0')
    seed += static_cast<unsigned>(std::strtoul(env, nullptr, 10));
  MESSAGE("seed " << seed);
  Fuzzer fuzz(seed);
  std::map<std::string, int> errors;
  g_panel_changes = 0;
  int valid = 0, stale = 0, none = 0, large = 0, on_gpu = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int frame = 0; frame < frames; ++frame) {
    // Mostly one edit per frame, as a user makes them; a few frames with none, some with two.
    const int edits = fuzz.Int(0, 2);
    if (state.result().stale && fuzz.Chance(0.3)) fuzz.Repair(state);
    for (int i = 0; i < edits; ++i) {
      const int what = fuzz.Int(0, 19);
      if (what == 0) {
        fuzz.MutateSample(state);
      } else if (what <= 3) {
        fuzz.MutateTimeline(state);
      } else if (what == 4) {
        fuzz.MutateView(state);
      } else {
        fuzz.MutateParams(state);
      }
    }
    state.MarkParamsChanged();
    fuzz.MoveInput();
    // Whatever a frame throws fails the test case here, with the frame number.
    INFO("frame " << frame << ": " << Describe(state));
    REQUIRE_NOTHROW(DrawFrame(state, frame));
    CheckInvariants(state, frame);
    const ViewResult& result = state.result();
    if (!result.has_value) ++none;
    else if (result.stale) { ++stale; ++errors[result.error.substr(0, 50)]; }
    else ++valid;
    if (state.input().pixels().width > 16) ++large;
    if (result.has_value && result.computed_by == EngineKind::Gpu) ++on_gpu;
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  MESSAGE(frames << " frames in " << elapsed.count() << " s on "
                 << (state.engines().chosen == EngineKind::Gpu ? "the GPU engine" : "the CPU engine")
                 << " (" << Context().renderer() << "): " << valid << " current maps, " << stale
                 << " stale, " << none << " with none yet; " << large << " on a large sample, "
                 << on_gpu << " showing a GPU map");
  MESSAGE(g_panel_changes << " frames in which the panels or shortcuts changed the state");
  CHECK(g_panel_changes > 0);
  for (const auto& [error, count] : errors) MESSAGE(count << " x " << error);
  // The random walk must reach both sides of validity, or it tests little.
  CHECK(valid > frames / 10);
  CHECK(stale > frames / 10);
}

}  // namespace

TEST_CASE("every panel survives random edits, clicks and keys on the CPU engine") {
  EngineStartup startup;
  startup.prefer_gpu = false;
  RunFrames(startup, 400, 20240611u);
}

TEST_CASE("every panel survives random edits, clicks and keys on the GPU engine") {
  EngineStartup startup;
  startup.prefer_gpu = true;
  startup.accept_software_gpu = true;
  RunFrames(startup, 150, 7u);
}

namespace {

// The feature map view's colour row and legend, as the view will draw them, in a window of their
// own with the mouse clicking around the row (combos open, fields take focus).
bool DrawColourWindow(AppState& state) {
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(kDisplayWidth, kDisplayHeight));
  ImGui::Begin("colours");
  const bool changed = DrawMapDisplayControls(state);
  DrawColourLegend(state, 500.0f);
  DrawColourLegend(state, 0.0f);
  ImGui::End();
  ImGui::Render();
  return changed;
}

void CheckDisplayChangeRedraws(const EngineStartup& startup, unsigned seed) {
  Context();
  HeadlessImGui imgui;
  AppState state(Params{}, startup);
  REQUIRE(state.LoadSample("grid7"));
  state.Recompute();
  REQUIRE(state.result().has_value);
  // Only the colours change: the CPU values are the same object (not recomputed) on the CPU
  // path, and the GPU path's texture is redrawn in place.
  const float* values = state.result().feature_map.data.data();
  MapDisplay diverging;
  diverging.colour_map = ColourMap::Diverging;
  diverging.range_mode = RangeMode::Symmetric;
  state.view.map_display = diverging;
  state.MarkDisplayChanged();
  state.Recompute();
  CHECK(state.result().display == diverging);
  CHECK(state.result().feature_map.data.data() == values);
  CHECK(state.result().display_range.low == -state.result().display_range.high);

  Fuzzer fuzz(seed);
  int changed = 0;
  for (int frame = 0; frame < 600; ++frame) {
    ImGuiIO& io = ImGui::GetIO();
    // Clicks in cycles of four frames: press and release on the row (a combo opens, a field
    // takes focus), then press and release lower down, where an open combo lists its items.
    const int phase = frame % 4;
    // The row spans x < ~470 at y 36..62 (font 18 px).
    if (phase == 0) io.MousePos = ImVec2(fuzz.Float(10.0f, 470.0f), fuzz.Float(38.0f, 60.0f));
    if (phase == 2) io.MousePos = ImVec2(io.MousePos.x + fuzz.Float(-20.0f, 20.0f), fuzz.Float(64.0f, 130.0f));
    io.MouseDown[0] = phase == 0 || phase == 2;
    // A click that focused a low/high field types into it: digits, signs and points, valid pairs
    // and invalid ones alike.
    if (io.WantTextInput) io.AddInputCharacter(static_cast<unsigned>("0123456789-."[fuzz.Int(0, 11)]));
    if (fuzz.Chance(0.1)) fuzz.MutateDisplay(state);
    if (fuzz.Chance(0.05)) {
      state.kernel_choice = {fuzz.Chance(0.5) ? "sobel-x" : "box", 3};
      state.params.channel_mode = fuzz.Chance(0.5) ? ChannelMode::Depthwise : ChannelMode::Sum;
      state.ApplyKernelChoice();
    }
    if (fuzz.Chance(0.05)) REQUIRE(state.LoadSample(fuzz.Chance(0.5) ? "grid7" : "checkerboard"));
    INFO("frame " << frame);
    REQUIRE_NOTHROW(changed += DrawColourWindow(state) ? 1 : 0);
    CheckInvariants(state, frame);
  }
  MESSAGE(changed << " frames in which the colour controls changed the choice");
  CHECK(changed > 0);
}

}  // namespace

TEST_CASE("the colour controls and legend redraw the map without recomputing it (CPU engine)") {
  EngineStartup startup;
  startup.prefer_gpu = false;
  CheckDisplayChangeRedraws(startup, 515u);
}

TEST_CASE("the colour controls and legend redraw the map without recomputing it (GPU engine)") {
  EngineStartup startup;
  startup.accept_software_gpu = true;
  CheckDisplayChangeRedraws(startup, 616u);
}

TEST_CASE("a manual range with low >= high is refused inline and the old bounds stay") {
  Context();
  HeadlessImGui imgui;
  EngineStartup startup;
  startup.prefer_gpu = false;
  AppState state(Params{}, startup);
  REQUIRE(state.LoadSample("grid5"));  // one channel: the high field ends the row
  state.view.map_display.range_mode = RangeMode::Manual;
  state.MarkDisplayChanged();
  state.Recompute();
  ImGuiIO& io = ImGui::GetIO();
  io.KeyMap[ImGuiKey_A] = GLFW_KEY_A;
  ImVec2 high_field{};
  // Click into the high field, select its text, type -5 (below low = -1), click away.
  for (int frame = 0; frame < 12; ++frame) {
    for (bool& down : io.KeysDown) down = false;
    io.KeyCtrl = false;
    io.MouseDown[0] = false;
    if (frame == 2 || frame == 3) {
      io.MousePos = high_field;
      io.MouseDown[0] = frame == 2;
    }
    if (frame == 5) {
      io.KeyCtrl = true;
      io.KeysDown[GLFW_KEY_A] = true;
    }
    if (frame == 6) {
      io.AddInputCharacter('-');
      io.AddInputCharacter('5');
    }
    if (frame == 9 || frame == 10) {
      io.MousePos = ImVec2(kDisplayWidth - 10.0f, kDisplayHeight - 10.0f);
      io.MouseDown[0] = frame == 9;
    }
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(kDisplayWidth, kDisplayHeight));
    ImGui::Begin("colours");
    DrawMapDisplayControls(state);
    if (frame == 0) {
      const ImVec2 min = ImGui::GetItemRectMin();
      const ImVec2 max = ImGui::GetItemRectMax();
      high_field = ImVec2((min.x + max.x) * 0.5f, (min.y + max.y) * 0.5f);
    }
    ImGui::End();
    ImGui::Render();
    state.Recompute();
  }
  CHECK(state.view.map_display.manual_low == -1.0f);
  CHECK(state.view.map_display.manual_high == 1.0f);
  CHECK(state.view.map_display_error.find("below") != std::string::npos);
  CHECK(state.result().display_range.low == -1.0f);
  CHECK(state.result().display_range.high == 1.0f);
}

TEST_CASE("on the worker thread, WaitForWorker brings the first map, so --step applies at start") {
  Context();
  HeadlessImGui imgui;
  EngineStartup startup;
  startup.prefer_gpu = false;
  startup.background_cpu = true;
  AppState state(Params{}, startup);
  REQUIRE(state.LoadSample("scene"));
  state.Recompute();
  state.WaitForWorker();
  REQUIRE(state.result().has_value);
  CHECK_FALSE(state.Computing());
  const Tensor3& in = state.input().pixels();
  const Expected<Geometry> expected = ResolveGeometry(state.params, in.channels, in.height, in.width);
  REQUIRE(expected.ok());
  CHECK(SameGeometry(state.result().geometry, *expected));
  CHECK(ClampedStep(500, state.result().geometry) == 500);
}
