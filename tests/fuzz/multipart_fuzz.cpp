// Feeds arbitrary bytes to the upload parser: the first line is the Content-Type header (whose
// boundary parameter is extracted as the server does), the rest the body. Every part found must
// lie inside the body, in order, without overlapping.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/multipart.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  const auto boundary = personae::http::multipart_boundary(input.substr(0, newline));
  if (!boundary) return 0;
  const std::string_view body = input.substr(newline + 1);
  const auto parts = personae::http::parse_multipart(body, *boundary);
  if (!parts) return 0;
  std::uint64_t previous_end = 0;
  for (const auto& part : *parts) {
    if (part.offset < previous_end || part.offset + part.length > body.size() || part.name.empty())
      std::abort();
    previous_end = part.offset + part.length;
  }
  return 0;
}
