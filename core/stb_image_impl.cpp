// The one translation unit that compiles stb_image and stb_image_write (DESIGN.md, "Platform
// facts"). Debian's stb 2.27 has known CVEs in its GIF, HDR, PNM, PSD, PIC and TGA decoders, so
// only PNG, JPEG and BMP are compiled in. Everything is static: libimgui links Debian's libstb,
// and exported stbi_* symbols here would clash with (or silently replace) that copy. io.cpp
// reaches the decoders through the small wrappers at the bottom, declared at the top of io.cpp.

#include <cstdint>
#include <new>
#include <vector>

#define STB_IMAGE_STATIC
#define STB_IMAGE_WRITE_STATIC
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_WRITE_NO_STDIO
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION

// stb is third-party C-style code: our warning flags stay on for our code only. These are the
// warnings it trips under -Wall -Wextra (maybe-uninitialized at -O3, GCC only).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <stb_image.h>
#include <stb_image_write.h>
#pragma GCC diagnostic pop

namespace stridescope::detail {

bool StbImageInfo(const std::uint8_t* data, int size, int* width, int* height) {
  int channels = 0;
  return stbi_info_from_memory(data, size, width, height, &channels) != 0;
}

std::uint8_t* StbLoadRgb8(const std::uint8_t* data, int size, int* width, int* height) {
  int channels_in_file = 0;
  return stbi_load_from_memory(data, size, width, height, &channels_in_file, 3);
}

void StbFree(std::uint8_t* pixels) { stbi_image_free(pixels); }

const char* StbFailureReason() {
  const char* reason = stbi_failure_reason();
  return reason != nullptr ? reason : "unknown reason";
}

namespace {

struct PngSink {
  std::vector<std::uint8_t>* out;
  bool failed;
};

// Called from stb's C code: an exception must not unwind through it (stb would leak its buffer).
void AppendToSink(void* context, void* data, int size) {
  auto* sink = static_cast<PngSink*>(context);
  if (sink->failed || size <= 0) return;
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  try {
    sink->out->insert(sink->out->end(), bytes, bytes + size);
  } catch (const std::bad_alloc&) {
    sink->failed = true;
  }
}

}  // namespace

bool StbEncodePng(int width, int height, int channels, const std::uint8_t* pixels,
                  std::vector<std::uint8_t>* out) {
  PngSink sink{out, false};
  const int ok = stbi_write_png_to_func(AppendToSink, &sink, width, height, channels, pixels,
                                        width * channels);
  return ok != 0 && !sink.failed;
}

}  // namespace stridescope::detail
