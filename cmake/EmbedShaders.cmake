# Writes OUTPUT: a C++ file holding each shader in SHADERS (a ;-list of paths) as a raw string,
# looked up by file name. Run at build time (cmake -P), so shaders are never committed twice.
set(body "")
foreach(path IN LISTS SHADERS)
  get_filename_component(name "${path}" NAME)
  file(READ "${path}" source)
  string(APPEND body "    {\"${name}\", R\"stridescope_glsl(${source})stridescope_glsl\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from shaders/ by cmake/EmbedShaders.cmake at build time. Do not edit.
#include <map>
#include <string>
#include <string_view>

namespace stridescope {

std::string_view EmbeddedShader(const std::string& name) {
  static const std::map<std::string, std::string_view> kShaders = {
${body}  };
  const auto found = kShaders.find(name);
  return found == kShaders.end() ? std::string_view() : found->second;
}

}  // namespace stridescope
")
# Only touch OUTPUT when it changed, so an unrelated shader edit does not rebuild everything.
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
