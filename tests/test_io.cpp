// Tests for core/io: .npy reading and writing, image decoding, PNG export, file errors.
//
// Sections:
//   1. Helpers: temporary folder, hand-built .npy / PNG / BMP bytes, error checks
//   2. .npy: round trips, hand-built headers, every error path, truncation sweep
//   3. Files: ReadFileBytes errors, SaveNpy failures and atomicity
//   4. Engine inputs: LoadInput (.npy and images by content), LoadKernelNpy, SaveTensorNpy
//   5. Images: PNG/BMP/JPEG decoding, corrupt and foreign files, size limits before decoding
//   6. PNG export: normalisation, channel rules; FileExtension

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "io.h"

namespace stridescope {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

// ---------------------------------------------------------------------------------------------
// 1. Helpers

// A fresh folder under the system temp directory, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    const auto tick = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = fs::temp_directory_path() /
            ("stridescope_test_io_" + std::to_string(::getpid()) + "_" + std::to_string(tick));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string File(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& Path() const { return path_; }

 private:
  fs::path path_;
};

void WriteBytes(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

Bytes ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void AppendLittleEndian(Bytes* out, std::uint32_t value, int count) {
  for (int i = 0; i < count; ++i) out->push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

void AppendBigEndian(Bytes* out, std::uint32_t value) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

void AppendFloats(Bytes* out, const std::vector<float>& values) {
  for (const float v : values) AppendLittleEndian(out, std::bit_cast<std::uint32_t>(v), 4);
}

// A .npy file built by hand from the format description: magic, version, header length
// (2 bytes for 1.0, 4 for 2.0 and 3.0), the header text as given, then the values.
Bytes NpyFile(int major, const std::string& header, const std::vector<float>& values) {
  Bytes out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<std::uint8_t>(major), 0};
  AppendLittleEndian(&out, static_cast<std::uint32_t>(header.size()), major == 1 ? 2 : 4);
  out.insert(out.end(), header.begin(), header.end());
  AppendFloats(&out, values);
  return out;
}

// The usual NumPy 1.0 header for a float32 C-order array of this shape text.
Bytes SimpleNpy(const std::string& shape, const std::vector<float>& values,
                const std::string& descr = "<f4", const std::string& fortran = "False") {
  const std::string header =
      "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }\n";
  return NpyFile(1, header, values);
}

std::vector<float> Iota(std::size_t count, float start = 0.0f) {
  std::vector<float> values(count);
  for (std::size_t i = 0; i < count; ++i) values[i] = start + static_cast<float>(i);
  return values;
}

template <class T>
std::string ErrorMessage(const Expected<T>& result) {
  REQUIRE_FALSE(result.ok());
  return result.error().message;
}

// The result is an Error whose message contains every one of `words`.
template <class T>
void CheckError(const Expected<T>& result, std::initializer_list<std::string_view> words) {
  const std::string message = ErrorMessage(result);
  INFO("message: " << message);
  for (const std::string_view word : words) CHECK(message.find(word) != std::string::npos);
}

// CRC-32 as PNG specifies (ISO 3309), so hand-made chunks are valid for any decoder.
std::uint32_t Crc32(const std::uint8_t* data, std::size_t size) {
  std::uint32_t crc = 0xffffffffu;
  for (std::size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xffffffffu;
}

// A PNG signature and IHDR chunk only (8-bit RGB): enough for the header to be read.
Bytes PngHeaderOnly(std::uint32_t width, std::uint32_t height) {
  Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  AppendBigEndian(&png, 13);
  const std::size_t type_at = png.size();
  png.insert(png.end(), {'I', 'H', 'D', 'R'});
  AppendBigEndian(&png, width);
  AppendBigEndian(&png, height);
  png.insert(png.end(),
             {8, 2, 0, 0, 0});  // bit depth, colour type RGB, compression, filter, interlace
  AppendBigEndian(&png, Crc32(png.data() + type_at, png.size() - type_at));
  return png;
}

// A 24-bit BMP (BITMAPINFOHEADER): pixels B,G,R, rows padded to 4 bytes, stored bottom-up
// unless top_down (a negative height in the header). rgb is row-major from the top.
Bytes Bmp24(int width, int height, const std::vector<std::uint8_t>& rgb, bool top_down = false) {
  const int row_bytes = (width * 3 + 3) / 4 * 4;
  const auto pixel_bytes = static_cast<std::uint32_t>(row_bytes * height);
  Bytes bmp = {'B', 'M'};
  AppendLittleEndian(&bmp, 54 + pixel_bytes, 4);  // file size
  AppendLittleEndian(&bmp, 0, 4);                 // reserved
  AppendLittleEndian(&bmp, 54, 4);                // offset of the pixels
  AppendLittleEndian(&bmp, 40, 4);                // BITMAPINFOHEADER size
  AppendLittleEndian(&bmp, static_cast<std::uint32_t>(width), 4);
  AppendLittleEndian(&bmp, static_cast<std::uint32_t>(top_down ? -height : height), 4);
  AppendLittleEndian(&bmp, 1, 2);   // planes
  AppendLittleEndian(&bmp, 24, 2);  // bits per pixel
  AppendLittleEndian(&bmp, 0, 4);   // BI_RGB
  AppendLittleEndian(&bmp, pixel_bytes, 4);
  AppendLittleEndian(&bmp, 2835, 4);  // 72 dpi
  AppendLittleEndian(&bmp, 2835, 4);
  AppendLittleEndian(&bmp, 0, 4);
  AppendLittleEndian(&bmp, 0, 4);
  for (int row = 0; row < height; ++row) {
    const int y = top_down ? row : height - 1 - row;
    for (int x = 0; x < width; ++x) {
      const std::size_t i = (static_cast<std::size_t>(y) * width + x) * 3;
      bmp.insert(bmp.end(), {rgb[i + 2], rgb[i + 1], rgb[i]});
    }
    bmp.insert(bmp.end(), static_cast<std::size_t>(row_bytes - width * 3), 0);
  }
  return bmp;
}

// An 8x8 JPEG of the solid colour (200, 100, 50), quality 100, made once with libjpeg.
const Bytes kSolidJpeg = {
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0xff, 0xdb, 0x00, 0x43, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0xff, 0xc0,
    0x00, 0x11, 0x08, 0x00, 0x08, 0x00, 0x08, 0x03, 0x01, 0x11, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11,
    0x01, 0xff, 0xc4, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0xff, 0xc4, 0x00, 0x14, 0x10, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xc4, 0x00,
    0x14, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x09, 0xff, 0xc4, 0x00, 0x14, 0x11, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00,
    0x02, 0x11, 0x03, 0x11, 0x00, 0x3f, 0x00, 0x3e, 0x2b, 0xcd, 0x83, 0xff, 0xd9,
};

// 8-bit RGBA pixels whose values differ in every channel, row-major from the top.
std::vector<std::uint8_t> TestRgba(int width, int height) {
  std::vector<std::uint8_t> rgba(static_cast<std::size_t>(width) * height * 4);
  for (std::size_t i = 0; i < rgba.size(); ++i) rgba[i] = static_cast<std::uint8_t>(i * 37 + 11);
  return rgba;
}

Bytes SavedPng(const TempDir& dir, int width, int height) {
  const std::string path = dir.File("test.png");
  const std::vector<std::uint8_t> rgba = TestRgba(width, height);
  REQUIRE(SaveRgbaPng(path, width, height, rgba.data()).ok());
  return ReadBytes(path);
}

Tensor3 MakeTensor(int channels, int height, int width, const std::vector<float>& values) {
  Tensor3 tensor = Tensor3::Zeros(channels, height, width);
  REQUIRE(values.size() == tensor.data.size());
  tensor.data = values;
  return tensor;
}

// Saves a tensor as PNG and decodes it again: the 8-bit values, channel by channel (grey files
// come back as three equal channels).
std::vector<int> PngRoundTrip(const TempDir& dir, const Tensor3& tensor) {
  const std::string path = dir.File("map.png");
  REQUIRE(SaveTensorPng(path, tensor).ok());
  const Expected<Tensor3> decoded = DecodeImage(ReadBytes(path), path);
  REQUIRE(decoded.ok());
  REQUIRE(decoded->channels == 3);
  REQUIRE(decoded->height == tensor.height);
  REQUIRE(decoded->width == tensor.width);
  std::vector<int> levels;
  for (int c = 0; c < tensor.channels; ++c) {
    for (int y = 0; y < tensor.height; ++y) {
      for (int x = 0; x < tensor.width; ++x) {
        levels.push_back(static_cast<int>(std::lround(decoded->At(c, y, x) * 255.0f)));
        if (tensor.channels == 1) {
          CHECK(decoded->At(1, y, x) == decoded->At(0, y, x));
          CHECK(decoded->At(2, y, x) == decoded->At(0, y, x));
        }
      }
    }
  }
  return levels;
}

// ---------------------------------------------------------------------------------------------
// 2. .npy

TEST_CASE("npy: SaveNpy then LoadNpy keeps shape and exact values for ranks 1 to 4") {
  TempDir dir;
  const std::vector<std::vector<int>> shapes = {{5}, {2, 3}, {2, 3, 4}, {2, 1, 3, 2}};
  for (const std::vector<int>& shape : shapes) {
    NpyArray array;
    array.shape = shape;
    std::size_t count = 1;
    for (const int dim : shape) count *= static_cast<std::size_t>(dim);
    array.values = Iota(count, -3.25f);
    array.values[0] = -0.0f;
    array.values[count - 1] = std::numeric_limits<float>::max();
    const std::string path = dir.File("rank" + std::to_string(shape.size()) + ".npy");
    REQUIRE(SaveNpy(path, array).ok());
    const Expected<NpyArray> loaded = LoadNpy(path);
    REQUIRE(loaded.ok());
    CHECK(loaded->shape == shape);
    REQUIRE(loaded->values.size() == count);
    CHECK(std::memcmp(loaded->values.data(), array.values.data(), count * 4) == 0);
  }
}

TEST_CASE("npy: SaveNpy writes NumPy's exact version 1.0 layout") {
  TempDir dir;
  const std::string path = dir.File("a.npy");
  REQUIRE(SaveNpy(path, NpyArray{{2, 3}, {1, 2, 3, 4, 5, 6}}).ok());
  const Bytes bytes = ReadBytes(path);
  const std::string expected_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  // 10 + 60 + '\n' = 71 bytes, padded with spaces to the next multiple of 64.
  REQUIRE(bytes.size() == 128 + 6 * 4);
  CHECK(std::string(bytes.begin(), bytes.begin() + 8) == std::string("\x93NUMPY\x01\x00", 8));
  CHECK(bytes[8] + 256 * bytes[9] == 128 - 10);
  CHECK(std::string(bytes.begin() + 10,
                    bytes.begin() + 10 + static_cast<long>(expected_dict.size())) == expected_dict);
  CHECK(bytes[127] == '\n');
  for (std::size_t i = 10 + expected_dict.size(); i < 127; ++i) CHECK(bytes[i] == ' ');
  // 1.0f little-endian is 00 00 80 3f.
  CHECK(Bytes(bytes.begin() + 128, bytes.begin() + 132) == Bytes{0x00, 0x00, 0x80, 0x3f});

  REQUIRE(SaveNpy(path, NpyArray{{5}, Iota(5)}).ok());
  const Bytes rank1 = ReadBytes(path);
  const std::string text(rank1.begin(), rank1.end());
  CHECK(text.find("'shape': (5,), }") != std::string::npos);
  CHECK((rank1.size() - 5 * 4) % 64 == 0);
}

TEST_CASE("npy: hand-built headers parse whatever the key order, spacing and version") {
  const std::vector<float> five = {1.5f, -2, 3, 4, 5e-3f};
  SUBCASE("version 1.0, keys in odd order, no spaces, shape (5,)") {
    const Expected<NpyArray> a =
        ParseNpy(NpyFile(1, "{'shape':(5,),'fortran_order':False,'descr':'<f4'}", five), "a.npy");
    REQUIRE(a.ok());
    CHECK(a->shape == std::vector<int>{5});
    CHECK(a->values == five);
  }
  SUBCASE("version 2.0 (4-byte length), double quotes, trailing commas, padding") {
    const std::string header =
        "{ \"fortran_order\" : False , \"descr\" : \"<f4\" , \"shape\" : ( 1 , 5 , ) , }" +
        std::string(40, ' ') + "\n";
    const Expected<NpyArray> a = ParseNpy(NpyFile(2, header, five), "a.npy");
    REQUIRE(a.ok());
    CHECK(a->shape == std::vector<int>{1, 5});
    CHECK(a->values == five);
  }
  SUBCASE("version 3.0 and Python 2 long dimensions (5L,)") {
    const Expected<NpyArray> a = ParseNpy(
        NpyFile(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (5L,), }\n", five), "a.npy");
    REQUIRE(a.ok());
    CHECK(a->shape == std::vector<int>{5});
  }
  SUBCASE("rank 4") {
    const Expected<NpyArray> a = ParseNpy(SimpleNpy("(1, 2, 1, 2)", {1, 2, 3, 4}), "a.npy");
    REQUIRE(a.ok());
    CHECK(a->shape == std::vector<int>{1, 2, 1, 2});
    CHECK(a->values == std::vector<float>{1, 2, 3, 4});
  }
}

TEST_CASE("npy: every malformed or unsupported file is an Error that names the problem") {
  const std::string what = "bad.npy";
  SUBCASE("truncated data") {
    CheckError(ParseNpy(SimpleNpy("(2, 3)", Iota(5)), what), {"bad.npy", "truncated", "24", "20"});
  }
  SUBCASE("extra data") {
    CheckError(ParseNpy(SimpleNpy("(2, 3)", Iota(7)), what), {"4 bytes after the data"});
  }
  SUBCASE("float64") {
    CheckError(ParseNpy(SimpleNpy("(2,)", Iota(4), "<f8"), what),
               {"'<f8'", "float64", "astype('<f4')"});
  }
  SUBCASE("int64") {
    CheckError(ParseNpy(SimpleNpy("(2,)", Iota(4), "<i8"), what), {"'<i8'", "astype('<f4')"});
  }
  SUBCASE("big-endian float32") {
    CheckError(ParseNpy(SimpleNpy("(2,)", Iota(2), ">f4"), what), {"big-endian", "astype('<f4')"});
  }
  SUBCASE("Fortran order") {
    CheckError(ParseNpy(SimpleNpy("(2, 2)", Iota(4), "<f4", "True"), what),
               {"Fortran", "np.ascontiguousarray"});
  }
  SUBCASE("bad magic") {
    Bytes bytes = SimpleNpy("(2,)", Iota(2));
    bytes[1] = 'X';
    CheckError(ParseNpy(bytes, what), {"not a .npy file"});
  }
  SUBCASE("empty") { CheckError(ParseNpy({}, what), {"not a .npy file"}); }
  SUBCASE("cut inside the preamble") {
    CheckError(ParseNpy(Bytes{0x93, 'N', 'U', 'M', 'P', 'Y', 1}, what), {"truncated"});
    CheckError(ParseNpy(Bytes{0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 10}, what), {"truncated"});
  }
  SUBCASE("header longer than the file") {
    Bytes bytes = SimpleNpy("(2,)", Iota(2));
    bytes[8] = 0xff;
    bytes[9] = 0x7f;
    CheckError(ParseNpy(bytes, what), {"truncated", "32767"});
  }
  SUBCASE("unknown version") {
    CheckError(ParseNpy(NpyFile(4, "{}", {}), what), {"version 4.0", "1.0, 2.0 and 3.0"});
  }
  SUBCASE("rank 5") {
    CheckError(ParseNpy(SimpleNpy("(1, 1, 1, 1, 2)", Iota(2)), what),
               {"(1, 1, 1, 1, 2)", "5 dimensions", "1 to 4"});
  }
  SUBCASE("rank 0") { CheckError(ParseNpy(SimpleNpy("()", Iota(1)), what), {"0 dimensions"}); }
  SUBCASE("zero dimension") {
    CheckError(ParseNpy(SimpleNpy("(0, 5)", {}), what), {"(0, 5)", "at least 1"});
  }
  SUBCASE("a product of dimensions that overflows 64 bits") {
    CheckError(
        ParseNpy(SimpleNpy("(2147483647, 2147483647, 2147483647, 2147483647)", Iota(4)), what),
        {"more values than any file can hold"});
  }
  SUBCASE("a huge shape that does not overflow") {
    CheckError(ParseNpy(SimpleNpy("(100000, 100000)", Iota(4)), what),
               {"truncated", "40000000000"});
  }
  SUBCASE("a dimension beyond int") {
    CheckError(ParseNpy(SimpleNpy("(99999999999999999999999,)", Iota(1)), what),
               {"dimension over 2147483647"});
  }
  SUBCASE("malformed headers") {
    const std::vector<std::string> headers = {
        "",
        "{'descr': '<f4', 'fortran_order': False}",  // no shape
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}",
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} trailing",
        "{'descr' '<f4', 'fortran_order': False, 'shape': (1,)}",   // no ':'
        "{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}",   // quote mismatch
        "{'descr': '<f4', 'fortran_order': false, 'shape': (1,)}",  // Python is case-sensitive
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,",
        "{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}",  // no ','
    };
    for (const std::string& header : headers) {
      CAPTURE(header);
      CheckError(ParseNpy(NpyFile(1, header, {7}), what), {"bad.npy has a malformed .npy header"});
    }
  }
}

TEST_CASE(
    "npy: every truncation and single-byte corruption is handled without reading past the end") {
  const Bytes good = SimpleNpy("(3, 2)", Iota(6));
  REQUIRE(ParseNpy(good, "x.npy").ok());
  for (std::size_t length = 0; length < good.size(); ++length) {
    const Bytes cut(good.begin(), good.begin() + static_cast<long>(length));
    CAPTURE(length);
    CHECK_FALSE(ParseNpy(cut, "x.npy").ok());
  }
  // Corrupting the preamble and header must never crash; the result may be valid or an Error.
  for (std::size_t i = 0; i < 64; ++i) {
    for (const std::uint8_t value : {0x00, 0x20, 0x29, 0x2c, 0x7d, 0xff}) {
      Bytes bent = good;
      bent[i] = value;
      const Expected<NpyArray> result = ParseNpy(bent, "x.npy");
      if (result.ok()) {
        std::size_t count = 1;
        for (const int dim : result->shape) count *= static_cast<std::size_t>(dim);
        CHECK(result->values.size() == count);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Files

TEST_CASE("files: ReadFileBytes reads a file and explains every failure with the path") {
  TempDir dir;
  SUBCASE("a file") {
    const std::string path = dir.File("data.bin");
    WriteBytes(path, {1, 2, 3, 250});
    const Expected<Bytes> bytes = ReadFileBytes(path);
    REQUIRE(bytes.ok());
    CHECK(*bytes == Bytes{1, 2, 3, 250});
  }
  SUBCASE("missing") {
    const std::string path = dir.File("missing.npy");
    CheckError(ReadFileBytes(path), {path, "does not exist"});
  }
  SUBCASE("a folder") {
    CheckError(ReadFileBytes(dir.Path().string()), {dir.Path().string(), "folder"});
  }
  SUBCASE("empty") {
    const std::string path = dir.File("empty.png");
    WriteBytes(path, {});
    CheckError(ReadFileBytes(path), {path, "empty"});
  }
  SUBCASE("over the size limit") {
    const std::string path = dir.File("huge.npy");
    WriteBytes(path, {1});
    fs::resize_file(path, io_limits::kMaxFileBytes + 1);  // sparse: costs no disk
    CheckError(ReadFileBytes(path), {path, "256.0 MiB limit"});
  }
  SUBCASE("unreadable") {
    const std::string path = dir.File("secret.npy");
    WriteBytes(path, {1, 2});
    fs::permissions(path, fs::perms::none);
    std::FILE* probe = std::fopen(path.c_str(), "rb");
    if (probe != nullptr) {
      std::fclose(probe);  // root reads anything: nothing to test
    } else {
      CheckError(ReadFileBytes(path), {path, "ermission denied"});
    }
  }
  SUBCASE("not a regular file") {
    CheckError(ReadFileBytes("/dev/null"), {"/dev/null", "not a regular file"});
  }
}

TEST_CASE("files: SaveNpy replaces files atomically and reports failures") {
  TempDir dir;
  const std::string path = dir.File("out.npy");
  REQUIRE(SaveNpy(path, NpyArray{{2}, {1, 2}}).ok());
  REQUIRE(SaveNpy(path, NpyArray{{3}, {7, 8, 9}}).ok());
  const Expected<NpyArray> loaded = LoadNpy(path);
  REQUIRE(loaded.ok());
  CHECK(loaded->values == std::vector<float>{7, 8, 9});
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir.Path())) {
    names.push_back(entry.path().filename().string());
  }
  CHECK(names == std::vector<std::string>{"out.npy"});  // no temporary file left behind

  const std::string nowhere = dir.File("no_such_folder/out.npy");
  CheckError(SaveNpy(nowhere, NpyArray{{1}, {1}}), {nowhere, "No such file or directory"});
  CheckError(SaveNpy(dir.Path().string(), NpyArray{{1}, {1}}), {"cannot write"});
  CheckError(SaveNpy(path, NpyArray{{2, 2}, {1, 2, 3}}), {"(2, 2)", "does not hold 3 values"});
  CheckError(SaveNpy(path, NpyArray{{1, 1, 1, 1, 1}, {1}}), {"5 dimensions"});
  CheckError(SaveNpy(path, NpyArray{{-1}, {}}), {"at least 1"});
}

// ---------------------------------------------------------------------------------------------
// 4. Engine inputs and outputs

TEST_CASE("LoadInput: .npy (H,W) is one channel and (H,W,C) becomes planar") {
  TempDir dir;
  SUBCASE("(H, W)") {
    const std::string path = dir.File("grey.npy");
    WriteBytes(path, SimpleNpy("(2, 3)", Iota(6, 10)));
    const Expected<Tensor3> t = LoadInput(path);
    REQUIRE(t.ok());
    CHECK(t->channels == 1);
    CHECK(t->height == 2);
    CHECK(t->width == 3);
    CHECK(t->At(0, 1, 2) == 15.0f);
    CHECK(t->At(0, 0, 1) == 11.0f);
  }
  SUBCASE("(H, W, C)") {
    const std::string path = dir.File("hwc.npy");
    WriteBytes(path, SimpleNpy("(2, 3, 4)", Iota(24)));
    const Expected<Tensor3> t = LoadInput(path);
    REQUIRE(t.ok());
    REQUIRE(t->channels == 4);
    REQUIRE(t->height == 2);
    REQUIRE(t->width == 3);
    for (int c = 0; c < 4; ++c) {
      for (int y = 0; y < 2; ++y) {
        for (int x = 0; x < 3; ++x)
          CHECK(t->At(c, y, x) == static_cast<float>((y * 3 + x) * 4 + c));
      }
    }
  }
}

TEST_CASE("LoadInput: rejects other ranks, oversized arrays and non-finite values with positions") {
  TempDir dir;
  const std::string path = dir.File("input.npy");
  SUBCASE("rank 1") {
    WriteBytes(path, SimpleNpy("(4,)", Iota(4)));
    CheckError(LoadInput(path), {"(4,)", "(H, W)", "(H, W, C)"});
  }
  SUBCASE("rank 4") {
    WriteBytes(path, SimpleNpy("(1, 2, 2, 1)", Iota(4)));
    CheckError(LoadInput(path), {"(1, 2, 2, 1)", "(H, W)"});
  }
  SUBCASE("too wide") {
    WriteBytes(path, SimpleNpy("(1, 20000)", Iota(20000)));
    CheckError(LoadInput(path), {"20000 x 1", "16384 pixels per side"});
  }
  SUBCASE("too many channels") {
    WriteBytes(path, SimpleNpy("(1, 1, 65)", Iota(65)));
    CheckError(LoadInput(path), {"65 channels", "1 to 64"});
  }
  SUBCASE("64 channels is fine") {
    WriteBytes(path, SimpleNpy("(1, 1, 64)", Iota(64)));
    CHECK(LoadInput(path).ok());
  }
  SUBCASE("NaN") {
    std::vector<float> values = Iota(5 * 6);
    values[3 * 6 + 4] = std::nanf("");
    WriteBytes(path, SimpleNpy("(5, 6)", values));
    CHECK(ErrorMessage(LoadInput(path)) ==
          path + " has NaN at row 3, column 4, channel 0; every value must be a finite number");
  }
  SUBCASE("infinity in a later channel") {
    std::vector<float> values = Iota(2 * 3 * 2);
    values[(1 * 3 + 2) * 2 + 1] = -std::numeric_limits<float>::infinity();
    WriteBytes(path, SimpleNpy("(2, 3, 2)", values));
    CheckError(LoadInput(path), {"-inf at row 1, column 2, channel 1"});
  }
  SUBCASE("missing file") {
    CheckError(LoadInput(dir.File("nope.npy")), {"nope.npy", "does not exist"});
  }
  SUBCASE("a .npy error passes through") {
    WriteBytes(path, SimpleNpy("(2, 2)", Iota(4), "<f8"));
    CheckError(LoadInput(path), {"astype('<f4')"});
  }
}

TEST_CASE("LoadInput: images are recognised by content, not by extension") {
  TempDir dir;
  const Bytes png = SavedPng(dir, 3, 2);
  const std::string path = dir.File("actually_a_png.npy");
  WriteBytes(path, png);
  const Expected<Tensor3> t = LoadInput(path);
  REQUIRE(t.ok());
  CHECK(t->channels == 3);
  CHECK(t->height == 2);
  CHECK(t->width == 3);
}

TEST_CASE("LoadKernelNpy: ranks 2, 3 and 4 map to the Kernel fields") {
  TempDir dir;
  const std::string path = dir.File("k.npy");
  SUBCASE("(KH, KW)") {
    WriteBytes(path, SimpleNpy("(3, 4)", Iota(12)));
    const Expected<Kernel> k = LoadKernelNpy(path);
    REQUIRE(k.ok());
    CHECK(k->rank == 2);
    CHECK(k->filters == 1);
    CHECK(k->channels == 1);
    CHECK(k->height == 3);
    CHECK(k->width == 4);
    CHECK(k->At(0, 0, 2, 1) == 9.0f);
  }
  SUBCASE("(C, KH, KW)") {
    WriteBytes(path, SimpleNpy("(2, 3, 3)", Iota(18)));
    const Expected<Kernel> k = LoadKernelNpy(path);
    REQUIRE(k.ok());
    CHECK(k->rank == 3);
    CHECK(k->filters == 1);
    CHECK(k->channels == 2);
    CHECK(k->height == 3);
    CHECK(k->width == 3);
    CHECK(k->At(0, 1, 0, 2) == 11.0f);
  }
  SUBCASE("(F, C, KH, KW)") {
    WriteBytes(path, SimpleNpy("(4, 2, 1, 3)", Iota(24)));
    const Expected<Kernel> k = LoadKernelNpy(path);
    REQUIRE(k.ok());
    CHECK(k->rank == 4);
    CHECK(k->filters == 4);
    CHECK(k->channels == 2);
    CHECK(k->height == 1);
    CHECK(k->width == 3);
    CHECK(k->At(3, 1, 0, 2) == 23.0f);
    CHECK(k->weights == Iota(24));
  }
  SUBCASE("rank 1") {
    WriteBytes(path, SimpleNpy("(9,)", Iota(9)));
    CheckError(LoadKernelNpy(path), {"(9,)", "(KH, KW), (C, KH, KW) or (F, C, KH, KW)"});
  }
  SUBCASE("rank 5") {
    WriteBytes(path, SimpleNpy("(1, 1, 1, 1, 1)", Iota(1)));
    CheckError(LoadKernelNpy(path), {"5 dimensions"});
  }
}

TEST_CASE("SaveTensorNpy: (OH, OW) for one channel, interleaved (OH, OW, C) otherwise") {
  TempDir dir;
  const std::string path = dir.File("map.npy");
  SUBCASE("one channel") {
    REQUIRE(SaveTensorNpy(path, MakeTensor(1, 2, 3, Iota(6))).ok());
    const Expected<NpyArray> a = LoadNpy(path);
    REQUIRE(a.ok());
    CHECK(a->shape == std::vector<int>{2, 3});
    CHECK(a->values == Iota(6));
  }
  SUBCASE("three channels") {
    const Tensor3 tensor = MakeTensor(3, 2, 2, Iota(12));
    REQUIRE(SaveTensorNpy(path, tensor).ok());
    const Expected<NpyArray> a = LoadNpy(path);
    REQUIRE(a.ok());
    CHECK(a->shape == std::vector<int>{2, 2, 3});
    // HWC index (y*W + x)*C + c holds planar (c*H + y)*W + x.
    CHECK(a->values == std::vector<float>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
    const Expected<Tensor3> back = LoadInput(path);
    REQUIRE(back.ok());
    CHECK(back->data == tensor.data);
  }
  SUBCASE("empty or inconsistent") {
    CheckError(SaveTensorNpy(path, Tensor3{}), {"empty"});
    Tensor3 broken = Tensor3::Zeros(1, 2, 2);
    broken.data.pop_back();
    CheckError(SaveTensorNpy(path, broken), {"3 values instead of 4"});
  }
}

// ---------------------------------------------------------------------------------------------
// 5. Images

TEST_CASE("images: a PNG written by SaveRgbaPng decodes to exactly v/255, alpha dropped") {
  TempDir dir;
  constexpr int kWidth = 5, kHeight = 3;
  const Bytes png = SavedPng(dir, kWidth, kHeight);
  // Independent of the decoder: the signature and the IHDR size fields.
  REQUIRE(png.size() > 24);
  CHECK(Bytes(png.begin(), png.begin() + 8) == Bytes{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
  CHECK(png[19] == kWidth);
  CHECK(png[23] == kHeight);
  const Expected<Tensor3> image = DecodeImage(png, "test.png");
  REQUIRE(image.ok());
  REQUIRE(image->channels == 3);
  REQUIRE(image->height == kHeight);
  REQUIRE(image->width == kWidth);
  const std::vector<std::uint8_t> rgba = TestRgba(kWidth, kHeight);
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      for (int c = 0; c < 3; ++c) {
        const std::uint8_t v = rgba[(static_cast<std::size_t>(y) * kWidth + x) * 4 + c];
        CHECK(image->At(c, y, x) == static_cast<float>(v) / 255.0f);
      }
    }
  }
}

TEST_CASE("images: hand-built 24-bit BMPs, bottom-up and top-down, decode exactly") {
  const std::vector<std::uint8_t> rgb = {255, 0,  0,  0,  255, 0,  0,  0,  255,  // row 0
                                         10,  20, 30, 40, 50,  60, 70, 80, 90};  // row 1
  for (const bool top_down : {false, true}) {
    CAPTURE(top_down);
    const Expected<Tensor3> image = DecodeImage(Bmp24(3, 2, rgb, top_down), "x.bmp");
    REQUIRE(image.ok());
    REQUIRE(image->width == 3);
    REQUIRE(image->height == 2);
    for (int y = 0; y < 2; ++y) {
      for (int x = 0; x < 3; ++x) {
        for (int c = 0; c < 3; ++c) {
          CHECK(image->At(c, y, x) == static_cast<float>(rgb[(y * 3 + x) * 3 + c]) / 255.0f);
        }
      }
    }
  }
}

TEST_CASE("images: a JPEG decodes close to its colour") {
  const Expected<Tensor3> image = DecodeImage(kSolidJpeg, "x.jpg");
  REQUIRE(image.ok());
  REQUIRE(image->width == 8);
  REQUIRE(image->height == 8);
  const float expected[3] = {200, 100, 50};
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < 8; ++y) {
      for (int x = 0; x < 8; ++x)
        CHECK(std::abs(image->At(c, y, x) * 255.0f - expected[c]) <= 3.0f);
    }
  }
}

TEST_CASE("images: truncated and corrupted PNGs give Errors, never a crash") {
  TempDir dir;
  const Bytes png = SavedPng(dir, 16, 9);
  REQUIRE(DecodeImage(png, "p.png").ok());
  // Cut anywhere before the 12-byte IEND chunk: the image data is incomplete.
  for (std::size_t length = 0; length + 12 < png.size(); ++length) {
    CAPTURE(length);
    CHECK_FALSE(
        DecodeImage(Bytes(png.begin(), png.begin() + static_cast<long>(length)), "p.png").ok());
  }
  CheckError(DecodeImage(Bytes(png.begin(), png.begin() + 40), "p.png"),
             {"p.png is not a valid PNG image", "truncated or corrupt"});
  SUBCASE("invalid bit depth in IHDR") {
    Bytes bent = png;
    bent[24] = 3;
    CheckError(DecodeImage(bent, "p.png"), {"not a valid PNG", "stb_image:"});
  }
  SUBCASE("flipped bytes anywhere") {
    for (std::size_t i = 8; i < png.size(); ++i) {
      Bytes bent = png;
      bent[i] ^= 0xff;
      const Expected<Tensor3> result = DecodeImage(bent, "p.png");
      if (result.ok()) CHECK(result->data.size() == 3u * result->PlaneSize());
    }
  }
  SUBCASE("a truncated JPEG") {
    const Bytes cut(kSolidJpeg.begin(), kSolidJpeg.begin() + 150);
    CheckError(DecodeImage(cut, "x.jpg"), {"not a valid JPEG"});
  }
}

TEST_CASE("images: other formats and random bytes are rejected by their magic bytes") {
  CHECK(ErrorMessage(DecodeImage(Bytes{'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0}, "x.gif")) ==
        "x.gif is a GIF file; stridescope reads PNG, JPEG and BMP images (or .npy arrays)");
  CheckError(DecodeImage(Bytes{'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P'}, "x.webp"),
             {"is a WebP file"});
  CheckError(DecodeImage(Bytes{'I', 'I', '*', 0, 8, 0, 0, 0}, "x.tif"), {"is a TIFF file"});
  std::mt19937 random(1234);
  Bytes noise(1000);
  for (std::uint8_t& b : noise) b = static_cast<std::uint8_t>(random());
  noise[0] = 0;
  CheckError(DecodeImage(noise, "noise.bin"),
             {"noise.bin is not an image or array stridescope recognises", "PNG, JPEG and BMP"});
  CheckError(DecodeImage({}, "nothing.png"), {"nothing.png is empty"});
}

TEST_CASE("images: sizes are checked from the header, before decoding") {
  // These files have no image data: reaching the decoder would report a corrupt PNG instead.
  CHECK(ErrorMessage(DecodeImage(PngHeaderOnly(20000, 20000), "big.png")) ==
        "big.png is 20000 x 20000 pixels, over the limit of 16384 pixels per side; resize it to "
        "at most 16384 pixels per side");
  CheckError(DecodeImage(PngHeaderOnly(100, 16385), "tall.png"), {"100 x 16385"});
  CheckError(DecodeImage(PngHeaderOnly(10000, 10000), "wide.png"),
             {"10000 x 10000", "64 Mpixel", "resize"});
  // A JPEG's size sits in its SOF0 segment: FF C0, length, precision, height, width.
  Bytes jpeg = kSolidJpeg;
  const Bytes sof0 = {0xff, 0xc0};
  const auto sof = std::search(jpeg.begin(), jpeg.end(), sof0.begin(), sof0.end());
  REQUIRE(sof != jpeg.end());
  const std::size_t at = static_cast<std::size_t>(sof - jpeg.begin()) + 5;
  jpeg[at] = 20000 >> 8;  // height
  jpeg[at + 1] = 20000 & 0xff;
  CheckError(DecodeImage(jpeg, "big.jpg"), {"8 x 20000", "16384 pixels per side"});
  Bytes bmp = Bmp24(1, 1, {1, 2, 3});
  bmp[18] = 0x20;  // width 20000 = 0x4e20, little-endian
  bmp[19] = 0x4e;
  CheckError(DecodeImage(bmp, "big.bmp"), {"20000 x 1", "16384 pixels per side"});
  // Within the limits the header passes and the missing data is what fails.
  CheckError(DecodeImage(PngHeaderOnly(16384, 4), "ok.png"), {"not a valid PNG", "truncated"});
}

// ---------------------------------------------------------------------------------------------
// 6. PNG export and FileExtension

TEST_CASE("SaveTensorPng: the finite min..max maps to 0..255") {
  TempDir dir;
  SUBCASE("grey, min -1 and max 3") {
    // (v + 1) / 4 * 255: 0, 63.75, 127.5, 255 -> rounded 0, 64, 128, 255.
    CHECK(PngRoundTrip(dir, MakeTensor(1, 2, 2, {-1, 0, 1, 3})) ==
          std::vector<int>{0, 64, 128, 255});
  }
  SUBCASE("non-finite values are 0 and do not stretch the range") {
    const float inf = std::numeric_limits<float>::infinity();
    CHECK(PngRoundTrip(dir, MakeTensor(1, 1, 5, {-inf, 2, 4, std::nanf(""), inf})) ==
          std::vector<int>{0, 0, 255, 0, 0});
  }
  SUBCASE("a constant map is clamped from [0, 1]") {
    CHECK(PngRoundTrip(dir, MakeTensor(1, 1, 2, {0.25f, 0.25f})) == std::vector<int>{64, 64});
    CHECK(PngRoundTrip(dir, MakeTensor(1, 1, 2, {7, 7})) == std::vector<int>{255, 255});
    CHECK(PngRoundTrip(dir, MakeTensor(1, 1, 2, {-2, -2})) == std::vector<int>{0, 0});
  }
  SUBCASE("three channels share one range") {
    // Channel planes: R = {0, 10}, G = {5, 2.5}, B = {10, 0}; range 0..10.
    CHECK(PngRoundTrip(dir, MakeTensor(3, 1, 2, {0, 10, 5, 2.5f, 10, 0})) ==
          std::vector<int>{0, 255, 128, 64, 255, 0});
  }
  SUBCASE("extreme values do not overflow") {
    const float big = std::numeric_limits<float>::max();
    CHECK(PngRoundTrip(dir, MakeTensor(1, 1, 3, {-big, 0, big})) == std::vector<int>{0, 128, 255});
  }
}

TEST_CASE("SaveTensorPng and SaveRgbaPng: channel rules and failures") {
  TempDir dir;
  const std::string path = dir.File("map.png");
  CheckError(SaveTensorPng(path, Tensor3::Zeros(2, 2, 2)), {"2-channel", ".npy"});
  CheckError(SaveTensorPng(path, Tensor3::Zeros(4, 2, 2)), {"4-channel", ".npy"});
  CheckError(SaveTensorPng(path, Tensor3{}), {"empty"});
  CHECK(SaveTensorPng(path, Tensor3::Zeros(3, 2, 2)).ok());
  const std::vector<std::uint8_t> rgba = TestRgba(2, 2);
  CheckError(SaveRgbaPng(path, 0, 2, rgba.data()), {"0 x 2"});
  CheckError(SaveRgbaPng(path, 2, 2, nullptr), {"no pixels"});
  const std::string nowhere = dir.File("missing/shot.png");
  CheckError(SaveRgbaPng(nowhere, 2, 2, rgba.data()), {nowhere, "No such file or directory"});
  CheckError(SaveTensorPng(nowhere, Tensor3::Zeros(1, 2, 2)), {nowhere});
}

TEST_CASE("FileExtension: lower-case, with the dot, empty when there is none") {
  CHECK(FileExtension("photos/Cat.PNG") == ".png");
  CHECK(FileExtension("weights.npy") == ".npy");
  CHECK(FileExtension("archive.tar.GZ") == ".gz");
  CHECK(FileExtension("README") == "");
  CHECK(FileExtension("dir.d/file") == "");
  CHECK(FileExtension(".bashrc") == "");
  CHECK(FileExtension("trailing.") == "");
  CHECK(FileExtension("") == "");
}

}  // namespace
}  // namespace stridescope
