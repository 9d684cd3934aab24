#include "kernels.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include "io.h"
#include "params.h"

namespace stridescope {

namespace {

// Every problem found here is the kernel's, so the window shows it under the kernel picker.
Error KernelError(std::string message) { return Error{std::move(message), Setting::Kernel}; }

Kernel Square(int size, std::vector<float> weights) {
  Kernel k;
  k.height = size;
  k.width = size;
  k.weights = std::move(weights);
  return k;
}

Kernel Fixed3x3(std::initializer_list<float> weights) { return Square(3, weights); }

Kernel Identity(int size) {
  // The 1 sits at floor((K-1)/2): the tap that `same` padding aligns with the output pixel, so
  // identity + same reproduces the input for even sizes too.
  std::vector<float> w(static_cast<std::size_t>(size) * size, 0.0f);
  const int centre = (size - 1) / 2;
  w[static_cast<std::size_t>(centre) * size + centre] = 1.0f;
  return Square(size, std::move(w));
}

Kernel Box(int size) {
  return Square(size, std::vector<float>(static_cast<std::size_t>(size) * size,
                                         1.0f / static_cast<float>(size * size)));
}

Kernel Gaussian(int size) {
  // OpenCV's default sigma for a given size (getGaussianKernel with sigma <= 0).
  const double sigma = 0.3 * ((size - 1) * 0.5 - 1.0) + 0.8;
  const double centre = (size - 1) * 0.5;
  std::vector<double> taps(static_cast<std::size_t>(size));
  double sum = 0.0;
  for (int i = 0; i < size; ++i) {
    const double d = i - centre;
    taps[static_cast<std::size_t>(i)] = std::exp(-d * d / (2.0 * sigma * sigma));
    sum += taps[static_cast<std::size_t>(i)];
  }
  std::vector<float> w;
  w.reserve(static_cast<std::size_t>(size) * size);
  for (double row : taps)
    for (double col : taps) w.push_back(static_cast<float>(row * col / (sum * sum)));
  return Square(size, std::move(w));
}

// Weights read as cross-correlation (what conv2d computes): sobel-x is positive where the image
// gets brighter to the right, sobel-y where it gets brighter downwards.
const std::vector<KernelPreset> kPresets = {
    {"identity", "passes the input through (with same padding)", 3, true},
    {"box", "mean of the window", 3, true},
    {"gaussian", "Gaussian blur, OpenCV's sigma for the size", 5, true},
    {"sharpen", "3x3 sharpen: 5 at the centre, -1 at the four sides", 3, false},
    {"sobel-x", "3x3 horizontal gradient", 3, false},
    {"sobel-y", "3x3 vertical gradient", 3, false},
    {"laplacian", "3x3 Laplacian, -4 at the centre", 3, false},
    {"emboss", "3x3 emboss", 3, false},
    {"outline", "3x3 outline, 8 at the centre", 3, false},
};

std::string PresetNames() {
  std::string names;
  for (const KernelPreset& p : kPresets) names += (names.empty() ? "" : ", ") + std::string(p.name);
  return names;
}

std::string Trim(std::string_view s) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  auto begin = std::find_if(s.begin(), s.end(), not_space);
  auto end = std::find_if(s.rbegin(), s.rend(), not_space).base();
  return begin < end ? std::string(begin, end) : std::string();
}

std::vector<std::string> Split(std::string_view s, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = s.find(separator, start);
    parts.push_back(Trim(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start)));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

Expected<float> ParseWeight(const std::string& text, int row, int col) {
  const std::string where = "kernel row " + std::to_string(row + 1) + ", column " + std::to_string(col + 1);
  if (text.empty()) return KernelError(where + " is empty; write a number there");
  float value = 0.0f;
  const char* first = text.data() + (text[0] == '+' ? 1 : 0);
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec == std::errc::result_out_of_range) return KernelError(where + " '" + text + "' is out of float range");
  if (ec != std::errc() || ptr != last) return KernelError(where + " '" + text + "' is not a number");
  if (!std::isfinite(value)) return KernelError(where + " is " + text + "; every weight must be a finite number");
  return value;
}

bool EndsWithNpy(std::string_view text) {
  if (text.size() < 4) return false;
  std::string tail(text.substr(text.size() - 4));
  std::transform(tail.begin(), tail.end(), tail.begin(), [](unsigned char c) { return std::tolower(c); });
  return tail == ".npy";
}

bool LooksLikeRows(std::string_view text) {
  if (text.find_first_of(",;") != std::string_view::npos) return true;
  const char c = text.empty() ? ' ' : text.front();
  return std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.';
}

}  // namespace

const std::vector<KernelPreset>& KernelPresets() { return kPresets; }

Expected<Kernel> MakePresetKernel(std::string_view name, int size) {
  const auto preset = std::find_if(kPresets.begin(), kPresets.end(),
                                   [&](const KernelPreset& p) { return p.name == name; });
  if (preset == kPresets.end())
    return KernelError("unknown kernel preset '" + std::string(name) + "'; the presets are " + PresetNames());
  if (size == 0) size = preset->default_size;
  if (!preset->sizable && size != preset->default_size)
    return KernelError("kernel preset '" + std::string(name) + "' is 3x3 only; drop the size, or use a .npy file");
  if (size < 1 || size > limits::kMaxKernel)
    return KernelError("kernel size " + std::to_string(size) + " is out of range; use 1 to " +
                 std::to_string(limits::kMaxKernel));
  if (name == "identity") return Identity(size);
  if (name == "box") return Box(size);
  if (name == "gaussian") return Gaussian(size);
  if (name == "sharpen") return Fixed3x3({0, -1, 0, -1, 5, -1, 0, -1, 0});
  if (name == "sobel-x") return Fixed3x3({-1, 0, 1, -2, 0, 2, -1, 0, 1});
  if (name == "sobel-y") return Fixed3x3({-1, -2, -1, 0, 0, 0, 1, 2, 1});
  if (name == "laplacian") return Fixed3x3({0, 1, 0, 1, -4, 1, 0, 1, 0});
  if (name == "emboss") return Fixed3x3({-2, -1, 0, -1, 1, 1, 0, 1, 2});
  return Fixed3x3({-1, -1, -1, -1, 8, -1, -1, -1, -1});  // outline
}

Expected<Kernel> ParseKernelRows(std::string_view text) {
  const std::string trimmed = Trim(text);
  if (trimmed.empty()) return KernelError("the kernel is empty; write rows like \"1,0,-1;2,0,-2;1,0,-1\"");
  std::vector<std::string> rows = Split(trimmed, ';');
  if (rows.size() > 1 && rows.back().empty()) rows.pop_back();  // tolerate a trailing ';'
  Kernel k;
  k.height = static_cast<int>(rows.size());
  k.width = 0;
  for (int r = 0; r < k.height; ++r) {
    const std::vector<std::string> cells = Split(rows[static_cast<std::size_t>(r)], ',');
    if (r == 0) k.width = static_cast<int>(cells.size());
    if (static_cast<int>(cells.size()) != k.width)
      return KernelError("kernel row " + std::to_string(r + 1) + " has " + std::to_string(cells.size()) +
                   " values but row 1 has " + std::to_string(k.width) + "; every row needs the same count");
    for (int c = 0; c < k.width; ++c) {
      Expected<float> w = ParseWeight(cells[static_cast<std::size_t>(c)], r, c);
      if (!w) return w.error();
      k.weights.push_back(*w);
    }
  }
  if (Status s = ValidateKernel(k); !s) return s.error();
  return k;
}

Expected<Kernel> ParseKernelArgument(std::string_view text) {
  const std::string trimmed = Trim(text);
  if (EndsWithNpy(trimmed)) {
    Expected<Kernel> k = LoadKernelNpy(trimmed);
    if (!k) return k;
    if (Status s = ValidateKernel(*k); !s) return KernelError(trimmed + ": " + s.error().message);
    return k;
  }
  if (LooksLikeRows(trimmed)) return ParseKernelRows(trimmed);
  const std::size_t colon = trimmed.find(':');
  if (colon == std::string::npos) {
    if (!std::any_of(kPresets.begin(), kPresets.end(), [&](const KernelPreset& p) { return p.name == trimmed; }))
      return KernelError("unknown kernel '" + trimmed + "'; use a preset (" + PresetNames() +
                   "), inline rows like \"1,0,-1;2,0,-2;1,0,-1\", or a .npy file");
    return MakePresetKernel(trimmed);
  }
  const std::string size_text = trimmed.substr(colon + 1);
  int size = 0;
  const auto [ptr, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size);
  if (ec != std::errc() || ptr != size_text.data() + size_text.size() || size < 1)
    return KernelError("kernel size '" + size_text + "' is not a whole number from 1 to " +
                 std::to_string(limits::kMaxKernel) + "; write e.g. gaussian:5");
  return MakePresetKernel(trimmed.substr(0, colon), size);
}

Status ValidateKernel(const Kernel& k) {
  const std::string shape = std::to_string(k.height) + "x" + std::to_string(k.width);
  if (k.height < 1 || k.width < 1 || k.height > limits::kMaxKernel || k.width > limits::kMaxKernel)
    return KernelError("the kernel is " + shape + "; each side must be from 1 to " + std::to_string(limits::kMaxKernel));
  if (k.rank < 2 || k.rank > 4 || k.filters < 1 || k.channels < 1 || (k.rank == 2 && (k.filters != 1 || k.channels != 1)) ||
      (k.rank == 3 && k.filters != 1))
    return KernelError("the kernel shape is inconsistent; use (KH,KW), (C,KH,KW) or (F,C,KH,KW)");
  if (k.filters > limits::kMaxChannels || k.channels > limits::kMaxChannels)
    return KernelError("the kernel has " + std::to_string(k.filters) + " filters of " + std::to_string(k.channels) +
                 " channels; each must be at most " + std::to_string(limits::kMaxChannels));
  const std::size_t plane = static_cast<std::size_t>(k.height) * k.width;
  if (k.weights.size() != plane * k.filters * k.channels)
    return KernelError("the kernel has " + std::to_string(k.weights.size()) + " weights but its shape needs " +
                 std::to_string(plane * k.filters * k.channels));
  for (std::size_t i = 0; i < k.weights.size(); ++i) {
    if (std::isfinite(k.weights[i])) continue;
    const std::size_t in_plane = i % plane;
    std::string where = "row " + std::to_string(in_plane / k.width + 1) + ", column " +
                        std::to_string(in_plane % k.width + 1);
    if (k.rank > 2) where += " of plane " + std::to_string(i / plane);
    return KernelError("kernel weight at " + where + " is " + (std::isnan(k.weights[i]) ? "NaN" : "infinite") +
                 "; every weight must be a finite number");
  }
  return Done{};
}

}  // namespace stridescope
