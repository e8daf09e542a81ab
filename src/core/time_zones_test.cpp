#include "core/time_zones.hpp"

#include <gtest/gtest.h>

namespace personae {
namespace {

TEST(TimeZones, KnowsTheIanaDatabase) {
  for (const char* zone : {"UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Asia/Tokyo"}) {
    EXPECT_TRUE(is_known_time_zone(zone)) << zone;
  }
  for (const char* zone : {"", "Mars/Olympus", "europe/paris", "../../etc/passwd", "Europe/Paris/"}) {
    EXPECT_FALSE(is_known_time_zone(zone)) << zone;
  }
}

}  // namespace
}  // namespace personae
