#pragma once

#include <string_view>

namespace personae {

/// What this binary is: shown by `personae version`, GET /api/v1/version and personae_build_info.
struct BuildInfo {
  std::string_view version;
  std::string_view commit;
  std::string_view compiler;
  std::string_view build_type;
};

}  // namespace personae
