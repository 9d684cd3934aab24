// Error values for user input. A programmer bug asserts; anything a user can type, load or drag
// comes back as an Error whose message says what is wrong and what to change (DESIGN.md).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace stridescope {

// The setting a user would change to fix an Error, so a window can show the message next to that
// control. None: no single control (out of memory, a file that cannot be read).
enum class Setting {
  None, Input, Op, Kernel, Window, Stride, Padding, PadMode, Dilation, OutputPadding, Bias, Channels,
  CeilMode,
};

struct Error {
  std::string message;  // one sentence, in the user's terms, no trailing newline
  Setting setting = Setting::None;
};

// A value or an Error. Minimal stand-in for C++23 std::expected, which C++20 lacks.
template <class T>
class Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}
  Expected(Error error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() {
    assert(ok() && "Expected::value() called on an error");
    return std::get<T>(state_);
  }
  const T& value() const {
    assert(ok() && "Expected::value() called on an error");
    return std::get<T>(state_);
  }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok() && "Expected::error() called on a value");
    return std::get<Error>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

// For operations that return nothing but may fail.
struct Done {};
using Status = Expected<Done>;

}  // namespace stridescope
