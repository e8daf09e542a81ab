#include "core/time_zones.hpp"

#include <date/tz.h>

#include <stdexcept>
#include <string>

namespace personae {

bool is_known_time_zone(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  try {
    return date::locate_zone(std::string(name)) != nullptr;
  } catch (const std::exception&) {
    return false;  // unknown zone, or no database: neither can be used
  }
}

}  // namespace personae
