#include "cli/conv_command.h"

#include <chrono>
#include <new>
#include <ostream>

#include <nlohmann/json.hpp>

#include "cli/engine_choice.h"
#include "io.h"

#include "cli/exit_codes.h"

namespace stridescope {

namespace {


int Fail(std::ostream& err, const std::string& message) {
  err << "stridescope conv: " << message << "\n";
  return kExitInvalid;
}


}  // namespace

CLI::App* AddConvCommand(CLI::App& app, ConvOptions& o) {
  CLI::App* conv = app.add_subcommand(
      "conv", "Compute a convolution, transposed convolution or pooling without a window");
  conv->add_option("--input", o.input_path,
                   "Input: .npy float32 shaped (H,W) or (H,W,C), or a PNG/JPEG/BMP image (RGB in [0,1])")
      ->required();
  conv->add_option("--output", o.output_path,
                   "Output: .npy float32, (OH,OW) for one channel else (OH,OW,C); or .png, normalised")
      ->required();
  conv->add_flag("--json", o.json,
                 "Print one JSON line: input [H,W,C], output [OH,OW,C], padding [T,B,L,R], macs, "
                 "engine (the one that ran: cpu or gpu), ms (compute time without file I/O; on the GPU "
                 "upload, dispatch and readback), and fallback (why auto did not use the GPU) when it did not");
  AddParamOptions(*conv, o.flags);
  conv->footer(
      "Exit status: 0 on success, 2 with a one-line message for any invalid argument or input.\n"
      "Example: stridescope conv --input photo.png --kernel sobel-x --stride 2 --padding same "
      "--output edges.png");
  return conv;
}

int RunConv(const ConvOptions& o, std::ostream& out, std::ostream& err) {
  Expected<Params> params = BuildParams(o.flags, Params{});
  if (!params) return Fail(err, params.error().message);
  if (!IsPooling(params->op) && !o.flags.kernel)
    return Fail(err, "--op " + std::string(Name(params->op)) +
                         " needs --kernel (a preset such as gaussian:5, rows like \"1,0,-1;2,0,-2;1,0,-1\", "
                         "or a .npy file)");
  const std::string out_ext = FileExtension(o.output_path);
  if (out_ext != ".npy" && out_ext != ".png")
    return Fail(err, "--output '" + o.output_path + "' must end in .npy or .png");

  Expected<Tensor3> input = LoadInput(o.input_path);
  if (!input) return Fail(err, input.error().message);
  Expected<Geometry> geometry = ResolveGeometry(*params, input->channels, input->height, input->width);
  if (!geometry) return Fail(err, geometry.error().message);

  // After the input checks: a user error is reported without paying for a GL context first.
  Expected<EngineChoice> choice = ChooseEngine(o.flags.engine);
  if (!choice) return Fail(err, choice.error().message);
  if (Status fits = FitEngine(o.flags.engine, *geometry, *input, *choice); !fits)
    return Fail(err, fits.error().message);
  Engine& engine = *choice->engine;
  // The GPU's time is a whole Compute (upload, dispatch, readback): what a caller of conv waits for.
  const auto start = std::chrono::steady_clock::now();
  Tensor3 result;
  try {
    result = engine.Compute(*params, *geometry, *input);
  } catch (const std::bad_alloc&) {
    // Within core's size limits, but this machine has less free memory than that needs.
    return Fail(err, "out of memory computing a " + std::to_string(geometry->macs) +
                         "-MAC result; use a smaller input, fewer filters or a larger stride");
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

  Status saved = out_ext == ".npy" ? SaveTensorNpy(o.output_path, result) : SaveTensorPng(o.output_path, result);
  if (!saved) return Fail(err, saved.error().message);

  if (o.json) {
    const Geometry& g = *geometry;
    // Keys in the documented order (input, output, padding, macs, engine, ms), not sorted.
    nlohmann::ordered_json line = {
        {"input", {input->height, input->width, input->channels}},
        {"output", {result.height, result.width, result.channels}},
        {"padding", {g.y.pad_begin, g.y.pad_end, g.x.pad_begin, g.x.pad_end}},
        {"macs", g.macs},
        {"engine", engine.Name()},
        {"ms", ms},
    };
    if (!choice->fallback_note.empty()) line["fallback"] = choice->fallback_note;
    out << line.dump() << "\n";
  }
  return 0;
}

}  // namespace stridescope
