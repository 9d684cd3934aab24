#include "gpu_engine.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <glad/gl.h>

#include "gl_texture.h"

namespace stridescope {

namespace {

constexpr int kGroupSize = 16;  // local_size_x/y in shaders/conv.comp
// Input plus feature map on the GPU. Beyond this the CPU engine is the better tool anyway, and it
// keeps llvmpipe (which allocates in system memory) from swapping the machine.
constexpr std::uint64_t kMaxGpuBytes = 2ull << 30;

int ShaderOp(Op op) {
  switch (op) {
    case Op::Conv:
    case Op::Transposed: return 0;
    case Op::MaxPool: return 1;
    case Op::AvgPool: return 2;
  }
  return 0;
}

// One array of ints for the shader: row sources, column sources, then avg-pool spans per output
// row and column as (padded_length, real_count). Offsets say where each part starts.
struct Tables {
  std::vector<std::int32_t> values;
  int col_offset = 0;
  int row_span_offset = 0;
  int col_span_offset = 0;
};

void AppendSpans(const AxisGeometry& axis, std::vector<std::int32_t>& out) {
  for (int o = 0; o < axis.output; ++o) {
    const AxisGeometry::PoolSpan span = axis.AvgPoolSpan(o);
    out.push_back(span.padded_length);
    out.push_back(span.last - span.first);
  }
}

Tables BuildTables(const Geometry& g) {
  Tables t;
  const std::vector<int> rows = g.y.SourceTable(g.pad_mode);
  const std::vector<int> cols = g.x.SourceTable(g.pad_mode);
  t.values.assign(rows.begin(), rows.end());
  t.col_offset = static_cast<int>(t.values.size());
  t.values.insert(t.values.end(), cols.begin(), cols.end());
  t.row_span_offset = static_cast<int>(t.values.size());
  if (g.op == Op::AvgPool) AppendSpans(g.y, t.values);
  t.col_span_offset = static_cast<int>(t.values.size());
  if (g.op == Op::AvgPool) AppendSpans(g.x, t.values);
  return t;
}

// [oc][ic in group][ty][tx] in window-tap order, so the shader never needs to know the kernel's
// rank, PyTorch's layout or the transposed flip.
std::vector<float> CanonicalWeights(const Params& p, const Geometry& g) {
  if (p.op == Op::MaxPool || p.op == Op::AvgPool) return {0.0f};  // an SSBO may not be empty
  const ChannelPlan& plan = g.channels;
  std::vector<float> w;
  w.reserve(static_cast<std::size_t>(plan.out_channels) * plan.InputsPerGroup() * g.y.taps * g.x.taps);
  for (int oc = 0; oc < plan.out_channels; ++oc) {
    for (int k = 0; k < plan.InputsPerGroup(); ++k) {
      const float* plane = WeightPlane(p.kernel, p.op, oc, plan.FirstInputOf(oc) + k);
      for (int ty = 0; ty < g.y.taps; ++ty)
        for (int tx = 0; tx < g.x.taps; ++tx) w.push_back(plane[g.y.KernelIndex(ty) * g.x.taps + g.x.KernelIndex(tx)]);
    }
  }
  return w;
}

void UploadBuffer(const GlBuffer& buffer, GLuint binding, const void* data, std::size_t bytes) {
  glBindBuffer(GL_SHADER_STORAGE_BUFFER, buffer.id());
  glBufferData(GL_SHADER_STORAGE_BUFFER, static_cast<GLsizeiptr>(bytes), data, GL_DYNAMIC_DRAW);
  glBindBufferBase(GL_SHADER_STORAGE_BUFFER, binding, buffer.id());
}

GLuint NewName(void (*generate)(GLsizei, GLuint*)) {
  GLuint id = 0;
  generate(1, &id);
  return id;
}

// Immutable R32F array storage, one layer per channel.
GlArrayTexture NewArrayTexture(int width, int height, int layers) {
  GlArrayTexture texture(NewName(glGenTextures));
  glBindTexture(GL_TEXTURE_2D_ARRAY, texture.id());
  glTexStorage3D(GL_TEXTURE_2D_ARRAY, 1, GL_R32F, width, height, layers);
  // texelFetch ignores filtering, but a mipmapping min filter would leave the texture incomplete.
  glTexParameteri(GL_TEXTURE_2D_ARRAY, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D_ARRAY, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  return texture;
}

std::string Mib(std::uint64_t bytes) { return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB"; }

}  // namespace

Expected<std::unique_ptr<GpuEngine>> GpuEngine::Create(const GpuEngineOptions& options) {
  if (!GLAD_GL_VERSION_4_3)
    return Error{"OpenGL 4.3 compute shaders are not available on this driver"};
  Expected<std::string> source = ShaderSource("conv.comp");
  if (!source) return source.error();
  // A deliberate syntax error, to exercise the fallback path in tests.
  if (options.force_compile_failure) *source += "\nthis is not GLSL;\n";
  Expected<GlProgram> program = BuildComputeProgram("conv.comp", *source);
  if (!program) return program.error();

  std::unique_ptr<GpuEngine> engine(new GpuEngine());
  engine->program_ = std::move(*program);
  engine->tables_ = GlBuffer(NewName(glGenBuffers));
  engine->weights_ = GlBuffer(NewName(glGenBuffers));
  const std::string renderer_name = CurrentGlRenderer();
  for (const char* software : {"llvmpipe", "softpipe", "SwiftShader", "swrast"})
    if (renderer_name.find(software) != std::string::npos) engine->software_renderer_ = true;
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &engine->max_texture_size_);
  glGetIntegerv(GL_MAX_ARRAY_TEXTURE_LAYERS, &engine->max_layers_);
  return engine;
}

Status GpuEngine::CanCompute(const Geometry& g, const Tensor3& input) const {
  const int largest_side = std::max({input.width, input.height, g.x.output, g.y.output});
  if (largest_side > max_texture_size_)
    return Error{"a side of " + std::to_string(largest_side) + " pixels is more than this GPU's texture limit of " +
                 std::to_string(max_texture_size_) + "; use the CPU engine for this image"};
  if (std::max(input.channels, g.channels.out_channels) > max_layers_)
    return Error{"this GPU holds at most " + std::to_string(max_layers_) + " channels; use the CPU engine"};
  const std::uint64_t bytes =
      4ull * (static_cast<std::uint64_t>(input.channels) * input.height * input.width +
              static_cast<std::uint64_t>(g.channels.out_channels) * g.y.output * g.x.output);
  if (bytes > kMaxGpuBytes)
    return Error{"the input and feature map need " + Mib(bytes) + " on the GPU, more than the " + Mib(kMaxGpuBytes) +
                 " stridescope uses; use the CPU engine for this image"};
  return Done{};
}

void GpuEngine::UploadInput(const Tensor3& input) {
  if (input_.empty() || input.channels != input_c_ || input.height != input_h_ || input.width != input_w_) {
    input_ = NewArrayTexture(input.width, input.height, input.channels);
    input_c_ = input.channels;
    input_h_ = input.height;
    input_w_ = input.width;
  }
  glBindTexture(GL_TEXTURE_2D_ARRAY, input_.id());
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  // Planar C,H,W is exactly layer-major rows: one upload for all channels.
  glTexSubImage3D(GL_TEXTURE_2D_ARRAY, 0, 0, 0, 0, input.width, input.height, input.channels, GL_RED, GL_FLOAT,
                  input.data.data());
}

void GpuEngine::Dispatch(const Params& p, const Geometry& g, const Tensor3& input, bool input_changed,
                         GpuOutput& output) {
  if (input_changed || input_.empty() || input.channels != input_c_ || input.height != input_h_ ||
      input.width != input_w_)
    UploadInput(input);
  const int out_channels = g.channels.out_channels;
  if (output.texture_.empty() || out_channels != output.channels_ || g.y.output != output.height_ ||
      g.x.output != output.width_) {
    output.texture_ = NewArrayTexture(g.x.output, g.y.output, out_channels);
    output.channels_ = out_channels;
    output.height_ = g.y.output;
    output.width_ = g.x.output;
  }
  if (output.timer_.empty()) output.timer_ = GlQuery(NewName(glGenQueries));

  const Tables tables = BuildTables(g);
  const std::vector<float> weights = CanonicalWeights(p, g);
  UploadBuffer(tables_, 0, tables.values.data(), tables.values.size() * sizeof(std::int32_t));
  UploadBuffer(weights_, 1, weights.data(), weights.size() * sizeof(float));

  const GLuint program = program_.id();
  glUseProgram(program);
  const auto uniform = [program](const char* name) { return glGetUniformLocation(program, name); };
  glUniform1i(uniform("uOp"), ShaderOp(p.op));
  glUniform2i(uniform("uOutSize"), g.x.output, g.y.output);
  glUniform1i(uniform("uOutChannels"), g.channels.out_channels);
  glUniform2i(uniform("uStep"), g.x.step, g.y.step);
  glUniform2i(uniform("uDilation"), g.x.dilation, g.y.dilation);
  glUniform2i(uniform("uTaps"), g.x.taps, g.y.taps);
  glUniform1i(uniform("uInputsPerGroup"), g.channels.InputsPerGroup());
  glUniform1i(uniform("uOutputsPerGroup"), g.channels.OutputsPerGroup());
  glUniform1f(uniform("uBias"), p.op == Op::Conv || p.op == Op::Transposed ? p.bias : 0.0f);
  glUniform1i(uniform("uCountIncludePad"), p.count_include_pad ? 1 : 0);
  glUniform1i(uniform("uColTableOffset"), tables.col_offset);
  glUniform1i(uniform("uRowSpanOffset"), tables.row_span_offset);
  glUniform1i(uniform("uColSpanOffset"), tables.col_span_offset);
  glUniform1i(uniform("uInput"), 0);

  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D_ARRAY, input_.id());
  glBindImageTexture(0, output.texture_.id(), 0, GL_TRUE, 0, GL_WRITE_ONLY, GL_R32F);

  glBeginQuery(GL_TIME_ELAPSED, output.timer_.id());
  glDispatchCompute(static_cast<GLuint>((g.x.output + kGroupSize - 1) / kGroupSize),
                    static_cast<GLuint>((g.y.output + kGroupSize - 1) / kGroupSize),
                    static_cast<GLuint>(g.channels.out_channels));
  glEndQuery(GL_TIME_ELAPSED);
  output.timer_pending_ = true;
  output.last_gpu_ms_ = -1.0;  // the previous dispatch's time no longer describes the output
  // Whoever reads the output next (display shader, readback) must see the stores.
  glMemoryBarrier(GL_TEXTURE_FETCH_BARRIER_BIT | GL_SHADER_IMAGE_ACCESS_BARRIER_BIT | GL_TEXTURE_UPDATE_BARRIER_BIT);
}

double GpuOutput::LastGpuMilliseconds() {
  if (timer_pending_) {
    GLint available = GL_FALSE;
    glGetQueryObjectiv(timer_.id(), GL_QUERY_RESULT_AVAILABLE, &available);
    if (available == GL_TRUE) {
      GLuint64 nanoseconds = 0;
      glGetQueryObjectui64v(timer_.id(), GL_QUERY_RESULT, &nanoseconds);
      last_gpu_ms_ = static_cast<double>(nanoseconds) * 1e-6;
      timer_pending_ = false;
    }
  }
  return last_gpu_ms_;
}

Tensor3 GpuEngine::ReadBack(const GpuOutput& output) const {
  if (output.texture_.empty()) return {};
  Tensor3 out = Tensor3::Zeros(output.channels_, output.height_, output.width_);
  glBindTexture(GL_TEXTURE_2D_ARRAY, output.texture_.id());
  glPixelStorei(GL_PACK_ALIGNMENT, 4);
  // Layers come back in order, each row-major: the planar C,H,W layout of Tensor3.
  glGetTexImage(GL_TEXTURE_2D_ARRAY, 0, GL_RED, GL_FLOAT, out.data.data());
  return out;
}

Tensor3 GpuEngine::Compute(const Params& params, const Geometry& geometry, const Tensor3& input) {
  Dispatch(params, geometry, input, /*input_changed=*/true);
  return ReadBack(own_output_);
}

}  // namespace stridescope
