// File input and output (io.h): images through stb, .npy float32 arrays, PNG export.
//
// Sections:
//   1. stb wrappers (defined in stb_image_impl.cpp) and shared helpers
//   2. Files: ReadFileBytes, atomic writes
//   3. Images: format sniffing, size limits, DecodeImage
//   4. .npy: header parser, ParseNpy, LoadNpy, SaveNpy
//   5. Engine inputs and outputs: LoadInput, LoadKernelNpy, SaveTensorNpy, SaveTensorPng,
//      SaveRgbaPng, FileExtension
//
// Every failure a user can cause (a bad file, a full disk) returns an Error; nothing here throws
// or aborts. std::bad_alloc is caught wherever a size comes from a file.

#include "io.h"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

// stb is compiled with static linkage in stb_image_impl.cpp; these are its only entry points.
namespace stridescope::detail {
bool StbImageInfo(const std::uint8_t* data, int size, int* width, int* height);
// Decodes to 8-bit RGB, row 0 at the top; free the result with StbFree. nullptr on failure.
std::uint8_t* StbLoadRgb8(const std::uint8_t* data, int size, int* width, int* height);
void StbFree(std::uint8_t* pixels);
const char* StbFailureReason();
// Appends a PNG of tightly packed 8-bit pixels (1, 3 or 4 channels) to *out.
bool StbEncodePng(int width, int height, int channels, const std::uint8_t* pixels,
                  std::vector<std::uint8_t>* out);
}  // namespace stridescope::detail

namespace stridescope {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// 1. Shared helpers

constexpr std::string_view kNpyMagic = "\x93NUMPY";
constexpr std::string_view kReadableFormats =
    "stridescope reads PNG, JPEG and BMP images (or .npy arrays)";
constexpr std::size_t kFloatBytes = 4;

Error Fail(std::string message) { return Error{std::move(message)}; }

std::string ErrnoText(int error_number) {
  return std::error_code(error_number, std::generic_category()).message();
}

std::string MebibyteText(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

// Python's tuple notation, as NumPy prints shapes: (5,) (2, 3).
template <class Int>
std::string ShapeText(const std::vector<Int>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + (shape.size() == 1 ? ",)" : ")");
}

bool StartsWith(const std::vector<std::uint8_t>& bytes, std::string_view prefix,
                std::size_t offset = 0) {
  if (bytes.size() < offset + prefix.size()) return false;
  return std::memcmp(bytes.data() + offset, prefix.data(), prefix.size()) == 0;
}

// in: H,W,C interleaved  out: C,H,W planar. `out` is already sized.
template <class T, class Convert>
void Deinterleave(const T* in, Tensor3* out, Convert convert) {
  const int channels = out->channels;
  for (int y = 0; y < out->height; ++y) {
    for (int x = 0; x < out->width; ++x) {
      for (int c = 0; c < channels; ++c) out->At(c, y, x) = convert(*in++);
    }
  }
}

// in: C,H,W planar  out: H,W,C interleaved, C*H*W elements.
template <class T, class Convert>
void Interleave(const Tensor3& in, T* out, Convert convert) {
  for (int y = 0; y < in.height; ++y) {
    for (int x = 0; x < in.width; ++x) {
      for (int c = 0; c < in.channels; ++c) *out++ = convert(in.At(c, y, x));
    }
  }
}

Error FileTooLarge(const std::string& what, std::uint64_t bytes) {
  return Fail(what + " is " + MebibyteText(bytes) + ", more than the " +
              MebibyteText(io_limits::kMaxFileBytes) + " limit for input files");
}

Expected<Tensor3> AllocateTensor(int channels, int height, int width, const std::string& what) {
  try {
    return Tensor3::Zeros(channels, height, width);
  } catch (const std::bad_alloc&) {
    return Fail("not enough memory to load " + what + " (" + std::to_string(width) + " x " +
                std::to_string(height) + " x " + std::to_string(channels) + ")");
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Files

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// Size of a regular file, or an Error saying why it cannot be an input.
Expected<std::uint64_t> InputFileSize(const std::string& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) return Fail(path + " does not exist");
  if (ec) return Fail("cannot open " + path + ": " + ec.message());
  if (fs::is_directory(status)) return Fail(path + " is a folder, not a file");
  if (!fs::is_regular_file(status)) return Fail(path + " is not a regular file");
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) return Fail("cannot read the size of " + path + ": " + ec.message());
  if (size == 0) return Fail(path + " is empty");
  if (size > io_limits::kMaxFileBytes) return FileTooLarge(path, size);
  return static_cast<std::uint64_t>(size);
}


}  // namespace

// Writes to a temporary file beside `path`, then renames it over `path`, so a reader never sees
// a half-written file and a failed write leaves the old one intact.
Status WriteFileAtomic(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  const std::string temp = path + ".tmp-" + std::to_string(::getpid());
  std::FILE* file = std::fopen(temp.c_str(), "wb");
  if (file == nullptr) return Fail("cannot write " + path + ": " + ErrnoText(errno));
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  const int write_errno = errno;
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed) {
    const int close_errno = errno;
    std::remove(temp.c_str());
    return Fail("cannot write " + path + ": " + ErrnoText(written ? close_errno : write_errno));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const int rename_errno = errno;
    std::remove(temp.c_str());
    return Fail("cannot write " + path + ": " + ErrnoText(rename_errno));
  }
  return Done{};
}

Expected<std::vector<std::uint8_t>> ReadFileBytes(const std::string& path) {
  const Expected<std::uint64_t> size = InputFileSize(path);
  if (!size) return size.error();
  const FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file) return Fail("cannot read " + path + ": " + ErrnoText(errno));
  std::vector<std::uint8_t> bytes;
  try {
    bytes.resize(*size);
  } catch (const std::bad_alloc&) {
    return Fail("not enough memory to read " + path + " (" + MebibyteText(*size) + ")");
  }
  if (std::fread(bytes.data(), 1, bytes.size(), file.get()) != bytes.size()) {
    return Fail("cannot read all of " + path + " (it may have changed while being read)");
  }
  return bytes;
}

namespace {

// ---------------------------------------------------------------------------------------------
// 3. Images

enum class ImageFormat { kPng, kJpeg, kBmp, kUnreadable };

struct FormatSignature {
  std::string_view magic;
  std::size_t offset;
  std::string_view name;
  ImageFormat format;
};

// Only PNG, JPEG and BMP are compiled into stb; the others are recognised so the message can
// name what the user actually has.
constexpr FormatSignature kSignatures[] = {
    {"\x89PNG\r\n\x1a\n", 0, "PNG", ImageFormat::kPng},
    {"\xff\xd8\xff", 0, "JPEG", ImageFormat::kJpeg},
    {"BM", 0, "BMP", ImageFormat::kBmp},
    {"GIF8", 0, "GIF", ImageFormat::kUnreadable},
    {std::string_view("II*\0", 4), 0, "TIFF", ImageFormat::kUnreadable},
    {std::string_view("MM\0*", 4), 0, "TIFF", ImageFormat::kUnreadable},
    {"WEBP", 8, "WebP", ImageFormat::kUnreadable},
    {"8BPS", 0, "PSD", ImageFormat::kUnreadable},
    {"#?RADIANCE", 0, "Radiance HDR", ImageFormat::kUnreadable},
    {"#?RGBE", 0, "Radiance HDR", ImageFormat::kUnreadable},
    {"qoif", 0, "QOI", ImageFormat::kUnreadable},
};

// The signature of a PNG, JPEG or BMP, or an Error naming what the bytes are instead.
Expected<const FormatSignature*> ReadableFormat(const std::vector<std::uint8_t>& bytes,
                                                const std::string& what) {
  if (bytes.empty()) return Fail(what + " is empty");
  if (bytes.size() > io_limits::kMaxFileBytes) return FileTooLarge(what, bytes.size());
  for (const FormatSignature& signature : kSignatures) {
    if (!StartsWith(bytes, signature.magic, signature.offset)) continue;
    if (signature.format == ImageFormat::kUnreadable) {
      return Fail(what + " is a " + std::string(signature.name) + " file; " +
                  std::string(kReadableFormats));
    }
    return &signature;
  }
  return Fail(what + " is not an image or array stridescope recognises; " +
              std::string(kReadableFormats));
}

struct ImageSize {
  std::int64_t width = 0;
  std::int64_t height = 0;
};

// The same limits hold for images and .npy inputs; both are checked before any large allocation.
Status CheckImageSize(ImageSize size, const std::string& what) {
  const std::string text =
      std::to_string(size.width) + " x " + std::to_string(size.height) + " pixels";
  if (size.width <= 0 || size.height <= 0) return Fail(what + " is " + text + ": it has no pixels");
  const std::int64_t side = io_limits::kMaxImageSide;
  if (size.width > side || size.height > side) {
    return Fail(what + " is " + text + ", over the limit of " + std::to_string(side) +
                " pixels per side; resize it to at most " + std::to_string(side) +
                " pixels per side");
  }
  if (static_cast<std::uint64_t>(size.width * size.height) > io_limits::kMaxImagePixels) {
    return Fail(what + " is " + text + ", over the limit of " +
                std::to_string(io_limits::kMaxImagePixels >> 20) +
                " Mpixel in all; resize it to at most 8192 x 8192 pixels or the same area");
  }
  return Done{};
}

std::uint32_t ReadBigEndian32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
std::uint32_t ReadLittleEndian(const std::uint8_t* p, int count) {
  std::uint32_t value = 0;
  for (int i = count - 1; i >= 0; --i) value = value << 8 | p[i];
  return value;
}

// PNG (IHDR) and BMP keep their size at fixed offsets; reading it here gives an oversized file a
// message with its size. stb's info call refuses PNGs over 1 GiB decoded, and its failure
// reason is then always "unknown image type". JPEG needs a marker scan: stb's info does that.
std::optional<ImageSize> SizeFromFixedHeader(const std::vector<std::uint8_t>& bytes,
                                             ImageFormat format) {
  const std::uint8_t* p = bytes.data();
  if (format == ImageFormat::kPng && bytes.size() >= 24 && std::memcmp(p + 12, "IHDR", 4) == 0) {
    return ImageSize{ReadBigEndian32(p + 16), ReadBigEndian32(p + 20)};
  }
  if (format != ImageFormat::kBmp || bytes.size() < 26) return std::nullopt;
  if (ReadLittleEndian(p + 14, 4) == 12) {  // OS/2 BITMAPCOREHEADER: 16-bit sizes
    return ImageSize{ReadLittleEndian(p + 18, 2), ReadLittleEndian(p + 20, 2)};
  }
  // Signed: a negative height means rows are stored top-down.
  const auto width = static_cast<std::int32_t>(ReadLittleEndian(p + 18, 4));
  const auto height = static_cast<std::int32_t>(ReadLittleEndian(p + 22, 4));
  return ImageSize{std::abs(std::int64_t{width}), std::abs(std::int64_t{height})};
}

Error CorruptImage(const std::string& what, const FormatSignature& format) {
  return Fail(what + " is not a valid " + std::string(format.name) + " image (stb_image: " +
              detail::StbFailureReason() + "); the file may be truncated or corrupt");
}

// The size stb reads from the header, without decoding.
Expected<ImageSize> StbHeaderSize(const std::vector<std::uint8_t>& bytes, const std::string& what,
                                  const FormatSignature& format) {
  int width = 0;
  int height = 0;
  if (!detail::StbImageInfo(bytes.data(), static_cast<int>(bytes.size()), &width, &height)) {
    return CorruptImage(what, format);
  }
  // stb reports a top-down BMP's height as negative.
  return ImageSize{std::abs(std::int64_t{width}), std::abs(std::int64_t{height})};
}

struct StbPixelsDeleter {
  void operator()(std::uint8_t* pixels) const { detail::StbFree(pixels); }
};

}  // namespace

Expected<Tensor3> DecodeImage(const std::vector<std::uint8_t>& bytes, const std::string& what) {
  const Expected<const FormatSignature*> format = ReadableFormat(bytes, what);
  if (!format) return format.error();
  if (const std::optional<ImageSize> header = SizeFromFixedHeader(bytes, (*format)->format)) {
    if (Status fits = CheckImageSize(*header, what); !fits) return fits.error();
  }
  const Expected<ImageSize> size = StbHeaderSize(bytes, what, **format);
  if (!size) return size.error();
  if (Status fits = CheckImageSize(*size, what); !fits) return fits.error();
  int width = 0;
  int height = 0;
  // ReadableFormat capped the size far below INT_MAX, which is what stb takes.
  const std::unique_ptr<std::uint8_t, StbPixelsDeleter> pixels(
      detail::StbLoadRgb8(bytes.data(), static_cast<int>(bytes.size()), &width, &height));
  if (!pixels || width != size->width || height != size->height) {
    return CorruptImage(what, **format);
  }
  Expected<Tensor3> image = AllocateTensor(3, height, width, what);
  if (!image) return image;
  Deinterleave(pixels.get(), &*image,
               [](std::uint8_t v) { return static_cast<float>(v) / 255.0f; });
  return image;
}

// ---------------------------------------------------------------------------------------------
// 4. .npy (format: numpy.org/doc/stable/reference/generated/numpy.lib.format.html)

namespace {

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::int64_t> shape;  // saturates at INT64_MAX; range-checked by ShapeProblem
};

// A recursive-descent reader for the one Python literal .npy headers hold:
// {'descr': '<f4', 'fortran_order': False, 'shape': (5,), } with keys in any order and any
// spacing. Errors are phrases ("expected ':' at character 12") for the caller to wrap.
class NpyHeaderReader {
 public:
  explicit NpyHeaderReader(std::string_view text) : text_(text) {}

  Expected<NpyHeader> Read() {
    if (!Eat('{')) return Problem("expected '{'");
    Entries entries;
    while (!Eat('}')) {
      if (Status entry = ReadEntry(&entries); !entry) return entry.error();
      if (!Eat(',') && !Peek('}')) return Problem("expected ',' or '}'");
    }
    SkipSpaces();
    if (pos_ != text_.size()) return Problem("unexpected text after '}'");
    if (!entries.descr) return Error{"the key 'descr' is missing"};
    if (!entries.fortran_order) return Error{"the key 'fortran_order' is missing"};
    if (!entries.shape) return Error{"the key 'shape' is missing"};
    return NpyHeader{*entries.descr, *entries.fortran_order, *entries.shape};
  }

 private:
  struct Entries {
    std::optional<std::string> descr;
    std::optional<bool> fortran_order;
    std::optional<std::vector<std::int64_t>> shape;
  };

  Status ReadEntry(Entries* entries) {
    const Expected<std::string> key = ReadString();
    if (!key) return key.error();
    if (!Eat(':')) return Problem("expected ':' after '" + *key + "'");
    if (*key == "descr") return StoreOnce(*key, ReadString(), &entries->descr);
    if (*key == "fortran_order") return StoreOnce(*key, ReadBool(), &entries->fortran_order);
    if (*key == "shape") return StoreOnce(*key, ReadShape(), &entries->shape);
    return Error{"unexpected key '" + *key + "'"};
  }

  template <class T>
  static Status StoreOnce(const std::string& key, Expected<T> value, std::optional<T>* out) {
    if (!value) return value.error();
    if (out->has_value()) return Error{"the key '" + key + "' appears twice"};
    *out = std::move(*value);
    return Done{};
  }

  Expected<std::string> ReadString() {
    SkipSpaces();
    if (!Peek('\'') && !Peek('"')) return Problem("expected a quoted string");
    const char quote = text_[pos_++];
    const std::size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) return Problem("unterminated string");
    std::string value(text_.substr(pos_, end - pos_));
    if (value.find('\\') != std::string::npos) return Problem("unexpected '\\' in a string");
    pos_ = end + 1;
    return value;
  }

  Expected<bool> ReadBool() {
    SkipSpaces();
    if (EatWord("True")) return true;
    if (EatWord("False")) return false;
    return Problem("expected True or False");
  }

  // "(5,)", "(2, 3)", "()" and Python 2's "(5L,)"; "(5)" is tolerated as rank 1.
  Expected<std::vector<std::int64_t>> ReadShape() {
    if (!Eat('(')) return Problem("expected '(' to start the shape");
    std::vector<std::int64_t> shape;
    while (!Eat(')')) {
      Expected<std::int64_t> dim = ReadDimension();
      if (!dim) return dim.error();
      shape.push_back(*dim);
      if (!Eat(',') && !Peek(')')) return Problem("expected ',' or ')' in the shape");
    }
    return shape;
  }

  Expected<std::int64_t> ReadDimension() {
    SkipSpaces();
    if (pos_ >= text_.size() || !IsDigit(text_[pos_])) return Problem("expected a whole number");
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    std::int64_t value = 0;
    for (; pos_ < text_.size() && IsDigit(text_[pos_]); ++pos_) {
      const int digit = text_[pos_] - '0';
      value = value > (kMax - digit) / 10 ? kMax : value * 10 + digit;
    }
    if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;
    return value;
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  void SkipSpaces() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  }
  static bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
  bool Peek(char c) {
    SkipSpaces();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  bool Eat(char c) {
    if (!Peek(c)) return false;
    ++pos_;
    return true;
  }
  bool EatWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  Error Problem(const std::string& expected) const {
    return Error{expected + " at character " + std::to_string(pos_ + 1)};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

struct NpyLayout {
  std::size_t header_begin = 0;
  std::size_t data_begin = 0;
};

// The fixed preamble: magic, version, header length (2 bytes in 1.0, 4 in 2.0 and 3.0).
Expected<NpyLayout> ReadNpyPreamble(const std::vector<std::uint8_t>& bytes,
                                    const std::string& what) {
  if (!StartsWith(bytes, kNpyMagic)) {
    return Fail(what + " is not a .npy file (it does not start with \\x93NUMPY)");
  }
  if (bytes.size() < 8) return Fail(what + " is truncated inside its .npy preamble");
  const int major = bytes[6];
  const int minor = bytes[7];
  if (major < 1 || major > 3 || minor != 0) {
    return Fail(what + " is .npy format version " + std::to_string(major) + "." +
                std::to_string(minor) + "; stridescope reads versions 1.0, 2.0 and 3.0");
  }
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  NpyLayout layout;
  layout.header_begin = 8 + length_bytes;
  if (bytes.size() < layout.header_begin) {
    return Fail(what + " is truncated inside its .npy preamble");
  }
  std::uint64_t header_length = 0;
  for (std::size_t i = 0; i < length_bytes; ++i) {
    header_length |= static_cast<std::uint64_t>(bytes[8 + i]) << (8 * i);
  }
  if (header_length > bytes.size() - layout.header_begin) {
    return Fail(what + " is truncated: its .npy header should be " + std::to_string(header_length) +
                " bytes but the file ends after " +
                std::to_string(bytes.size() - layout.header_begin));
  }
  layout.data_begin = layout.header_begin + static_cast<std::size_t>(header_length);
  return layout;
}

std::string DtypeName(std::string_view descr) {
  if (descr.size() < 2) return "";
  const std::string_view code = descr.substr(1);
  if (code == "f8") return "float64";
  if (code == "f2") return "float16";
  if (code == "f4") return "float32";
  if (code == "i8") return "int64";
  if (code == "i4") return "int32";
  if (code == "i2") return "int16";
  if (code == "u1") return "uint8";
  if (code == "b1") return "bool";
  return "";
}

Status CheckNpyFormat(const NpyHeader& header, const std::string& what) {
  if (header.descr != "<f4") {
    const std::string name = DtypeName(header.descr);
    const bool big_endian = header.descr.starts_with('>');
    return Fail(what + " holds " + (big_endian ? "big-endian " : "") +
                (name.empty() ? "" : name + " ") + "values ('" + header.descr +
                "'); stridescope reads little-endian float32 ('<f4'): convert with "
                "np.save(path, arr.astype('<f4'))");
  }
  if (header.fortran_order) {
    return Fail(what +
                " is stored in Fortran order (fortran_order True); save a C-order copy "
                "with np.save(path, np.ascontiguousarray(arr))");
  }
  return Done{};
}

// A phrase saying why `shape` cannot be used, or "" when it can. Shared by reading and writing
// so that everything stridescope writes it can read back.
std::string ShapeProblem(const std::vector<std::int64_t>& shape) {
  const std::string text = "shape " + ShapeText(shape);
  if (shape.empty() || shape.size() > 4) {
    return text + " has " + std::to_string(shape.size()) +
           " dimensions; stridescope reads arrays with 1 to 4 dimensions";
  }
  for (const std::int64_t dim : shape) {
    if (dim < 1) return text + " holds no values; every dimension must be at least 1";
    if (dim > std::numeric_limits<int>::max()) {
      return text + " has a dimension over " + std::to_string(std::numeric_limits<int>::max()) +
             "; the file is corrupt";
    }
  }
  return "";
}

// Bytes of float32 data for a shape that passed ShapeProblem, or nullopt when that overflows
// 64 bits: a corrupt header may claim (2147483647, 2147483647, ...).
std::optional<std::uint64_t> DataBytes(const std::vector<std::int64_t>& shape) {
  std::uint64_t bytes = kFloatBytes;
  for (const std::int64_t dim : shape) {
    if (__builtin_mul_overflow(bytes, static_cast<std::uint64_t>(dim), &bytes)) return std::nullopt;
  }
  return bytes;
}

// Checks that exactly product(shape) float32 values follow the header.
Expected<std::size_t> CheckNpyDataSize(const std::vector<std::int64_t>& shape,
                                       std::size_t data_bytes, const std::string& what) {
  const std::string text = "shape " + ShapeText(shape);
  const std::optional<std::uint64_t> needed = DataBytes(shape);
  if (!needed) {
    return Fail(what + " is corrupt: " + text + " describes more values than any file can hold");
  }
  if (*needed > data_bytes) {
    return Fail(what + " is truncated: " + text + " needs " + std::to_string(*needed) +
                " bytes of float32 data but only " + std::to_string(data_bytes) +
                " follow the header");
  }
  if (*needed < data_bytes) {
    return Fail(what + " has " + std::to_string(data_bytes - *needed) +
                " bytes after the data of " + text + "; the file is corrupt or its shape is wrong");
  }
  return static_cast<std::size_t>(*needed / kFloatBytes);
}

// .npy '<f4' is little-endian whatever the host is. Swapping is its own inverse, so reading and
// writing share this; it works on bytes because uint8_t may alias the floats' storage.
void SwapFloatBytesOnBigEndianHost([[maybe_unused]] std::uint8_t* bytes,
                                   [[maybe_unused]] std::size_t count) {
  if constexpr (std::endian::native == std::endian::big) {
    for (std::size_t i = 0; i < count; ++i, bytes += kFloatBytes) {
      std::swap(bytes[0], bytes[3]);
      std::swap(bytes[1], bytes[2]);
    }
  }
}

// The start of a header for a message: one line, printable, trailing padding dropped.
std::string Excerpt(std::string_view text) {
  constexpr std::size_t kShown = 80;
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.remove_suffix(1);
  std::string excerpt(text.substr(0, kShown));
  for (char& c : excerpt) {
    if (c < ' ' || c > '~') c = '?';
  }
  return text.size() > kShown ? excerpt + "..." : excerpt;
}

Expected<NpyHeader> ReadNpyHeader(const std::vector<std::uint8_t>& bytes, const NpyLayout& layout,
                                  const std::string& what) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()) + layout.header_begin,
                              layout.data_begin - layout.header_begin);
  Expected<NpyHeader> header = NpyHeaderReader(text).Read();
  if (!header) {
    return Fail(what + " has a malformed .npy header (" + header.error().message + "): \"" +
                Excerpt(text) + "\"");
  }
  return header;
}

std::vector<std::uint8_t> NpyHeaderBytes(const std::vector<int>& shape) {
  // NumPy's own layout: the dict's repr, then spaces so that the data starts on a 64-byte
  // boundary, then '\n'.
  std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': " + ShapeText(shape) + ", }";
  constexpr std::size_t kPreamble = 10;  // magic, version 1.0, 2-byte length
  const std::size_t unpadded = kPreamble + dict.size() + 1;
  dict.append((unpadded + 63) / 64 * 64 - unpadded, ' ');
  dict.push_back('\n');
  std::string file(kNpyMagic);
  file +=
      {'\x01', '\x00', static_cast<char>(dict.size() & 0xff), static_cast<char>(dict.size() >> 8)};
  file += dict;
  return {file.begin(), file.end()};
}

}  // namespace

Expected<NpyArray> ParseNpy(const std::vector<std::uint8_t>& bytes, const std::string& what) {
  const Expected<NpyLayout> layout = ReadNpyPreamble(bytes, what);
  if (!layout) return layout.error();
  const Expected<NpyHeader> header = ReadNpyHeader(bytes, *layout, what);
  if (!header) return header.error();
  if (Status format = CheckNpyFormat(*header, what); !format) return format.error();
  if (const std::string problem = ShapeProblem(header->shape); !problem.empty()) {
    return Fail(what + ": " + problem);
  }
  const Expected<std::size_t> count =
      CheckNpyDataSize(header->shape, bytes.size() - layout->data_begin, what);
  if (!count) return count.error();
  NpyArray array;
  try {
    array.shape.assign(header->shape.begin(), header->shape.end());
    array.values.resize(*count);
  } catch (const std::bad_alloc&) {
    return Fail("not enough memory to load " + what + " (shape " + ShapeText(header->shape) + ")");
  }
  std::memcpy(array.values.data(), bytes.data() + layout->data_begin, *count * kFloatBytes);
  SwapFloatBytesOnBigEndianHost(reinterpret_cast<std::uint8_t*>(array.values.data()), *count);
  return array;
}

Expected<NpyArray> LoadNpy(const std::string& path) {
  const Expected<std::vector<std::uint8_t>> bytes = ReadFileBytes(path);
  if (!bytes) return bytes.error();
  return ParseNpy(*bytes, path);
}

Status SaveNpy(const std::string& path, const NpyArray& array) {
  const std::vector<std::int64_t> shape(array.shape.begin(), array.shape.end());
  if (const std::string problem = ShapeProblem(shape); !problem.empty()) {
    return Fail("cannot save " + path + ": " + problem);
  }
  const std::optional<std::uint64_t> data_bytes = DataBytes(shape);
  if (!data_bytes || *data_bytes != array.values.size() * kFloatBytes) {
    return Fail("cannot save " + path + ": shape " + ShapeText(array.shape) + " does not hold " +
                std::to_string(array.values.size()) + " values");
  }
  std::vector<std::uint8_t> bytes;
  try {
    bytes = NpyHeaderBytes(array.shape);
    const std::size_t data_begin = bytes.size();
    bytes.resize(data_begin + array.values.size() * kFloatBytes);
    std::memcpy(bytes.data() + data_begin, array.values.data(), array.values.size() * kFloatBytes);
    SwapFloatBytesOnBigEndianHost(bytes.data() + data_begin, array.values.size());
  } catch (const std::bad_alloc&) {
    return Fail("not enough memory to save " + path);
  }
  return WriteFileAtomic(path, bytes);
}

// ---------------------------------------------------------------------------------------------
// 5. Engine inputs and outputs

namespace {

// Position of the first NaN or infinity in an (H,W,C) array, in the user's terms.
Status CheckFinite(const NpyArray& array, int width, int channels, const std::string& what) {
  const auto bad = std::find_if(array.values.begin(), array.values.end(),
                                [](float v) { return !std::isfinite(v); });
  if (bad == array.values.end()) return Done{};
  const auto index = static_cast<std::size_t>(bad - array.values.begin());
  const std::size_t pixel = index / static_cast<std::size_t>(channels);
  const char* value = std::isnan(*bad) ? "NaN" : *bad > 0 ? "inf" : "-inf";
  return Fail(what + " has " + value + " at row " + std::to_string(pixel / width) + ", column " +
              std::to_string(pixel % width) + ", channel " + std::to_string(index % channels) +
              "; every value must be a finite number");
}

Expected<Tensor3> InputFromNpy(const NpyArray& array, const std::string& what) {
  const std::size_t rank = array.shape.size();
  if (rank != 2 && rank != 3) {
    return Fail(what + " has shape " + ShapeText(array.shape) +
                "; an input array is (H, W) for one channel or (H, W, C) for C channels");
  }
  const int height = array.shape[0];
  const int width = array.shape[1];
  const int channels = rank == 3 ? array.shape[2] : 1;
  if (Status fits = CheckImageSize({width, height}, what); !fits) return fits.error();
  if (channels > io_limits::kMaxChannels) {
    return Fail(what + " has " + std::to_string(channels) + " channels (shape " +
                ShapeText(array.shape) + "); stridescope reads 1 to " +
                std::to_string(io_limits::kMaxChannels) + " channels, in the last dimension");
  }
  if (Status finite = CheckFinite(array, width, channels, what); !finite) return finite.error();
  Expected<Tensor3> tensor = AllocateTensor(channels, height, width, what);
  if (!tensor) return tensor;
  Deinterleave(array.values.data(), &*tensor, [](float v) { return v; });
  return tensor;
}

Status CheckTensorToSave(const Tensor3& tensor, const std::string& path) {
  if (tensor.channels < 1 || tensor.height < 1 || tensor.width < 1) {
    return Fail("cannot save " + path + ": the feature map is empty");
  }
  const std::size_t expected = static_cast<std::size_t>(tensor.channels) * tensor.PlaneSize();
  if (tensor.data.size() != expected) {
    return Fail("cannot save " + path + ": the feature map holds " +
                std::to_string(tensor.data.size()) + " values instead of " +
                std::to_string(expected));
  }
  return Done{};
}

Status CheckPngSize(int width, int height, const std::string& path) {
  const bool fits = width >= 1 && height >= 1 && width <= io_limits::kMaxImageSide &&
                    height <= io_limits::kMaxImageSide &&
                    static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height) <=
                        io_limits::kMaxImagePixels;
  if (fits) return Done{};
  return Fail("cannot save " + path + " as PNG: " + std::to_string(width) + " x " +
              std::to_string(height) + " pixels is outside the PNG export limits (1 to " +
              std::to_string(io_limits::kMaxImageSide) + " pixels per side, " +
              std::to_string(io_limits::kMaxImagePixels >> 20) +
              " Mpixel in all); save it as .npy instead");
}

Status WritePng(const std::string& path, int width, int height, int channels,
                const std::uint8_t* pixels) {
  std::vector<std::uint8_t> png;
  if (!detail::StbEncodePng(width, height, channels, pixels, &png)) {
    return Fail("cannot save " + path + ": PNG encoding failed (out of memory)");
  }
  return WriteFileAtomic(path, png);
}

// Maps the finite min..max of the data to 0..1, or clamps from [0,1] when there is no spread.
class PngNormaliser {
 public:
  explicit PngNormaliser(const std::vector<float>& data) {
    for (const float v : data) {
      if (!std::isfinite(v)) continue;
      lo_ = std::min(lo_, static_cast<double>(v));
      hi_ = std::max(hi_, static_cast<double>(v));
    }
    stretch_ = lo_ < hi_;
  }
  std::uint8_t operator()(float v) const {
    if (!std::isfinite(v)) return 0;
    // double: hi - lo overflows float for values near FLT_MAX of opposite signs.
    const double unit =
        stretch_ ? (v - lo_) / (hi_ - lo_) : std::clamp(static_cast<double>(v), 0.0, 1.0);
    return static_cast<std::uint8_t>(std::lround(unit * 255.0));
  }

 private:
  double lo_ = std::numeric_limits<double>::infinity();
  double hi_ = -std::numeric_limits<double>::infinity();
  bool stretch_ = false;
};

}  // namespace

Expected<Tensor3> LoadInput(const std::string& path) {
  const Expected<std::vector<std::uint8_t>> bytes = ReadFileBytes(path);
  if (!bytes) return bytes.error();
  if (!StartsWith(*bytes, kNpyMagic)) return DecodeImage(*bytes, path);
  const Expected<NpyArray> array = ParseNpy(*bytes, path);
  if (!array) return array.error();
  return InputFromNpy(*array, path);
}

Expected<Kernel> LoadKernelNpy(const std::string& path) {
  Expected<NpyArray> array = LoadNpy(path);
  if (!array) return array.error();
  const std::vector<int>& shape = array->shape;
  if (shape.size() < 2) {
    return Fail(path + " has shape " + ShapeText(shape) +
                "; a kernel is (KH, KW), (C, KH, KW) or (F, C, KH, KW)");
  }
  // Shape (..., KH, KW): the leading dimensions, when present, are (C) or (F, C).
  Kernel kernel;
  kernel.rank = static_cast<int>(shape.size());
  kernel.filters = shape.size() == 4 ? shape[0] : 1;
  kernel.channels = shape.size() >= 3 ? shape[shape.size() - 3] : 1;
  kernel.height = shape[shape.size() - 2];
  kernel.width = shape[shape.size() - 1];
  kernel.weights = std::move(array->values);
  return kernel;
}

Status SaveTensorNpy(const std::string& path, const Tensor3& tensor) {
  if (Status ok = CheckTensorToSave(tensor, path); !ok) return ok;
  NpyArray array;
  try {
    array.shape = {tensor.height, tensor.width};
    if (tensor.channels != 1) array.shape.push_back(tensor.channels);
    array.values.resize(tensor.data.size());
  } catch (const std::bad_alloc&) {
    return Fail("not enough memory to save " + path);
  }
  Interleave(tensor, array.values.data(), [](float v) { return v; });
  return SaveNpy(path, array);
}

Status SaveTensorPng(const std::string& path, const Tensor3& tensor) {
  if (Status ok = CheckTensorToSave(tensor, path); !ok) return ok;
  if (tensor.channels != 1 && tensor.channels != 3) {
    return Fail("cannot save a " + std::to_string(tensor.channels) + "-channel feature map as " +
                path + ": PNG holds 1 (grey) or 3 (RGB) channels; save it as .npy instead");
  }
  if (Status fits = CheckPngSize(tensor.width, tensor.height, path); !fits) return fits;
  std::vector<std::uint8_t> pixels;
  try {
    pixels.resize(tensor.data.size());
  } catch (const std::bad_alloc&) {
    return Fail("not enough memory to save " + path);
  }
  Interleave(tensor, pixels.data(), PngNormaliser(tensor.data));
  return WritePng(path, tensor.width, tensor.height, tensor.channels, pixels.data());
}

Status SaveRgbaPng(const std::string& path, int width, int height, const std::uint8_t* rgba) {
  if (Status fits = CheckPngSize(width, height, path); !fits) return fits;
  if (rgba == nullptr) return Fail("cannot save " + path + ": there are no pixels");
  return WritePng(path, width, height, 4, rgba);
}

std::string FileExtension(const std::string& path) {
  std::string extension = fs::path(path).extension().string();
  if (extension == ".") return "";
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension;
}

}  // namespace stridescope
