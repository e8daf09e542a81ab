#include "security/password_policy.hpp"

#include "core/text_encoding.hpp"

#include <span>
#include <string>
#include <unordered_set>

#include "core/embedded_file.hpp"

namespace personae {
// Generated from PERSONAE_COMMON_PASSWORDS_FILE by personae_embed_files (see CMakeLists.txt).
std::span<const EmbeddedFile> common_password_files();
}  // namespace personae

namespace personae::security {

namespace {

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

struct CommonPasswords {
  std::unordered_set<std::string> lowered;
  std::size_t entries = 0;
};

CommonPasswords load_common_passwords() {
  CommonPasswords list;
  for (const auto& file : common_password_files()) {
    std::string_view rest = file.contents;
    while (!rest.empty()) {
      const auto newline = rest.find('\n');
      std::string_view line = rest.substr(0, newline);
      rest = newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (line.empty() || line.starts_with("#!comment")) continue;
      ++list.entries;
      list.lowered.insert(ascii_lower(line));
    }
  }
  return list;
}

const CommonPasswords& common_passwords() {
  // Immutable after construction; C++ guarantees the initialisation runs once, thread-safely.
  static const CommonPasswords kList = load_common_passwords();
  return kList;
}

std::string with_thousands(std::size_t value) {
  std::string digits = std::to_string(value);
  for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3) {
    digits.insert(static_cast<std::size_t>(i), ",");
  }
  return digits;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ascii_lower(a) == ascii_lower(b);
}

}  // namespace

bool is_common_password(std::string_view password) {
  return common_passwords().lowered.contains(ascii_lower(password));
}

std::size_t common_password_count() {
  return common_passwords().entries;
}

Result<void> check_new_password(std::string_view password, std::string_view email) {
  const auto length = utf8_code_points(password);
  if (!length) return make_error(ErrorCode::kInvalidArgument, "the password must be valid UTF-8 text");
  if (*length < kMinPasswordLength || *length > kMaxPasswordLength) {
    return make_error(ErrorCode::kInvalidArgument, "the password must be 8 to 128 characters");
  }
  if (is_common_password(password)) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "the password is among the " + with_thousands(common_password_count()) + " most common passwords");
  }
  if (!email.empty()) {
    const auto at = email.rfind('@');
    const auto local = at == std::string_view::npos ? email : email.substr(0, at);
    if (equals_ignoring_case(password, email) || equals_ignoring_case(password, local)) {
      return make_error(ErrorCode::kInvalidArgument, "the password must not be the e-mail address");
    }
  }
  return {};
}

}  // namespace personae::security
