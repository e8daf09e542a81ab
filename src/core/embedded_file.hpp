#pragma once

#include <span>
#include <string_view>

namespace personae {

/// A file compiled into the binary (see cmake/PersonaeEmbed.cmake): migrations, the OpenAPI document.
struct EmbeddedFile {
  std::string_view name;  ///< path relative to the embedded folder, e.g. "sqlite/0001_audit_log.up.sql"
  std::string_view contents;
};

}  // namespace personae
