#pragma once

#include <string_view>

namespace personae {

/// Whether `name` is a zone of the system's IANA time-zone database ("Europe/Paris", "UTC").
/// Reads /usr/share/zoneinfo (package tzdata) the first time; thread-safe.
bool is_known_time_zone(std::string_view name);

}  // namespace personae
