// RAII owners for the GL objects the compute path uses. Non-copyable, movable; destroy them while
// their context is current. Raw GL calls stay in core/gl (DESIGN.md).
#pragma once

#include <string>
#include <utility>

#include "expected.h"

namespace stridescope {

// One GL object name and the function that deletes it.
template <void (*Delete)(unsigned int)>
class GlName {
 public:
  GlName() = default;
  explicit GlName(unsigned int id) : id_(id) {}
  ~GlName() { Reset(); }
  GlName(const GlName&) = delete;
  GlName& operator=(const GlName&) = delete;
  GlName(GlName&& other) noexcept : id_(std::exchange(other.id_, 0)) {}
  GlName& operator=(GlName&& other) noexcept {
    if (this != &other) {
      Reset();
      id_ = std::exchange(other.id_, 0);
    }
    return *this;
  }
  unsigned int id() const { return id_; }
  bool empty() const { return id_ == 0; }
  void Reset() {
    if (id_ != 0) Delete(id_);
    id_ = 0;
  }

 private:
  unsigned int id_ = 0;
};

void DeleteGlBuffer(unsigned int id);
void DeleteGlProgram(unsigned int id);
void DeleteGlArrayTexture(unsigned int id);
void DeleteGlQuery(unsigned int id);

using GlBuffer = GlName<DeleteGlBuffer>;
using GlProgram = GlName<DeleteGlProgram>;
using GlArrayTexture = GlName<DeleteGlArrayTexture>;  // GL_TEXTURE_2D_ARRAY, one layer per channel
using GlQuery = GlName<DeleteGlQuery>;

// Compiles and links one compute shader. The Error carries the driver's info log.
Expected<GlProgram> BuildComputeProgram(const std::string& name, const std::string& source);

// GLSL source of a shader in shaders/ by file name ("conv.comp"): embedded at build time, or read
// from $STRIDESCOPE_SHADER_DIR when that is set (a developer option for editing shaders live).
Expected<std::string> ShaderSource(const std::string& name);

}  // namespace stridescope
