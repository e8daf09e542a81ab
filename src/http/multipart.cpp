#include "http/multipart.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "http/headers.hpp"

namespace personae::http {
namespace {

constexpr std::string_view kCrlf = "\r\n";

tl::unexpected<Error> malformed(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, std::move(message));
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The value of parameter `name` in a header value such as `form-data; name="file"; filename="a.jpg"`
// (quoted strings may hold ';' and backslash escapes).
std::optional<std::string> parameter(std::string_view value, std::string_view name) {
  std::size_t i = value.find(';');
  while (i < value.size()) {
    ++i;  // past ';'
    const std::size_t key_start = i;
    while (i < value.size() && value[i] != '=' && value[i] != ';') ++i;
    const std::string_view key = trim(value.substr(key_start, i - key_start));
    if (i >= value.size() || value[i] == ';') continue;  // a parameter without a value
    ++i;                                                 // past '='
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    std::string parsed;
    if (i < value.size() && value[i] == '"') {
      for (++i; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        parsed.push_back(value[i]);
      }
      while (i < value.size() && value[i] != ';') ++i;
    } else {
      const std::size_t start = i;
      while (i < value.size() && value[i] != ';') ++i;
      parsed = std::string(trim(value.substr(start, i - start)));
    }
    if (iequals(key, name)) return parsed;
  }
  return std::nullopt;
}

}  // namespace

Result<std::string> multipart_boundary(std::string_view content_type) {
  const std::string_view media_type = trim(content_type.substr(0, content_type.find(';')));
  if (!iequals(media_type, "multipart/form-data")) {
    return malformed("the body must be multipart/form-data (the file in a part named \"file\")");
  }
  const auto boundary = parameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70) {
    return malformed("the multipart/form-data Content-Type needs a boundary of 1-70 characters");
  }
  return *boundary;
}

Result<std::vector<MultipartPart>> parse_multipart(std::string_view body, std::string_view boundary,
                                                   const MultipartLimits& limits) {
  const std::string opening = "--" + std::string(boundary);
  const std::string delimiter = "\r\n--" + std::string(boundary);
  // The body starts with the first boundary (a preamble before it is allowed and ignored).
  std::size_t at = 0;
  if (body.substr(0, opening.size()) != opening) {
    at = body.find(delimiter);
    if (at == std::string_view::npos) return malformed("the multipart body does not contain its boundary");
    at += 2;
  }
  std::vector<MultipartPart> parts;
  for (;;) {
    at += opening.size();
    if (body.substr(at, 2) == "--") return parts;  // the closing boundary
    if (body.substr(at, 2) != kCrlf) return malformed("a multipart boundary line is malformed");
    at += 2;
    if (parts.size() == limits.max_parts) {
      return malformed("the multipart body has more than " + std::to_string(limits.max_parts) + " parts");
    }
    const std::size_t head_end = body.find("\r\n\r\n", at);
    if (head_end == std::string_view::npos || head_end - at > limits.max_part_header_bytes) {
      return malformed(head_end == std::string_view::npos ? "the upload was cut off in the headers of a part"
                                                          : "the headers of a part are too large");
    }
    MultipartPart part;
    bool disposition_seen = false;
    for (std::string_view headers = body.substr(at, head_end - at); !headers.empty();) {
      const std::size_t line_end = headers.find(kCrlf);
      const std::string_view line = headers.substr(0, line_end);
      headers = line_end == std::string_view::npos ? std::string_view() : headers.substr(line_end + 2);
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) return malformed("a part has a malformed header line");
      const std::string_view field = trim(line.substr(0, colon));
      const std::string_view value = trim(line.substr(colon + 1));
      if (iequals(field, "Content-Disposition")) {
        if (!iequals(trim(value.substr(0, value.find(';'))), "form-data")) {
          return malformed("a part's Content-Disposition must be form-data");
        }
        disposition_seen = true;
        part.name = parameter(value, "name").value_or("");
        part.filename = parameter(value, "filename");
      } else if (iequals(field, "Content-Type")) {
        part.content_type = std::string(value);
      }
    }
    if (!disposition_seen || part.name.empty()) {
      return malformed("every part needs a Content-Disposition: form-data with a name");
    }
    part.offset = head_end + 4;
    const std::size_t content_end = body.find(delimiter, part.offset);
    if (content_end == std::string_view::npos) {
      return malformed("the upload was cut off before the end of part \"" + part.name.substr(0, 40) + "\"");
    }
    part.length = content_end - part.offset;
    parts.push_back(std::move(part));
    at = content_end + 2;
  }
}

Result<std::vector<MultipartPart>> parse_multipart_file(const std::filesystem::path& file,
                                                        std::string_view boundary,
                                                        const MultipartLimits& limits) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::kInternal, "cannot read the upload", std::strerror(errno));
  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    ::close(fd);
    return make_error(ErrorCode::kInternal, "cannot read the upload", std::strerror(errno));
  }
  const auto size = static_cast<std::size_t>(status.st_size);
  if (size == 0) {
    ::close(fd);
    return parse_multipart({}, boundary, limits);
  }
  void* mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (mapped == MAP_FAILED)
    return make_error(ErrorCode::kInternal, "cannot read the upload", std::strerror(errno));
  auto parts = parse_multipart(std::string_view(static_cast<const char*>(mapped), size), boundary, limits);
  ::munmap(mapped, size);
  return parts;
}

Result<std::string> read_part(const std::filesystem::path& file, const MultipartPart& part) {
  std::ifstream in(file, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(part.offset));
  std::string content(part.length, '\0');
  if (!in.read(content.data(), static_cast<std::streamsize>(part.length))) {
    return make_error(ErrorCode::kInternal, "cannot read the upload", file.string());
  }
  return content;
}

Result<void> copy_part(const std::filesystem::path& file, const MultipartPart& part,
                       const std::filesystem::path& destination) {
  std::ifstream in(file, std::ios::binary);
  std::ofstream out(destination, std::ios::binary | std::ios::trunc);
  in.seekg(static_cast<std::streamoff>(part.offset));
  std::string buffer(std::size_t{1} << 16, '\0');
  std::uint64_t left = part.length;
  while (left > 0 && in && out) {
    const auto chunk = static_cast<std::streamsize>(std::min<std::uint64_t>(left, buffer.size()));
    in.read(buffer.data(), chunk);
    out.write(buffer.data(), in.gcount());
    left -= static_cast<std::uint64_t>(in.gcount());
    if (in.gcount() == 0) break;
  }
  out.flush();
  if (left != 0 || !out)
    return make_error(ErrorCode::kInternal, "cannot copy the upload", destination.string());
  return {};
}

}  // namespace personae::http
