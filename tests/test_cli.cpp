// The CLI contract, in-process: argument parsing, .npy round trips, --json, and exit 2 with one
// line on stderr for every kind of bad input. Expected values are worked by hand or from ONNX.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/bench_model.h"
#include "cli/command_line.h"
#include "cli/engine_choice.h"
#include "cli/opencv_peer.h"
#include "cli/roofline.h"
#include "io.h"

namespace fs = std::filesystem;
using namespace stridescope;

namespace {

fs::path TempDir() {
  const char* base = std::getenv("STRIDESCOPE_TEST_TMP");
  fs::path dir = fs::path(base ? base : fs::temp_directory_path().string()) / "cli";
  fs::create_directories(dir);
  return dir;
}

std::string TempPath(const std::string& name) { return (TempDir() / name).string(); }

struct CliRun {
  int exit_code;
  std::string out;
  std::string err;
};

// Parses and, for `conv` and `bench`, runs: what main() does minus the window.
CliRun Cli(std::vector<std::string> args) {
  args.insert(args.begin(), "stridescope");
  std::ostringstream out, err;
  Command command = ParseCommandLine(args, out, err);
  int code = 0;
  if (command.exit_code) code = *command.exit_code;
  else if (command.conv) code = RunConv(*command.conv, out, err);
  else if (command.bench) code = RunBench(*command.bench, out, err);
  return {code, out.str(), err.str()};
}

std::string SaveArray(const std::string& name, std::vector<int> shape, std::vector<float> values) {
  const std::string path = TempPath(name);
  REQUIRE(SaveNpy(path, NpyArray{std::move(shape), std::move(values)}).ok());
  return path;
}

std::vector<float> Iota(int n) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<float>(i);
  return v;
}

// The ONNX input: 0..34 as 7 rows x 5 columns.
std::string OnnxInput() { return SaveArray("onnx.npy", {7, 5}, Iota(35)); }

void CheckInvalid(const std::vector<std::string>& args, const std::string& expected_fragment) {
  CAPTURE(expected_fragment);
  const CliRun run = Cli(args);
  INFO("stderr: " << run.err);
  CHECK(run.exit_code == 2);
  CHECK(run.err.find(expected_fragment) != std::string::npos);
  // One line: a single newline, at the end.
  CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
}

}  // namespace

TEST_CASE("conv reproduces the ONNX stride-2 cases through .npy, with --json") {
  const std::string input = OnnxInput();
  const std::string output = TempPath("onnx_out.npy");
  const CliRun run = Cli({"conv", "--input", input, "--output", output, "--kernel", "1,1,1;1,1,1;1,1,1",
                          "--stride", "2", "--padding", "1", "--json", "--engine", "cpu"});
  REQUIRE(run.exit_code == 0);
  Expected<NpyArray> result = LoadNpy(output);
  REQUIRE(result.ok());
  CHECK(result->shape == std::vector<int>{4, 3});
  const std::vector<float> expected = {12, 27, 24, 63, 108, 81, 123, 198, 141, 112, 177, 124};
  CHECK(result->values == expected);

  const nlohmann::json line = nlohmann::json::parse(run.out);
  CHECK(line["input"] == nlohmann::json({7, 5, 1}));
  CHECK(line["output"] == nlohmann::json({4, 3, 1}));
  CHECK(line["padding"] == nlohmann::json({1, 1, 1, 1}));
  CHECK(line["macs"] == 4 * 3 * 9);
  CHECK(line["engine"] == "cpu");
  CHECK(line["ms"].get<double>() >= 0.0);

  const CliRun valid = Cli({"conv", "--input", input, "--output", output, "--kernel", "box",
                            "--stride", "2", "--bias", "1"});
  REQUIRE(valid.exit_code == 0);
  CHECK(valid.out.empty());
  result = LoadNpy(output);
  REQUIRE(result.ok());
  CHECK(result->shape == std::vector<int>{3, 2});
  // box:3 is the all-ones kernel divided by 9: the ONNX [[54,72],[144,162],[234,252]] / 9, plus bias.
  const std::vector<float> ninths = {54, 72, 144, 162, 234, 252};
  for (std::size_t i = 0; i < ninths.size(); ++i) CHECK(result->values[i] == doctest::Approx(ninths[i] / 9 + 1));
}

// The GPU engine through EGL with no display: Mesa's llvmpipe on CI and on the build machine.
TEST_CASE("--engine gpu runs the GPU engine and matches the CPU on the ONNX case; auto skips llvmpipe") {
  const std::string input = OnnxInput();
  const auto run_on = [&](const std::string& engine) {
    const std::string output = TempPath("onnx_" + engine + ".npy");
    const CliRun run = Cli({"conv", "--input", input, "--output", output, "--kernel", "1,1,1;1,1,1;1,1,1",
                            "--stride", "2", "--padding", "1", "--json", "--engine", engine});
    INFO("stderr: " << run.err);
    REQUIRE(run.exit_code == 0);
    Expected<NpyArray> result = LoadNpy(output);
    REQUIRE(result.ok());
    return std::pair{nlohmann::json::parse(run.out), *result};
  };
  const auto [cpu_line, cpu] = run_on("cpu");
  for (const std::string engine : {"gpu", "auto"}) {
    CAPTURE(engine);
    const auto [line, result] = run_on(engine);
    if (engine == "auto" && line["engine"] == "cpu") {
      // No hardware GPU (CI, the build machine): auto must say it left llvmpipe to the CPU.
      REQUIRE(line.contains("fallback"));
      CHECK(line["fallback"].get<std::string>().find("runs shaders on the CPU") != std::string::npos);
    } else {
      CHECK(line["engine"] == "gpu");
      CHECK_FALSE(line.contains("fallback"));
    }
    CHECK(line["ms"].get<double>() >= 0.0);
    CHECK(line["output"] == cpu_line["output"]);
    CHECK(result.shape == cpu.shape);
    // Small integers summed in float: exact on both engines.
    CHECK(result.values == cpu.values);
  }
  CHECK_FALSE(cpu_line.contains("fallback"));
}

// DESIGN.md: a GL failure reports the info log and falls back to the CPU. A developer shader
// folder with a broken conv.comp makes GpuEngine::Create fail the way a bad driver would.
TEST_CASE("a GPU engine that fails to build: gpu exits 2 with the log on one line, auto uses the CPU") {
  const fs::path shaders = TempDir() / "broken_shaders";
  fs::create_directories(shaders);
  std::ofstream(shaders / "conv.comp") << "#version 430\nlayout(local_size_x = 16) in;\nvoid main() { not glsl; }\n";
  REQUIRE(setenv("STRIDESCOPE_SHADER_DIR", shaders.string().c_str(), 1) == 0);
  const std::string input = OnnxInput();
  const std::string output = TempPath("broken_out.npy");
  const std::vector<std::string> args = {"conv", "--input", input, "--output", output, "--kernel", "box", "--json"};
  std::vector<std::string> on_gpu = args;
  on_gpu.insert(on_gpu.end(), {"--engine", "gpu"});
  CheckInvalid(on_gpu, "--engine gpu: the GPU engine cannot start: shader conv.comp failed to compile");
  const CliRun automatic = Cli(args);
  unsetenv("STRIDESCOPE_SHADER_DIR");
  REQUIRE(automatic.exit_code == 0);
  const nlohmann::json line = nlohmann::json::parse(automatic.out);
  CHECK(line["engine"] == "cpu");
  CHECK(line["fallback"].get<std::string>().find("conv.comp failed to compile") != std::string::npos);
}

// An engine with the GPU's kind of refusal. The real GPU engine refuses only beyond what core's own
// input and feature-map limits let through on llvmpipe, so the CLI cannot reach it in a test.
class RefusingEngine final : public Engine {
 public:
  std::string_view Name() const override { return "gpu"; }
  Status CanCompute(const Geometry&, const Tensor3&) const override { return Error{"too large for it"}; }
  Tensor3 Compute(const Params&, const Geometry&, const Tensor3&) override {
    FAIL("Compute after CanCompute refused");
    return {};
  }
};

TEST_CASE("a GPU that refuses the size: auto falls back to the CPU, gpu is an error") {
  const Tensor3 input = Tensor3::Zeros(1, 4, 4);
  Params params;
  params.kernel.weights = {1.0f};
  Expected<Geometry> geometry = ResolveGeometry(params, 1, 4, 4);
  REQUIRE(geometry.ok());

  EngineChoice automatic{nullptr, std::make_unique<RefusingEngine>(), ""};
  REQUIRE(FitEngine("auto", *geometry, input, automatic).ok());
  CHECK(automatic.engine->Name() == "cpu");
  CHECK(automatic.fallback_note.find("too large for it") != std::string::npos);

  EngineChoice gpu{nullptr, std::make_unique<RefusingEngine>(), ""};
  Status refused = FitEngine("gpu", *geometry, input, gpu);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "--engine gpu: too large for it");
}

TEST_CASE("channel layouts: (H,W,C) in, depthwise (OH,OW,C) or summed (OH,OW) out") {
  // 2 x 2 x 3, channel c holds value 10*c + pixel index: easy to sum by hand.
  std::vector<float> hwc;
  for (int p = 0; p < 4; ++p)
    for (int c = 0; c < 3; ++c) hwc.push_back(static_cast<float>(10 * c + p));
  const std::string input = SaveArray("hwc.npy", {2, 2, 3}, hwc);
  const std::string output = TempPath("hwc_out.npy");

  // 1x1 kernel of 2: depthwise doubles every value and keeps the HWC layout.
  REQUIRE(Cli({"conv", "--input", input, "--output", output, "--kernel", "2"}).exit_code == 0);
  Expected<NpyArray> depthwise = LoadNpy(output);
  REQUIRE(depthwise.ok());
  CHECK(depthwise->shape == std::vector<int>{2, 2, 3});
  for (std::size_t i = 0; i < hwc.size(); ++i) CHECK(depthwise->values[i] == 2 * hwc[i]);

  // Summed: pixel p gives 2 * (p + 10+p + 20+p) = 2 * (3p + 30).
  REQUIRE(Cli({"conv", "--input", input, "--output", output, "--kernel", "2", "--channels", "sum"}).exit_code == 0);
  Expected<NpyArray> summed = LoadNpy(output);
  REQUIRE(summed.ok());
  CHECK(summed->shape == std::vector<int>{2, 2});
  for (int p = 0; p < 4; ++p) CHECK(summed->values[static_cast<std::size_t>(p)] == 2 * (3 * p + 30));

  // A (F,C,KH,KW) bank of two 1x1 filters: [1,0,0] picks channel 0, [0,0,1] picks channel 2.
  const std::string bank = SaveArray("bank.npy", {2, 3, 1, 1}, {1, 0, 0, 0, 0, 1});
  REQUIRE(Cli({"conv", "--input", input, "--output", output, "--kernel", bank}).exit_code == 0);
  Expected<NpyArray> picked = LoadNpy(output);
  REQUIRE(picked.ok());
  CHECK(picked->shape == std::vector<int>{2, 2, 2});
  for (int p = 0; p < 4; ++p) {
    CHECK(picked->values[static_cast<std::size_t>(2 * p)] == p);
    CHECK(picked->values[static_cast<std::size_t>(2 * p + 1)] == 20 + p);
  }
}

TEST_CASE("pooling defaults its stride to the window, as PyTorch") {
  const std::string input = SaveArray("pool.npy", {4, 4}, Iota(16));
  const std::string output = TempPath("pool_out.npy");
  REQUIRE(Cli({"conv", "--input", input, "--output", output, "--op", "maxpool", "--window", "2"}).exit_code == 0);
  Expected<NpyArray> result = LoadNpy(output);
  REQUIRE(result.ok());
  CHECK(result->shape == std::vector<int>{2, 2});
  CHECK(result->values == std::vector<float>{5, 7, 13, 15});
  // Average of the 2x2 blocks of 0..15: (0+1+4+5)/4 = 2.5 and so on.
  REQUIRE(Cli({"conv", "--input", input, "--output", output, "--op", "avgpool", "--window", "2"}).exit_code == 0);
  result = LoadNpy(output);
  REQUIRE(result.ok());
  CHECK(result->values == std::vector<float>{2.5f, 4.5f, 10.5f, 12.5f});

  // Padding 1, window 2, stride 2 on 0..15: the top-left window holds one real pixel (0) and three
  // padding cells; the next holds 1 and 2. Divisor 4 with the padding counted, 2 without.
  REQUIRE(Cli({"conv", "--input", input, "--output", output, "--op", "avgpool", "--window", "2",
               "--padding", "1"}).exit_code == 0);
  result = LoadNpy(output);
  REQUIRE(result.ok());
  CHECK(result->values[1] == doctest::Approx((1 + 2) / 4.0));
  REQUIRE(Cli({"conv", "--input", input, "--output", output, "--op", "avgpool", "--window", "2",
               "--padding", "1", "--no-count-include-pad"}).exit_code == 0);
  result = LoadNpy(output);
  REQUIRE(result.ok());
  CHECK(result->values[1] == doctest::Approx((1 + 2) / 2.0));
}

TEST_CASE("transposed conv and same padding through the CLI") {
  const std::string input = SaveArray("t.npy", {2, 2}, {1, 2, 3, 4});
  const std::string output = TempPath("t_out.npy");
  // Stride 2, 1x1 kernel of 1: zeros inserted between pixels; out = (2-1)*2 + 1 = 3 per side.
  REQUIRE(Cli({"conv", "--input", input, "--output", output, "--op", "transposed", "--kernel", "1",
               "--stride", "2", "--json"}).exit_code == 0);
  Expected<NpyArray> result = LoadNpy(output);
  REQUIRE(result.ok());
  CHECK(result->shape == std::vector<int>{3, 3});
  CHECK(result->values == std::vector<float>{1, 0, 2, 0, 0, 0, 3, 0, 4});
  // With output padding 1: one more row and column of zeros at the end.
  REQUIRE(Cli({"conv", "--input", input, "--output", output, "--op", "transposed", "--kernel", "1",
               "--stride", "2", "--output-padding", "1"}).exit_code == 0);
  result = LoadNpy(output);
  REQUIRE(result.ok());
  CHECK(result->shape == std::vector<int>{4, 4});

  // same, stride 2 on 7x5 with a 3x3 kernel: out = ceil(7/2) x ceil(5/2) = 4 x 3; rows total
  // (4-1)*2+3-7 = 2 -> 1,1; cols (3-1)*2+3-5 = 2 -> 1,1.
  const CliRun run = Cli({"conv", "--input", OnnxInput(), "--output", output, "--kernel", "box",
                          "--stride", "2", "--padding", "same", "--json"});
  REQUIRE(run.exit_code == 0);
  const nlohmann::json line = nlohmann::json::parse(run.out);
  CHECK(line["output"] == nlohmann::json({4, 3, 1}));
  CHECK(line["padding"] == nlohmann::json({1, 1, 1, 1}));
  // Even kernel, stride 1, width 5: total = 1, the extra pixel goes right/bottom.
  const CliRun even = Cli({"conv", "--input", OnnxInput(), "--output", output, "--kernel", "box:2",
                           "--padding", "same", "--json"});
  REQUIRE(even.exit_code == 0);
  CHECK(nlohmann::json::parse(even.out)["padding"] == nlohmann::json({0, 1, 0, 1}));
}

TEST_CASE("PNG output and image input") {
  const std::string png = TempPath("map.png");
  REQUIRE(Cli({"conv", "--input", OnnxInput(), "--output", png, "--kernel", "sobel-x"}).exit_code == 0);
  Expected<Tensor3> image = LoadInput(png);
  REQUIRE(image.ok());
  CHECK(image->width == 3);
  CHECK(image->height == 5);
  // The image goes back in as RGB in [0,1].
  const std::string output = TempPath("from_png.npy");
  const CliRun run = Cli({"conv", "--input", png, "--output", output, "--kernel", "identity:1", "--json"});
  REQUIRE(run.exit_code == 0);
  CHECK(nlohmann::json::parse(run.out)["input"] == nlohmann::json({5, 3, 3}));
}

TEST_CASE("every invalid argument or input exits 2 with one line that says what to change") {
  const std::string input = OnnxInput();
  const std::string out = TempPath("never.npy");
  const std::vector<std::string> base = {"conv", "--input", input, "--output", out};
  const auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  CheckInvalid({"conv", "--output", out, "--kernel", "box"}, "--input");
  CheckInvalid(with({"--kernel", "box", "--stride", "0"}), "stride Y is 0");
  CheckInvalid(with({"--kernel", "box", "--stride", "65"}), "from 1 to 64");
  CheckInvalid(with({"--kernel", "box", "--stride", "2,x"}), "--stride '2,x'");
  CheckInvalid(with({"--kernel", "box", "--dilation", "17"}), "dilation");
  CheckInvalid(with({"--kernel", "nope"}), "unknown kernel 'nope'");
  CheckInvalid(with({"--kernel", "nan,1"}), "finite");
  CheckInvalid(with({"--kernel", "1,2;3"}), "same count");
  CheckInvalid(with({"--kernel", "box:32"}), "1 to 31");
  CheckInvalid(with({"--kernel", "box:9"}), "no output");
  CheckInvalid(with({"--kernel", "box", "--padding", "5", "--pad-mode", "reflect"}), "reflect");
  CheckInvalid(with({"--kernel", "box", "--padding", "1,2,3"}), "--padding");
  CheckInvalid(with({"--kernel", "box", "--pad-mode", "mirror"}), "zeros|reflect|replicate|circular");
  CheckInvalid(with({"--kernel", "box", "--op", "dilate"}), "conv|transposed|maxpool|avgpool");
  CheckInvalid(with({"--kernel", "box", "--bias", "abc"}), "--bias");
  CheckInvalid(with({"--kernel", "box", "--engine", "metal"}), "--engine");
  CheckInvalid(with({"--kernel", "box", "--window", "2"}), "--window applies to pooling");
  CheckInvalid(with({"--op", "maxpool", "--window", "3", "--padding", "2"}), "half the pooling window");
  CheckInvalid(with({"--op", "avgpool", "--window", "2", "--dilation", "2"}), "dilation");
  CheckInvalid(with({"--op", "transposed", "--kernel", "box", "--stride", "2", "--output-padding", "2"}),
               "output padding");
  CheckInvalid(with({}), "needs --kernel");
  CheckInvalid({"conv", "--input", input, "--output", TempPath("x.txt"), "--kernel", "box"}, ".npy or .png");
  CheckInvalid({"conv", "--input", TempPath("missing.npy"), "--output", out, "--kernel", "box"}, "missing.npy");
  CheckInvalid({"conv", "--input", input, "--output", TempPath("no/such/dir/o.npy"), "--kernel", "box"}, "o.npy");

  // A corrupt image and a truncated .npy.
  const std::string corrupt = TempPath("corrupt.png");
  std::ofstream(corrupt, std::ios::binary) << "\x89PNG\r\n\x1a\n garbage";
  CheckInvalid({"conv", "--input", corrupt, "--output", out, "--kernel", "box"}, "corrupt.png");
  const std::string truncated = TempPath("truncated.npy");
  {
    std::ifstream in(input, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() - 8);
  }
  CheckInvalid({"conv", "--input", truncated, "--output", out, "--kernel", "box"}, "truncated.npy");
  // A kernel whose channels do not match the image.
  const std::string kernel3 = SaveArray("k3.npy", {3, 3, 3}, std::vector<float>(27, 1.0f));
  CheckInvalid(with({"--kernel", kernel3}), "3 input channels");
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("help documents every flag; the window's flags parse into GuiOptions") {
  const CliRun help = Cli({"conv", "--help"});
  CHECK(help.exit_code == 0);
  for (const char* flag : {"--input", "--output", "--kernel", "--op", "--window", "--stride", "--dilation",
                           "--padding", "--pad-mode", "--bias", "--channels", "--output-padding", "--ceil-mode",
                           "--count-include-pad", "--no-count-include-pad", "--engine", "--json"}) {
    CAPTURE(flag);
    CHECK(help.out.find(flag) != std::string::npos);
  }
  const CliRun top = Cli({"--help"});
  CHECK(top.exit_code == 0);
  CHECK(top.out.find("conv") != std::string::npos);
  CHECK(top.out.find("--screenshot") != std::string::npos);

  std::ostringstream out, err;
  Command gui = ParseCommandLine({"stridescope", "--sample", "grid7", "--stride", "3", "--kernel", "sobel-y",
                                  "--screenshot", "s.png", "--frames", "5"},
                                 out, err);
  REQUIRE(gui.gui.has_value());
  CHECK(gui.gui->sample == "grid7");
  CHECK(gui.gui->screenshot_path == "s.png");
  CHECK(gui.gui->frames == 5);
  CHECK(gui.gui->engine == "auto");
  REQUIRE(gui.gui->params.has_value());
  CHECK(gui.gui->params->stride == Size2{3, 3});
  CHECK(gui.gui->params->kernel.weights[0] == -1.0f);

  Command bare = ParseCommandLine({"stridescope", "photo.png"}, out, err);
  REQUIRE(bare.gui.has_value());
  CHECK(bare.gui->input_path == "photo.png");
  CHECK_FALSE(bare.gui->params.has_value());
  // --engine alone picks the window's engine without touching its parameters.
  Command on_cpu = ParseCommandLine({"stridescope", "--engine", "cpu"}, out, err);
  REQUIRE(on_cpu.gui.has_value());
  CHECK(on_cpu.gui->engine == "cpu");
  CHECK_FALSE(on_cpu.gui->params.has_value());

  const CliRun bench_help = Cli({"bench", "--help"});
  CHECK(bench_help.exit_code == 0);
  for (const char* flag : {"--json", "--engine", "--size", "--repeat", "--quick"}) {
    CAPTURE(flag);
    CHECK(bench_help.out.find(flag) != std::string::npos);
  }

  CheckInvalid({"--sample", "nope"}, "unknown");
  CheckInvalid({"--stride", "0,1", "--bogus"}, "--bogus");
}

TEST_CASE("bench --quick --json times both engines on every case") {
  const CliRun run = Cli({"bench", "--quick", "--json", "--repeat", "1"});
  INFO("stderr: " << run.err);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json bench = nlohmann::json::parse(run.out);
  CHECK(bench["inputs"] == nlohmann::json({{270, 480, 3}}));
  const nlohmann::json& machine = bench["machine"];
  CHECK_FALSE(machine["gl_renderer"].get<std::string>().empty());
  CHECK_FALSE(machine["cpu"].get<std::string>().empty());
  CHECK_FALSE(machine["fma_isa"].get<std::string>().empty());
  for (const char* figure : {"peak_gflops", "bandwidth_gbs"}) {
    CAPTURE(figure);
    const double v = machine[figure].get<double>();
    CHECK(std::isfinite(v));
    CHECK(v > 0.0);
  }
  CHECK_FALSE(bench.contains("gpu_note"));
  // Kernels 3 and 7 at strides 1, 2 and 4, box and dense; same padding: out = ceil(in / stride).
  REQUIRE(bench["rows"].size() == 12);
  for (const nlohmann::json& row : bench["rows"]) {
    CAPTURE(row.dump());
    const int stride = row["stride"].get<int>();
    CHECK(row["input"] == nlohmann::json({270, 480, 3}));
    CHECK(row["output"] == nlohmann::json({(270 + stride - 1) / stride, (480 + stride - 1) / stride, 3}));
    CHECK(row["macs"].get<long long>() > 0);
    CHECK(row["dilation"] == 1);
    CHECK(row["pad_mode"] == "zeros");
    const std::string kind = row["kernel_kind"].get<std::string>();
    CHECK((kind == "box" || kind == "dense"));
    CHECK(row.contains("vs_stride1") == (stride != 1));
    CHECK(row.contains("separable_speedup") == (kind == "dense"));
    CHECK(row["intensity"].get<double>() > 0.0);
    CHECK(row["roofline_bound_gflops"].get<double>() > 0.0);
    for (const char* engine : {"cpu", "gpu"}) {
      CAPTURE(engine);
      REQUIRE(row.contains(engine));
      CHECK(row[engine]["ms"].get<double>() > 0.0);
      CHECK(row[engine]["gflops"].get<double>() > 0.0);
    }
    // The bound is min(peak, intensity x bandwidth) of this run's machine figures, and the share
    // is GFLOP/s over it. Not compared with 1: a small input served from cache beats the memory
    // bandwidth the bound assumes, and timings on shared cores swing.
    const double bound = std::min(machine["peak_gflops"].get<double>(),
                                  row["intensity"].get<double>() * machine["bandwidth_gbs"].get<double>());
    CHECK(row["roofline_bound_gflops"].get<double>() == doctest::Approx(bound).epsilon(1e-9));
    const double share = row["cpu"]["roofline_share"].get<double>();
    CHECK(share == doctest::Approx(row["cpu"]["gflops"].get<double>() / bound).epsilon(1e-9));
    CHECK(share > 0.0);
    CHECK(row["cpu"]["mpix_per_s"].get<double>() > 0.0);
    CHECK(row["gpu"]["compute_ms"].get<double>() > 0.0);
    // llvmpipe's GL_TIME_ELAPSED does not time compute: then the dispatch's wall time is reported.
    const std::string timed_by = row["gpu"]["timed_by"].get<std::string>();
    CHECK((timed_by == "timer" || timed_by == "wall"));
    CHECK(row["gpu_over_cpu"].get<double>() > 0.0);
#ifdef STRIDESCOPE_HAVE_OPENCV
    // Zeros padding, odd kernels: filter2D's semantics are ours, so its output must match.
    CHECK(row["opencv"]["ms"].get<double>() > 0.0);
    CHECK(row["opencv"]["ours_over_peer"].get<double>() > 0.0);
    CHECK(row["opencv"]["matches"] == true);
#else
    CHECK_FALSE(row.contains("opencv"));
#endif
  }
  // Every target of the issue is reported; which pass is the machine's business, not the test's.
  REQUIRE(bench["targets"].size() == 5);
  for (const nlohmann::json& target : bench["targets"]) {
    CAPTURE(target.dump());
    const std::string status = target["status"].get<std::string>();
    CHECK((status == "PASS" || status == "MISS" || status == "n/a"));
    CHECK_FALSE(target["figures"].get<std::string>().empty());
  }

  // The CPU alone, on a tiny input: no GPU fields at all.
  const CliRun cpu = Cli({"bench", "--quick", "--json", "--engine", "cpu", "--size", "16x9", "--repeat", "1"});
  REQUIRE(cpu.exit_code == 0);
  const nlohmann::json cpu_bench = nlohmann::json::parse(cpu.out);
  CHECK(cpu_bench["inputs"] == nlohmann::json({{9, 16, 3}}));
  for (const nlohmann::json& row : cpu_bench["rows"]) {
    CHECK(row.contains("cpu"));
    CHECK_FALSE(row.contains("gpu"));
  }

  // The text table names the machine and every case.
  const CliRun table = Cli({"bench", "--quick", "--engine", "cpu", "--size", "16x9", "--repeat", "1"});
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("CPU: ") != std::string::npos);
  CHECK(table.out.find("Roofline (measured now") != std::string::npos);
  CHECK(table.out.find("16x9") != std::string::npos);
  CHECK(table.out.find("dense") != std::string::npos);
  CHECK(table.out.find("Targets (this run):") != std::string::npos);
#ifndef STRIDESCOPE_HAVE_OPENCV
  CHECK(table.out.find("OpenCV: not built in (install libopencv-dev") != std::string::npos);
#endif

  CheckInvalid({"bench", "--size", "1920"}, "--size '1920'");
  CheckInvalid({"bench", "--size", "0x5"}, "WIDTHxHEIGHT");
  CheckInvalid({"bench", "--repeat", "0"}, "--repeat");
  CheckInvalid({"bench", "--engine", "tpu"}, "--engine");
}

TEST_CASE("bench cases: the default set, and the rows each row is compared with") {
  const Expected<std::vector<BenchCase>> cases = MakeBenchCases({{64, 36}, {128, 72}}, /*quick=*/false);
  REQUIRE(cases.ok());
  // Per size: grid 4 kernels x 3 strides x 2 kinds, dilation 2 at 2 kernels x 2 strides x 2 kinds;
  // the first size also has 3 other pad modes x 2 strides x 2 kinds.
  CHECK(cases->size() == 2 * (24 + 8) + 12);
  std::vector<BenchRow> rows;
  for (const BenchCase& c : *cases) rows.push_back(BenchRow{&c, {}, {}, {}});
  for (const BenchRow& row : rows) {
    const BenchCase& c = *row.bench_case;
    CAPTURE(c.Label());
    CHECK(c.params.kernel.height == c.kernel);
    CHECK(c.Flops() == 2.0 * static_cast<double>(c.geometry.macs));
    const BenchRow* one = FindStrideOneTwin(rows, row);
    REQUIRE(one != nullptr);
    CHECK(one <= &row);  // printed first, so the table can show the ratio at once
    CHECK(one->bench_case->stride == 1);
    CHECK(one->bench_case->kind == c.kind);
    CHECK(one->bench_case->dilation == c.dilation);
    CHECK(one->bench_case->pad_mode == c.pad_mode);
    const BenchRow* box = FindBoxPartner(rows, row);
    CHECK((box != nullptr) == (c.kind == KernelKind::Dense));
    if (box) {
      CHECK(box < &row);
      CHECK(box->bench_case->stride == c.stride);
      CHECK(box->bench_case->kernel == c.kernel);
      CHECK(box->bench_case->params.kernel.weights != c.params.kernel.weights);
    }
  }
}

TEST_CASE("roofline: measured figures are positive and finite, the bound is min(peak, intensity x bandwidth)") {
  const Roofline r = MeasureRoofline();
  CHECK(r.threads >= 1);
  CHECK(std::isfinite(r.peak_gflops));
  CHECK(r.peak_gflops > 0.0);
  CHECK(std::isfinite(r.bandwidth_gbs));
  CHECK(r.bandwidth_gbs > 0.0);
  CHECK_FALSE(r.fma_isa.empty());
  const Roofline fixed{100.0, 10.0, "test", 1};
  CHECK(fixed.BoundGflops(1.0) == doctest::Approx(10.0));
  CHECK(fixed.BoundGflops(50.0) == doctest::Approx(100.0));
  CHECK(fixed.TransferMilliseconds(1e9) == doctest::Approx(100.0));
}

#ifdef STRIDESCOPE_HAVE_OPENCV
TEST_CASE("OpenCV peer: filter2D + subsample equals our engine wherever the semantics agree") {
  const Expected<std::vector<BenchCase>> cases = MakeBenchCases({{61, 37}}, /*quick=*/false);
  REQUIRE(cases.ok());
  const Tensor3 input = MakeBenchInput({61, 37});
  std::unique_ptr<Engine> cpu = MakeBenchCpuEngine();
  for (const BenchCase& c : *cases) {
    CAPTURE(c.Label());
    const Tensor3 ours = cpu->Compute(c.params, c.geometry, input);
    const Expected<PeerTiming> peer = TimeOpenCvPeer(c, input, ours, 1);
    if (c.pad_mode == PadMode::Circular) {
      CHECK_FALSE(peer.ok());
      continue;
    }
    REQUIRE(peer.ok());
    REQUIRE(peer->matches.has_value());
    CHECK(*peer->matches);
    CHECK(peer->max_relative_error <= 1e-4);
  }
}
#endif

TEST_CASE("review fixes: flags before a subcommand, +bias, --channels with a 3-D kernel, JSON key order") {
  const std::string input = OnnxInput();
  const std::string out = TempPath("review.npy");
  // --stride before `conv` used to be dropped silently (stride 1, exit 0).
  CheckInvalid({"--stride", "2", "conv", "--input", input, "--output", out, "--kernel", "box"}, "after it");

  const CliRun plus = Cli({"conv", "--input", input, "--output", out, "--kernel", "1", "--bias", "+1.5"});
  REQUIRE(plus.exit_code == 0);
  Expected<NpyArray> result = LoadNpy(out);
  REQUIRE(result.ok());
  CHECK(result->values[0] == 1.5f);  // input 0 * 1 + 1.5

  const std::string kernel3 = SaveArray("k1x3.npy", {1, 3, 3}, std::vector<float>(9, 1.0f));
  CheckInvalid({"conv", "--input", input, "--output", out, "--kernel", kernel3, "--channels", "sum"}, "2-D kernel");

  const CliRun json = Cli({"conv", "--input", input, "--output", out, "--kernel", "box", "--json", "--engine", "cpu"});
  REQUIRE(json.exit_code == 0);
  const std::size_t at_input = json.out.find("\"input\""), at_output = json.out.find("\"output\"");
  const std::size_t at_padding = json.out.find("\"padding\""), at_macs = json.out.find("\"macs\"");
  const std::size_t at_engine = json.out.find("\"engine\""), at_ms = json.out.find("\"ms\"");
  CHECK(at_input < at_output);
  CHECK(at_output < at_padding);
  CHECK(at_padding < at_macs);
  CHECK(at_macs < at_engine);
  CHECK(at_engine < at_ms);
}
