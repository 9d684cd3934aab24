#include "gui/number_text.h"

#include <cassert>
#include <cstdio>

namespace stridescope {

std::string WithThousands(std::int64_t count) {
  assert(count >= 0 && "counts are never negative");
  const std::string digits = std::to_string(count);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(digits[i]);
  }
  return grouped;
}

std::string Milliseconds(double ms) {
  if (ms < 0.0) return "-";
  if (ms < 0.01) return "< 0.01 ms";
  char text[32];
  std::snprintf(text, sizeof(text), ms < 10.0 ? "%.2f ms" : "%.1f ms", ms);
  return text;
}

}  // namespace stridescope
