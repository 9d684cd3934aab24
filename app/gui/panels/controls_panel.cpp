// Sections: formatting and rows | inline errors | sliders and the weight grid | input (samples,
// Open, recent files) | operation, kernel, stride, padding | engine | DrawControlsPanel.
#include "gui/panels/controls_panel.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include <imgui.h>

#include "colour_map.h"
#include "gui/app_state.h"
#include "gui/number_text.h"
#include "gui/theme.h"
#include "kernels.h"
#include "samples.h"

namespace stridescope {

namespace {

// Not the error red: nothing the user did is wrong, the program just took another route.
const ImVec4 kNoticeColour{1.00f, 0.72f, 0.35f, 1.00f};

// Sliders cover the values worth dragging through; the field next to them takes the rest.
constexpr int kStrideSliderMax = 8;
constexpr int kDilationSliderMax = 4;
constexpr int kPaddingSliderMax = 8;
constexpr int kWindowSliderMax = 8;
constexpr int kOutputPaddingSliderMax = 3;

constexpr Op kOps[] = {Op::Conv, Op::Transposed, Op::MaxPool, Op::AvgPool};
constexpr PadPreset kPadPresets[] = {PadPreset::Explicit, PadPreset::Valid, PadPreset::Same,
                                     PadPreset::Full};
constexpr PadMode kPadModes[] = {PadMode::Zeros, PadMode::Reflect, PadMode::Replicate,
                                 PadMode::Circular};
constexpr ChannelMode kChannelModes[] = {ChannelMode::Depthwise, ChannelMode::Sum};

void Tooltip(std::string_view text) {
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("%.*s", static_cast<int>(text.size()), text.data());
  }
}

void WrappedText(const ImVec4& colour, const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, colour);
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

// A section title with a rule under it; opens a two-column table (label | widget).
bool BeginSection(const char* title) {
  ImGui::Spacing();
  ImGui::TextDisabled("%s", title);
  ImGui::Separator();
  if (!ImGui::BeginTable(title, 2)) return false;
  ImGui::TableSetupColumn("label", ImGuiTableColumnFlags_WidthFixed,
                          ImGui::CalcTextSize("Operation").x);
  ImGui::TableSetupColumn("widget", ImGuiTableColumnFlags_WidthStretch);
  return true;
}

// Starts a row: the label in the left column, the next widget filling the right one. A flagged
// label is drawn in the error colour, so the eye finds the control the message is about.
void Row(const char* label, bool flagged = false) {
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(0);
  ImGui::AlignTextToFramePadding();
  if (flagged) ImGui::PushStyleColor(ImGuiCol_Text, kErrorText);
  ImGui::TextUnformatted(label);
  if (flagged) ImGui::PopStyleColor();
  ImGui::TableSetColumnIndex(1);
  ImGui::SetNextItemWidth(-FLT_MIN);
}

// Why the current Params are invalid, shown under the control that caused it (Error::setting)
// rather than at the bottom of a column the user may have to scroll.
class InlineError {
 public:
  // Taken before the controls are drawn: that is the error their rows show this frame. Call in
  // the controls' window, outside any table, so one key remembers the message scrolled to.
  explicit InlineError(const ViewResult& result)
      : message_(result.error), setting_(result.error_setting), seen_key_(ImGui::GetID("##inline_error_seen")) {
    // Valid again: the same mistake made later is news again, and scrolls into view again.
    if (message_.empty()) ImGui::GetStateStorage()->SetInt(seen_key_, -1);
  }

  // The error is about the control of `setting`: its label is flagged.
  bool On(Setting setting) const {
    return setting != Setting::None && setting_ == setting && !message_.empty();
  }

  // The place for `setting`'s errors, in a row of its own under its control; draws the message
  // there when it is that control's. Call once per drawn control, error or not.
  void RowFor(Setting setting) {
    placed_ |= Bit(setting);
    if (!On(setting)) return;
    Row("");
    WrappedText(kErrorText, message_);  // wraps at the column's edge
    ScrollIntoViewOnce();
  }

  // Whether `result`'s error (perhaps newer than the one taken at construction) has no place
  // drawn this frame, and so belongs in the general place below the controls. Checked against
  // the places rather than what was shown, so a new error does not flash there for a frame.
  bool Unplaced(const ViewResult& result) const {
    return !result.error.empty() &&
           (result.error_setting == Setting::None || (placed_ & Bit(result.error_setting)) == 0);
  }

 private:
  static std::uint32_t Bit(Setting setting) { return 1u << static_cast<unsigned>(setting); }

  // A message that appears below the visible part of the column (a control near the bottom
  // edge) scrolls just into view, once: ImGui's per-window storage remembers the last message
  // scrolled to, so the user can still scroll away from it.
  void ScrollIntoViewOnce() const {
    ImGuiStorage* storage = ImGui::GetStateStorage();
    const int hash = static_cast<int>(std::hash<std::string>{}(message_) & 0x7fffffff);
    if (storage->GetInt(seen_key_, -1) == hash) return;
    storage->SetInt(seen_key_, hash);
    const ImGuiStyle& style = ImGui::GetStyle();
    const float bottom = ImGui::GetItemRectMax().y + style.ItemSpacing.y;
    const float visible_bottom = ImGui::GetWindowPos().y + ImGui::GetWindowHeight() - style.WindowPadding.y;
    if (bottom > visible_bottom) ImGui::SetScrollY(ImGui::GetScrollY() + (bottom - visible_bottom));
  }

  std::string message_;
  Setting setting_;
  ImGuiID seen_key_;
  std::uint32_t placed_ = 0;
};

template <class Enum, std::size_t N>
bool EnumCombo(const char* id, Enum* value, const Enum (&options)[N]) {
  bool changed = false;
  if (ImGui::BeginCombo(id, std::string(Name(*value)).c_str())) {
    for (const Enum option : options) {
      const bool selected = option == *value;
      if (ImGui::Selectable(std::string(Name(option)).c_str(), selected) && !selected) {
        *value = option;
        changed = true;
      }
      if (selected) ImGui::SetItemDefaultFocus();
    }
    ImGui::EndCombo();
  }
  return changed;
}

// A slider over [min, slider_max] and a field right of it that accepts up to field_max.
bool SliderWithField(const char* id, int* value, int min, int slider_max, int field_max) {
  ImGui::PushID(id);
  const ImGuiStyle& style = ImGui::GetStyle();
  const float field_width = ImGui::CalcTextSize("0000").x + style.FramePadding.x * 2.0f;
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - field_width - style.ItemInnerSpacing.x);
  // No number on the slider: the field beside it shows the value, also beyond slider_max.
  bool changed = ImGui::SliderInt("##slider", value, min, slider_max, "");
  ImGui::SameLine(0.0f, style.ItemInnerSpacing.x);
  ImGui::SetNextItemWidth(field_width);
  changed |= ImGui::InputInt("##field", value, 0, 0);
  // Only what the user just edited: an out-of-range value from the command line stays, so the
  // core's message says what is wrong instead of the number silently changing.
  if (changed) *value = std::clamp(*value, min, field_max);
  ImGui::PopID();
  return changed;
}

// One control for both axes; shows (and starts from) the row value when they differ.
bool SymmetricSliderWithField(const char* id, Size2* size, int min, int slider_max, int field_max) {
  int value = size->y;
  if (!SliderWithField(id, &value, min, slider_max, field_max)) return false;
  *size = {value, value};
  return true;
}

bool SampleCombo(AppState& state) {
  const InputImage& input = state.input();
  const std::string preview = input.is_sample ? input.name : input.name + " (file)";
  bool changed = false;
  if (ImGui::BeginCombo("##sample", preview.c_str())) {
    for (const SampleInfo& sample : Samples()) {
      const std::string name(sample.name);
      const bool selected = input.is_sample && input.name == name;
      if (ImGui::Selectable(name.c_str(), selected) && !selected) {
        changed |= state.LoadSample(name);
      }
      Tooltip(sample.summary);
      if (selected) ImGui::SetItemDefaultFocus();
    }
    ImGui::EndCombo();
  }
  return changed;
}

const KernelPreset* FindPreset(std::string_view name) {
  const auto& presets = KernelPresets();
  const auto found = std::find_if(presets.begin(), presets.end(),
                                  [&](const KernelPreset& p) { return p.name == name; });
  return found == presets.end() ? nullptr : &*found;
}

// Each weight of a 2-D kernel as a cell to type into or drag. Larger kernels (and 3-D/4-D ones
// from .npy files) are shown, not edited: a 31x31 grid of fields helps nobody.
constexpr int kMaxEditableSide = 9;

// The most precise of a few formats in which every weight fits a cell `width` wide, or nullptr
// when none does (a 7x7 Gaussian's "0.00835" in a 25-pixel cell): clipped digits read as wrong
// values, so such a grid shows colours instead.
const char* FittingWeightFormat(const std::vector<float>& weights, float width) {
  for (const char* format : {"%.3g", "%.2g", "%.1g"}) {
    float widest = 0.0f;
    char text[32];
    for (float w : weights) {
      std::snprintf(text, sizeof text, format, static_cast<double>(w));
      widest = std::max(widest, ImGui::CalcTextSize(text).x);
    }
    if (widest <= width) return format;
  }
  return nullptr;
}

// A weight's cell colour when the grid is too narrow for numbers: the feature map's diverging
// map over -max|w|..max|w| (blue negative, near-white zero, red positive), so the kernel's shape
// still reads at a glance.
ImVec4 WeightSwatch(float weight, float largest) {
  const DisplayRange range{-largest, largest};
  const Rgb8 c = ColourOfValue(weight, ColourMap::Diverging, largest > 0.0f ? range : DisplayRange{-1.0f, 1.0f});
  return ImVec4(c.r / 255.0f, c.g / 255.0f, c.b / 255.0f, 1.0f);
}

bool WeightGrid(Kernel* kernel) {
  if (kernel->rank != 2 || kernel->height > kMaxEditableSide || kernel->width > kMaxEditableSide) {
    Row("");
    ImGui::TextDisabled("weights: edit with --kernel (%s)", kernel->rank != 2 ? "not 2-D" : "over 9x9");
    return false;
  }
  bool changed = false;
  const float spacing = ImGui::GetStyle().ItemInnerSpacing.x;
  float largest = 0.0f;
  for (float w : kernel->weights) largest = std::max(largest, std::abs(w));
  const char* format = nullptr;
  bool swatches = false;
  for (int ky = 0; ky < kernel->height; ++ky) {
    Row(ky == 0 ? "Weights" : "");
    const float cell = (ImGui::GetContentRegionAvail().x - spacing * static_cast<float>(kernel->width - 1)) /
                       static_cast<float>(kernel->width);
    if (ky == 0) {
      format = FittingWeightFormat(kernel->weights, cell - 2.0f * ImGui::GetStyle().FramePadding.x);
      swatches = format == nullptr;
    }
    for (int kx = 0; kx < kernel->width; ++kx) {
      if (kx > 0) ImGui::SameLine(0.0f, spacing);
      ImGui::PushID(ky * kMaxEditableSide + kx);
      ImGui::SetNextItemWidth(cell);
      float& weight = kernel->weights[static_cast<std::size_t>(ky) * kernel->width + kx];
      if (swatches) ImGui::PushStyleColor(ImGuiCol_FrameBg, WeightSwatch(weight, largest));
      // Drag to nudge, double-click or Ctrl+click to type. Non-finite input is refused by clamping.
      if (ImGui::DragFloat("##w", &weight, 0.01f, -1000.0f, 1000.0f, swatches ? "" : format,
                           ImGuiSliderFlags_AlwaysClamp))
        changed = true;
      if (swatches) ImGui::PopStyleColor();
      if (ImGui::IsItemHovered() && !ImGui::IsItemActive())
        ImGui::SetTooltip("%g%s", static_cast<double>(weight),
                          swatches ? " (too narrow for numbers: red above 0, blue below)" : "");
      ImGui::PopID();
    }
  }
  return changed;
}

bool KernelRows(AppState& state, InlineError& error) {
  KernelChoice* choice = &state.kernel_choice;
  bool changed = false;
  Row("Kernel", error.On(Setting::Kernel));
  const char* preview = choice->preset.empty() ? "custom" : choice->preset.c_str();
  if (ImGui::BeginCombo("##kernel", preview)) {
    for (const KernelPreset& preset : KernelPresets()) {
      const bool selected = preset.name == choice->preset;
      if (ImGui::Selectable(std::string(preset.name).c_str(), selected) && !selected) {
        *choice = {std::string(preset.name), preset.default_size};
        changed = true;
      }
      Tooltip(preset.summary);
      if (selected) ImGui::SetItemDefaultFocus();
    }
    // The last edited or command-line kernel stays one click away after trying a preset.
    if (!state.custom_kernel.weights.empty() && ImGui::Selectable("custom", choice->preset.empty()) &&
        !choice->preset.empty()) {
      *choice = {};
      state.params.kernel = state.custom_kernel;
      changed = true;
    }
    ImGui::EndCombo();
  }
  const Kernel& kernel = state.params.kernel;
  const KernelPreset* preset = FindPreset(choice->preset);
  Row("Size", error.On(Setting::Kernel));
  if (preset != nullptr && preset->sizable) {
    changed |= ImGui::SliderInt("##kernel_size", &choice->size, 1, limits::kMaxKernel, "%d",
                                ImGuiSliderFlags_AlwaysClamp);
  } else {
    // Fixed presets and custom kernels (command-line rows or .npy) cannot be resized here.
    ImGui::TextDisabled("%d × %d%s", kernel.height, kernel.width, preset == nullptr ? "" : " (fixed)");
  }
  // Above the weights: a 9x9 grid would push the message out of sight.
  error.RowFor(Setting::Kernel);
  if (WeightGrid(&state.params.kernel)) {
    // An edited preset is a custom kernel from now on, kept for the "custom" entry.
    *choice = {};
    state.custom_kernel = state.params.kernel;
    changed = true;
  }
  return changed;
}

bool StrideRows(Size2* stride, bool* linked, InlineError& error) {
  const Size2 before = *stride;
  const bool flagged = error.On(Setting::Stride);
  Row("Stride Y", flagged);
  const bool y_moved = SliderWithField("stride_y", &stride->y, 1, kStrideSliderMax, limits::kMaxStride);
  Row("Stride X", flagged);
  const bool x_moved = SliderWithField("stride_x", &stride->x, 1, kStrideSliderMax, limits::kMaxStride);
  error.RowFor(Setting::Stride);
  Row("");
  const bool link_toggled = ImGui::Checkbox("Link Y and X", linked);
  if (*linked) {
    if (x_moved) {
      stride->y = stride->x;
    } else if (y_moved || link_toggled) {
      stride->x = stride->y;
    }
  }
  return !(before == *stride);
}

bool PaddingRows(Padding* padding, PadMode* mode, bool* per_side_view, InlineError& error) {
  bool changed = false;
  const bool flagged = error.On(Setting::Padding);
  Row("Padding", flagged);
  changed |= EnumCombo("##pad_preset", &padding->preset, kPadPresets);
  Tooltip("explicit: the numbers below; valid: none; same: output = ceil(input / stride), "
          "extra pixel at the bottom/right; full: extent - 1 on each side");
  if (padding->preset == PadPreset::Explicit) {
    // Per side when the sides differ (e.g. --padding 2,3,0,0) or the user asks for it; a
    // symmetric control would misreport asymmetric padding.
    const bool asymmetric = padding->top != padding->bottom || padding->left != padding->right;
    Row("");
    bool per_side = asymmetric || *per_side_view;
    if (ImGui::Checkbox("Per side", &per_side)) {
      *per_side_view = per_side;
      if (!per_side) {  // back to symmetric: the top and left values win
        padding->bottom = padding->top;
        padding->right = padding->left;
        changed = true;
      }
    }
    if (per_side) {
      for (auto [label, side] : {std::pair{"Top", &padding->top}, std::pair{"Bottom", &padding->bottom},
                                 std::pair{"Left", &padding->left}, std::pair{"Right", &padding->right}}) {
        Row(label, flagged);
        changed |= SliderWithField(label, side, 0, kPaddingSliderMax, limits::kMaxPadding);
      }
    } else {
      int rows = padding->top;
      Row("Pad Y", flagged);
      if (SliderWithField("pad_y", &rows, 0, kPaddingSliderMax, limits::kMaxPadding)) {
        padding->top = padding->bottom = rows;
        changed = true;
      }
      int columns = padding->left;
      Row("Pad X", flagged);
      if (SliderWithField("pad_x", &columns, 0, kPaddingSliderMax, limits::kMaxPadding)) {
        padding->left = padding->right = columns;
        changed = true;
      }
    }
  }
  error.RowFor(Setting::Padding);
  Row("Pad mode", error.On(Setting::PadMode));
  changed |= EnumCombo("##pad_mode", mode, kPadModes);
  error.RowFor(Setting::PadMode);
  return changed;
}

bool PoolingRows(Params* params, InlineError& error) {
  bool changed = false;
  Row("Window", error.On(Setting::Window));
  changed |= SymmetricSliderWithField("window", &params->window, 1, kWindowSliderMax,
                                      limits::kMaxKernel);
  error.RowFor(Setting::Window);
  Row("");
  changed |= ImGui::Checkbox("Ceil mode", &params->ceil_mode);
  error.RowFor(Setting::CeilMode);
  if (params->op == Op::AvgPool) {
    Row("");
    changed |= ImGui::Checkbox("Count padding", &params->count_include_pad);
    Tooltip("Average over the whole window, padding included (PyTorch's count_include_pad)");
  }
  return changed;
}

// A path field (Enter or the button opens it) and the files opened before.
bool OpenFileRows(AppState& state) {
  bool changed = false;
  std::array<char, 1024>& path = state.view.open_path;
  Row("Open");
  const ImGuiStyle& style = ImGui::GetStyle();
  const float button_width = ImGui::CalcTextSize("Open").x + 2.0f * style.FramePadding.x;
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - button_width - style.ItemInnerSpacing.x);
  // Ctrl+O: type a path (GLFW puts every key in io.KeysDown at its GLFW_KEY_* index; 'O' is 79).
  if (ImGui::GetIO().KeyCtrl && ImGui::IsKeyPressed('O', false)) ImGui::SetKeyboardFocusHere();
  const bool entered = ImGui::InputTextWithHint("##open_path", "image or .npy path", path.data(), path.size(),
                                                ImGuiInputTextFlags_EnterReturnsTrue);
  Tooltip("PNG, JPEG or BMP image, or a .npy float32 array (H,W) or (H,W,C). Ctrl+O focuses this field; "
          "you can also drop a file on the window.");
  ImGui::SameLine(0.0f, style.ItemInnerSpacing.x);
  if ((ImGui::Button("Open") || entered) && path[0] != '\0') changed = state.LoadFile(path.data());
  if (!state.recent_files().empty()) {
    Row("Recent");
    const std::string current = state.recent_files().front();
    if (ImGui::BeginCombo("##recent", std::filesystem::path(current).filename().string().c_str())) {
      for (const std::string& file : state.recent_files()) {
        if (ImGui::Selectable(file.c_str(), false)) {
          const std::string chosen = file;  // LoadFile reorders the list being iterated
          changed = state.LoadFile(chosen);
          break;
        }
      }
      ImGui::EndCombo();
    }
  }
  return changed;
}

bool InputSection(AppState& state, InlineError& error) {
  bool changed = false;
  if (BeginSection("INPUT")) {
    Row("Sample", error.On(Setting::Input));
    changed = SampleCombo(state);
    changed |= OpenFileRows(state);
    error.RowFor(Setting::Input);
    ImGui::EndTable();
  }
  if (!state.input_error().empty()) WrappedText(kErrorText, state.input_error());
  return changed;
}

bool OperationSection(AppState& state, InlineError& error) {
  Params& params = state.params;
  bool params_changed = false;
  bool kernel_changed = false;
  if (BeginSection("OPERATION")) {
    Row("Operation", error.On(Setting::Op));
    const bool was_pooling = IsPooling(params.op);
    if (EnumCombo("##op", &params.op, kOps)) {
      params_changed = true;
      // PyTorch's pooling strides by its window unless told otherwise; so does the CLI.
      if (IsPooling(params.op) && !was_pooling) params.stride = params.window;
    }
    error.RowFor(Setting::Op);
    if (IsPooling(params.op)) {
      params_changed |= PoolingRows(&params, error);
    } else {
      kernel_changed = KernelRows(state, error);
      Row("Channels", error.On(Setting::Channels));
      params_changed |= EnumCombo("##channels", &params.channel_mode, kChannelModes);
      Tooltip("depthwise: the kernel runs on each channel on its own; sum: over all channels, "
              "one output");
      error.RowFor(Setting::Channels);
      Row("Bias", error.On(Setting::Bias));
      params_changed |= ImGui::InputFloat("##bias", &params.bias, 0.1f, 1.0f, "%.3f");
      error.RowFor(Setting::Bias);
    }
    params_changed |= StrideRows(&params.stride, &state.view.link_stride, error);
    Row("Dilation", error.On(Setting::Dilation));
    params_changed |= SymmetricSliderWithField("dilation", &params.dilation, 1, kDilationSliderMax,
                                               limits::kMaxDilation);
    error.RowFor(Setting::Dilation);
    if (params.op == Op::Transposed) {
      // The core checks the real bound, below max(stride, dilation), and says so inline.
      Row("Out pad", error.On(Setting::OutputPadding));
      params_changed |= SymmetricSliderWithField("output_padding", &params.output_padding, 0, kOutputPaddingSliderMax,
                                                 limits::kMaxStride - 1);
      Tooltip("Output padding: extra rows and columns at the bottom/right of a transposed output");
      error.RowFor(Setting::OutputPadding);
    }
    ImGui::EndTable();
  }
  if (BeginSection("PADDING")) {
    params_changed |= PaddingRows(&params.padding, &params.pad_mode, &state.view.per_side_padding, error);
    ImGui::EndTable();
  }
  if (kernel_changed) state.ApplyKernelChoice();
  if (params_changed) state.MarkParamsChanged();
  return params_changed || kernel_changed;
}

void ResultSection(const AppState& state, const InlineError& error) {
  const ViewResult& result = state.result();
  if (result.computing) {
    ImGui::Spacing();
    WrappedText(kNoticeColour, "Computing on the CPU... the map shown is the previous one.");
  }
  if (error.Unplaced(result)) {
    ImGui::Spacing();
    WrappedText(kErrorText, result.error);
  }
  // The GPU refused this image (too large) and the CPU computed it: say so next to the result.
  if (!result.stale && !result.engine_note.empty()) {
    ImGui::Spacing();
    WrappedText(kNoticeColour, result.engine_note);
  }
  // A stale result belongs to earlier Params: its numbers would contradict the controls.
  if (!result.has_value || result.stale) return;
  if (!BeginSection("RESULT")) return;
  const Geometry& geometry = result.geometry;
  Row("Output");
  // Wrapped: "199 × 319 (H × W), 3 channels" is wider than the column at the default font.
  ImGui::TextWrapped("%d × %d (H × W), %d channel%s", geometry.OutputHeight(),
                     geometry.OutputWidth(), result.channels, result.channels == 1 ? "" : "s");
  Row("Padding");
  ImGui::Text("top %d  bottom %d", geometry.y.pad_begin, geometry.y.pad_end);
  Row("");
  ImGui::Text("left %d  right %d", geometry.x.pad_begin, geometry.x.pad_end);
  Row("MACs");
  ImGui::TextUnformatted(WithThousands(geometry.macs).c_str());
  if (result.stride1_macs > 0 && !(geometry.y.stride == 1 && geometry.x.stride == 1)) {
    // What the stride saves: the cost follows the output.
    Row("");
    ImGui::TextDisabled("%.3gx of stride 1", static_cast<double>(geometry.macs) / static_cast<double>(result.stride1_macs));
  }
  ImGui::EndTable();
}

// GPU / CPU radio buttons and the last time of each. The GPU button is disabled once the GPU
// engine has failed to start; before a first try (--engine cpu) picking it starts it.
bool EngineSection(AppState& state) {
  const EngineStatus& engines = state.engines();
  bool changed = false;
  if (BeginSection("ENGINE")) {
    Row("Engine");
    ImGui::BeginDisabled(engines.gpu_tried && !engines.gpu_ready);
    if (ImGui::RadioButton("GPU", engines.chosen == EngineKind::Gpu)) {
      changed |= state.ChooseEngine(EngineKind::Gpu);
    }
    ImGui::EndDisabled();
    Tooltip("OpenGL compute shader; the map goes straight to the screen");
    ImGui::SameLine();
    if (ImGui::RadioButton("CPU", engines.chosen == EngineKind::Cpu)) {
      changed |= state.ChooseEngine(EngineKind::Cpu);
    }
    Tooltip("The reference engine: every number the window can show");
    Row("Time");
    // GPU: a GL_TIME_ELAPSED query, known a frame after the dispatch. CPU: wall time.
    // llvmpipe runs compute inside glDispatchCompute and its timer reads ~0: no number beats a false one.
    ImGui::Text("GPU %s   CPU %s", engines.gpu_untimed ? "untimed" : Milliseconds(engines.last_gpu_ms).c_str(),
                Milliseconds(engines.last_cpu_ms).c_str());
    if (engines.gpu_untimed) Tooltip("This software renderer (llvmpipe) does not time compute shaders");
    ImGui::EndTable();
  }
  if (!engines.gpu_unavailable.empty()) {
    WrappedText(kNoticeColour, "GPU compute unavailable: " + engines.gpu_unavailable +
                                   "; using the CPU engine");
  }
  return changed;
}

}  // namespace

bool DrawControlsPanel(AppState& state) {
  InlineError error(state.result());
  const bool input_changed = InputSection(state, error);
  const bool params_changed = OperationSection(state, error);
  const bool engine_changed = EngineSection(state);
  state.Recompute();  // so the numbers below describe the controls above, in this frame
  ResultSection(state, error);
  return input_changed || params_changed || engine_changed;
}

}  // namespace stridescope
