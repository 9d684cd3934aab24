// Exit statuses of every stridescope command (the CLI contract in README.md).
#pragma once

namespace stridescope {

inline constexpr int kExitOk = 0;
inline constexpr int kExitNoWindow = 1;  // the window cannot open: no display, no OpenGL
inline constexpr int kExitInvalid = 2;   // any invalid argument, input or output, with one line on stderr

}  // namespace stridescope
