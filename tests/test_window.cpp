// The real window, end to end: runs the stridescope binary with --screenshot under the display
// that scripts/test.sh provides (Xvfb) and reads the PNGs back.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>

#include "io.h"

namespace fs = std::filesystem;
using namespace stridescope;

namespace {

constexpr int kWindowWidth = 1600;  // RunGui's default window
constexpr int kWindowHeight = 900;
constexpr int kControlsWidth = 340;  // the left column, at content scale 1 (Xvfb)

fs::path TempDir() {
  const fs::path dir = fs::path(STRIDESCOPE_TEST_TMP) / "window";
  fs::create_directories(dir);
  return dir;
}

std::string TempPath(const std::string& name) { return (TempDir() / name).string(); }

std::string Quoted(const std::string& text) { return "'" + text + "'"; }

// Runs the binary with arguments (already shell-quoted) and returns its exit status. `timeout`
// turns a hung window into a failure instead of a hung test run.
int RunStridescope(const std::string& arguments, const std::string& environment = "") {
  const std::string command = environment + " timeout 120 " + Quoted(STRIDESCOPE_BINARY) + " " +
                              arguments;
  const int status = std::system(command.c_str());
  REQUIRE_MESSAGE(WIFEXITED(status), "command did not exit normally: " << command);
  return WEXITSTATUS(status);
}

void RequireDisplay() {
  const char* display = std::getenv("DISPLAY");
  if (display == nullptr || *display == '\0') {
    FAIL("DISPLAY is not set: the window tests need an X display. Run them through "
         "./scripts/test.sh, which starts Xvfb when there is none.");
  }
}

// Takes a screenshot with the given extra arguments and returns it decoded (RGB, planar, 0..1).
Tensor3 Screenshot(const std::string& name, const std::string& arguments = "") {
  const std::string path = TempPath(name);
  fs::remove(path);
  const int exit_code = RunStridescope("--screenshot " + Quoted(path) + " " + arguments);
  REQUIRE(exit_code == 0);
  REQUIRE(fs::exists(path));
  Expected<Tensor3> image = LoadInput(path);
  REQUIRE_MESSAGE(image.ok(), (image.ok() ? "" : image.error().message));
  return std::move(*image);
}

int CountDifferingPixels(const Tensor3& a, const Tensor3& b) {
  REQUIRE(a.channels == b.channels);
  REQUIRE(a.height == b.height);
  REQUIRE(a.width == b.width);
  int differing = 0;
  for (int y = 0; y < a.height; ++y) {
    for (int x = 0; x < a.width; ++x) {
      for (int c = 0; c < a.channels; ++c) {
        if (a.At(c, y, x) != b.At(c, y, x)) {
          ++differing;
          break;
        }
      }
    }
  }
  return differing;
}

// Pixels in the controls column drawn in the inline error colour (ImGui text 255,120,107).
int CountErrorRedPixels(const Tensor3& shot) {
  int count = 0;
  for (int y = 0; y < shot.height; ++y) {
    for (int x = 0; x < std::min(kControlsWidth, shot.width); ++x) {
      const float r = shot.At(0, y, x);
      const float g = shot.At(1, y, x);
      const float b = shot.At(2, y, x);
      if (r > 0.9f && g > 0.35f && g < 0.6f && b > 0.3f && b < 0.55f) ++count;
    }
  }
  return count;
}

}  // namespace

TEST_CASE("a screenshot is a PNG of the whole window with something drawn in it") {
  RequireDisplay();
  const Tensor3 shot = Screenshot("plain.png");
  CHECK(shot.width == kWindowWidth);
  CHECK(shot.height == kWindowHeight);
  const auto [low, high] = std::minmax_element(shot.data.begin(), shot.data.end());
  CHECK(*high - *low > 0.5f);
}

TEST_CASE("the stride flag reaches the window: stride 1 and stride 3 look different") {
  RequireDisplay();
  const Tensor3 stride1 = Screenshot("stride1.png", "--stride 1");
  const Tensor3 stride3 = Screenshot("stride3.png", "--stride 3");
  // The feature map shrinks to a third of its area: tens of thousands of pixels change.
  CHECK(CountDifferingPixels(stride1, stride3) > 10000);
}

TEST_CASE("a corrupt image file: the window still opens on the sample and shows the error") {
  RequireDisplay();
  const std::string bad = TempPath("bad.png");
  {
    std::ofstream file(bad, std::ios::binary);
    file << "this is not a PNG \x01\x02\x03\xff\xfe garbage";
  }
  const Tensor3 plain = Screenshot("sample_only.png");
  const Tensor3 with_error = Screenshot("bad_input.png", Quoted(bad));
  CHECK(with_error.width == kWindowWidth);
  CHECK(with_error.height == kWindowHeight);
  CHECK(CountErrorRedPixels(plain) == 0);
  CHECK(CountErrorRedPixels(with_error) > 50);
}

TEST_CASE("without a display the window exits 1 and says what to do instead") {
  const std::string stderr_path = TempPath("no_display.txt");
  const std::string shot = TempPath("no_display.png");
  fs::remove(shot);
  const int exit_code = RunStridescope("--screenshot " + Quoted(shot) + " 2> " + Quoted(stderr_path),
                                       "env -u DISPLAY -u WAYLAND_DISPLAY");
  CHECK(exit_code == 1);
  CHECK_FALSE(fs::exists(shot));
  std::ifstream file(stderr_path);
  const std::string message((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  CHECK_MESSAGE(message.find("no display found") != std::string::npos, message);
  CHECK(message.find("xvfb-run") != std::string::npos);
  CHECK(message.find("stridescope conv") != std::string::npos);
}
