// The keyboard shortcuts, the file drop and a command-line value the controls must keep, driven
// headless through ImGui 1.86's input fields as the GLFW backend fills them (io.KeysDown at GLFW
// key codes, io.KeyCtrl), one frame at a time: NewFrame, HandleShortcuts, the window's own keys,
// DrawMainWindow, Render.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "headless_ui.h"
#include "gui/app_state.h"
#include "gui/main_window.h"
#include "gui/shortcuts.h"
#include "gui/window_input.h"
#include "io.h"

using namespace stridescope;
using namespace stridescope::testing;

namespace {

// One frame with `keys` held (GLFW codes) and Ctrl as given. Returns whether F11 asked for
// fullscreen this frame, as gui_main.cpp would see it.
bool Frame(AppState& state, std::initializer_list<int> keys = {}, bool ctrl = false) {
  ImGuiIO& io = ImGui::GetIO();
  for (bool& down : io.KeysDown) down = false;
  for (int key : keys) io.KeysDown[key] = true;
  io.KeyCtrl = ctrl;
  ImGui::NewFrame();
  HandleShortcuts(state);
  const bool fullscreen = FullscreenToggleRequested();
  DrawMainWindow(state, 1.0f);
  ImGui::Render();
  return fullscreen;
}

// Down for one frame, then up for one: a single press, no key repeat.
void Press(AppState& state, int key, bool ctrl = false) {
  Frame(state, {key}, ctrl);
  Frame(state, {}, ctrl);
}

// A window on grid7 with a valid conv, after a frame has computed its map.
struct Window {
  HeadlessImGui imgui;
  AppState state{Params{}, [] {
                   EngineStartup startup;
                   startup.prefer_gpu = false;
                   return startup;
                 }()};
  Window() {
    Context();
    REQUIRE(state.LoadSample("grid7"));
    state.kernel_choice = {"box", 3};
    REQUIRE(state.ApplyKernelChoice());
    state.MarkParamsChanged();
    Frame(state);
    Frame(state);
    REQUIRE(state.result().has_value);
    REQUIRE_FALSE(state.result().stale);
  }
};

// The text one frame draws, in drawing order, through ImGui's logging (to the "clipboard").
std::string FrameText(AppState& state) {
  std::string captured;
  ImGuiIO& io = ImGui::GetIO();
  io.ClipboardUserData = &captured;
  io.SetClipboardTextFn = [](void* user_data, const char* text) { *static_cast<std::string*>(user_data) = text; };
  for (bool& down : io.KeysDown) down = false;
  io.KeyCtrl = false;
  ImGui::NewFrame();
  ImGui::LogToClipboard();
  DrawMainWindow(state, 1.0f);
  ImGui::LogFinish();
  ImGui::Render();
  io.SetClipboardTextFn = nullptr;
  io.ClipboardUserData = nullptr;
  return captured;
}

// Where `text` starts in `log`, or npos.
std::size_t At(const std::string& log, const char* text) { return log.find(text); }

std::string OpenField(const AppState& state) { return state.view.open_path.data(); }

std::filesystem::path TempFolder() {
  const std::filesystem::path folder = std::filesystem::temp_directory_path() / "stridescope_test_shortcuts";
  std::filesystem::create_directories(folder);
  return folder;
}

}  // namespace

TEST_CASE("Ctrl+= and Ctrl+- scale the UI within limits; Ctrl+0 resets it") {
  Context();
  Window w;
  ImGuiIO& io = ImGui::GetIO();
  REQUIRE(io.FontGlobalScale == doctest::Approx(1.0f));
  Press(w.state, GLFW_KEY_EQUAL, true);
  CHECK(io.FontGlobalScale == doctest::Approx(1.1f));
  for (int i = 0; i < 40; ++i) Press(w.state, GLFW_KEY_EQUAL, true);
  CHECK(io.FontGlobalScale == doctest::Approx(3.0f));  // the upper limit
  Press(w.state, GLFW_KEY_0, true);
  CHECK(io.FontGlobalScale == doctest::Approx(1.0f));
  Press(w.state, GLFW_KEY_MINUS, true);
  CHECK(io.FontGlobalScale == doctest::Approx(1.0f / 1.1f));
  for (int i = 0; i < 40; ++i) Press(w.state, GLFW_KEY_KP_SUBTRACT, true);
  CHECK(io.FontGlobalScale == doctest::Approx(0.6f));  // the lower limit
  Press(w.state, GLFW_KEY_KP_ADD, true);
  CHECK(io.FontGlobalScale == doctest::Approx(0.66f));
  // Without Ctrl the same keys do nothing to the scale.
  Press(w.state, GLFW_KEY_EQUAL);
  CHECK(io.FontGlobalScale == doctest::Approx(0.66f));
}

TEST_CASE("[ and ] change the stride on both axes within 1..64") {
  Window w;
  Press(w.state, GLFW_KEY_RIGHT_BRACKET);
  CHECK(w.state.params.stride == Size2{2, 2});
  Press(w.state, GLFW_KEY_LEFT_BRACKET);
  Press(w.state, GLFW_KEY_LEFT_BRACKET);
  CHECK(w.state.params.stride == Size2{1, 1});  // not below 1
  w.state.params.stride = {64, 64};
  Press(w.state, GLFW_KEY_RIGHT_BRACKET);
  CHECK(w.state.params.stride == Size2{64, 64});
}

TEST_CASE("A toggles the aligned feature map; F fits the images again after a zoom") {
  Window w;
  CHECK_FALSE(w.state.view.align_output);
  Press(w.state, GLFW_KEY_A);
  CHECK(w.state.view.align_output);
  Press(w.state, GLFW_KEY_A);
  CHECK_FALSE(w.state.view.align_output);
  w.state.view.zoom_fits = false;
  w.state.view.zoom = 200.0f;
  Press(w.state, GLFW_KEY_F);
  CHECK(w.state.view.zoom_fits);
  CHECK(w.state.view.zoom < 200.0f);  // fitted again by the frame that followed
}

TEST_CASE("Ctrl+O focuses the Open field; keys then type there instead of acting as shortcuts") {
  Window w;
  ImGuiIO& io = ImGui::GetIO();
  CHECK_FALSE(io.WantTextInput);
  Press(w.state, GLFW_KEY_O, true);
  Frame(w.state);
  CHECK(io.WantTextInput);
  io.AddInputCharactersUTF8("cat.png");
  Frame(w.state);
  CHECK(OpenField(w.state) == "cat.png");
  // The brackets and Space belong to the field now.
  const Size2 stride = w.state.params.stride;
  const bool playing = w.state.timeline.playing;
  Press(w.state, GLFW_KEY_RIGHT_BRACKET);
  Press(w.state, GLFW_KEY_SPACE);
  CHECK(w.state.params.stride == stride);
  CHECK(w.state.timeline.playing == playing);
  // Ctrl+= does not scale the UI while typing either.
  Press(w.state, GLFW_KEY_EQUAL, true);
  CHECK(io.FontGlobalScale == doctest::Approx(1.0f));
}

TEST_CASE("Space plays and pauses; the arrows step; Home and End jump") {
  Window w;
  Timeline& t = w.state.timeline;
  REQUIRE(t.step == 0);
  Press(w.state, GLFW_KEY_RIGHT);
  CHECK(t.step == 1);
  Press(w.state, GLFW_KEY_LEFT);
  CHECK(t.step == 0);
  Press(w.state, GLFW_KEY_END);
  CHECK(t.step == StepCount(w.state.result().geometry) - 1);  // 5 x 5 outputs of a 3x3 on 7x7
  CHECK(t.step == 24);
  Press(w.state, GLFW_KEY_HOME);
  CHECK(t.step == 0);
  const bool was_playing = t.playing;
  Frame(w.state, {GLFW_KEY_SPACE});
  CHECK(t.playing != was_playing);
  Frame(w.state, {GLFW_KEY_SPACE});  // held: no repeat
  CHECK(t.playing != was_playing);
  Frame(w.state);
  Press(w.state, GLFW_KEY_SPACE);
  CHECK(t.playing == was_playing);
}

TEST_CASE("F11 asks for fullscreen once per press, not while held") {
  Window w;
  CHECK_FALSE(Frame(w.state));
  CHECK(Frame(w.state, {GLFW_KEY_F11}));
  CHECK_FALSE(Frame(w.state, {GLFW_KEY_F11}));
  for (int i = 0; i < 60; ++i) CHECK_FALSE(Frame(w.state, {GLFW_KEY_F11}));  // past the repeat delay
  CHECK_FALSE(Frame(w.state));
  CHECK(Frame(w.state, {GLFW_KEY_F11}));
}

TEST_CASE("a dropped file opens; a corrupt one leaves the image and says why") {
  Window w;
  const std::filesystem::path folder = TempFolder();
  const std::string png = (folder / "dropped.png").string();
  const std::vector<std::uint8_t> rgba(4 * 3 * 2, 200);  // 3 wide, 2 high
  REQUIRE(SaveRgbaPng(png, 3, 2, rgba.data()).ok());
  const std::string corrupt = (folder / "corrupt.png").string();
  {
    std::ofstream out(corrupt, std::ios::binary);
    out << "\x89PNG\r\n\x1a\n this is not an image";
  }

  CHECK_FALSE(HandleDroppedPaths(w.state, {}));
  CHECK(w.state.input().name == "grid7");

  CHECK(HandleDroppedPaths(w.state, {png}));
  CHECK_FALSE(w.state.input().is_sample);
  CHECK(w.state.input().pixels().width == 3);
  CHECK(w.state.input().pixels().height == 2);
  CHECK(w.state.input_error().empty());

  CHECK_FALSE(HandleDroppedPaths(w.state, {corrupt}));
  CHECK(w.state.input().pixels().width == 3);  // the previous image stays
  CHECK_FALSE(w.state.input_error().empty());
  CHECK(w.state.input_error().find("corrupt.png") != std::string::npos);
  Frame(w.state);  // the message is drawn inline without trouble

  // The first file that loads wins, whatever comes before it.
  REQUIRE(w.state.LoadSample("grid7"));
  CHECK(HandleDroppedPaths(w.state, {corrupt, (folder / "missing.png").string(), png}));
  CHECK(w.state.input().pixels().width == 3);
  CHECK(w.state.input_error().empty());
  std::filesystem::remove_all(folder);
}

TEST_CASE("a command-line value past a slider's range stays, with the core's message at its control") {
  Window w;
  w.state.params.stride = {100, 100};  // what `stridescope --stride 100` hands the window
  w.state.MarkParamsChanged();
  for (int i = 0; i < 3; ++i) Frame(w.state);
  CHECK(w.state.params.stride == Size2{100, 100});
  CHECK(w.state.result().stale);
  CHECK(w.state.result().error_setting == Setting::Stride);
  CHECK(w.state.result().error.find("stride Y is 100") != std::string::npos);
  // Drawn under the stride rows, once: not in the general place below the controls.
  const std::string log = FrameText(w.state);
  INFO(log);
  const std::size_t message = At(log, "stride Y is 100; it must be from 1 to 64");
  REQUIRE(message != std::string::npos);
  CHECK(At(log, "Stride X") < message);
  CHECK(message < At(log, "Dilation"));
  const std::size_t controls_end = log.find("Input grid7", At(log, "ENGINE"));  // the views follow
  CHECK(log.find("stride Y is 100; it must be", At(log, "Dilation")) >= controls_end);
}

TEST_CASE("an error with no single control to blame stays in the general place") {
  Window w;
  // 64 filters of 1x1 on grid7 padded by 1024 all round: 64 maps of 2055 x 2055 are 1 GiB.
  Kernel bank;
  bank.rank = 4;
  bank.filters = 64;
  bank.weights.assign(64, 1.0f);
  w.state.params.kernel = bank;
  w.state.kernel_choice = {};
  w.state.params.padding.top = w.state.params.padding.bottom = 1024;
  w.state.params.padding.left = w.state.params.padding.right = 1024;
  w.state.MarkParamsChanged();
  Frame(w.state);
  REQUIRE(w.state.result().error_setting == Setting::None);
  const std::string log = FrameText(w.state);
  INFO(log);
  const std::size_t message = At(log, "MiB");
  REQUIRE(message != std::string::npos);
  CHECK(At(log, "ENGINE") < message);
  CHECK(message < log.find("Input grid7", At(log, "ENGINE")));  // in the controls, not a view
}
