#include "gl_objects.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <glad/gl.h>

namespace stridescope {

// Generated at build time from shaders/ (cmake/EmbedShaders.cmake).
std::string_view EmbeddedShader(const std::string& name);

void DeleteGlBuffer(unsigned int id) { glDeleteBuffers(1, &id); }
void DeleteGlProgram(unsigned int id) { glDeleteProgram(id); }
void DeleteGlArrayTexture(unsigned int id) { glDeleteTextures(1, &id); }
void DeleteGlQuery(unsigned int id) { glDeleteQueries(1, &id); }

Expected<GlProgram> BuildComputeProgram(const std::string& name, const std::string& source) {
  const GLuint shader = glCreateShader(GL_COMPUTE_SHADER);
  if (shader == 0) return Error{"could not create a compute shader for " + name + " (OpenGL 4.3 needed)"};
  const char* text = source.c_str();
  glShaderSource(shader, 1, &text, nullptr);
  glCompileShader(shader);
  GLint compiled = GL_FALSE;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &compiled);
  if (compiled != GL_TRUE) {
    GLint length = 0;
    glGetShaderiv(shader, GL_INFO_LOG_LENGTH, &length);
    std::string log(static_cast<std::size_t>(std::max(length, 1)), '\0');
    glGetShaderInfoLog(shader, length, nullptr, log.data());
    glDeleteShader(shader);
    return Error{"shader " + name + " failed to compile:\n" + log.c_str()};
  }
  GlProgram program(glCreateProgram());
  glAttachShader(program.id(), shader);
  glLinkProgram(program.id());
  glDeleteShader(shader);  // the program keeps it alive
  GLint linked = GL_FALSE;
  glGetProgramiv(program.id(), GL_LINK_STATUS, &linked);
  if (linked != GL_TRUE) {
    GLint length = 0;
    glGetProgramiv(program.id(), GL_INFO_LOG_LENGTH, &length);
    std::string log(static_cast<std::size_t>(std::max(length, 1)), '\0');
    glGetProgramInfoLog(program.id(), length, nullptr, log.data());
    return Error{"shader " + name + " failed to link:\n" + log.c_str()};
  }
  return program;
}

Expected<std::string> ShaderSource(const std::string& name) {
  if (const char* dir = std::getenv("STRIDESCOPE_SHADER_DIR"); dir != nullptr && *dir != '\0') {
    const std::filesystem::path path = std::filesystem::path(dir) / name;
    std::ifstream file(path, std::ios::binary);
    if (!file) return Error{"STRIDESCOPE_SHADER_DIR is set but " + path.string() + " cannot be read"};
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
  }
  const std::string_view embedded = EmbeddedShader(name);
  if (embedded.empty()) return Error{"no shader named " + name + " is built in"};
  return std::string(embedded);
}

}  // namespace stridescope
