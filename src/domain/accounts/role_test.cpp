#include "domain/accounts/role.hpp"

#include <gtest/gtest.h>

namespace personae {
namespace {

TEST(Role, RoundTripsEveryRole) {
  for (const Role role : {Role::kOwner, Role::kAdmin, Role::kManager, Role::kChatter, Role::kViewer}) {
    EXPECT_EQ(parse_role(to_string(role)), role);
  }
  EXPECT_EQ(to_string(Role::kOwner), "owner");
  EXPECT_EQ(to_string(Role::kChatter), "chatter");
}

TEST(Role, RejectsUnknownAndMiscasedNames) {
  EXPECT_EQ(parse_role(""), std::nullopt);
  EXPECT_EQ(parse_role("Owner"), std::nullopt);
  EXPECT_EQ(parse_role("root"), std::nullopt);
  EXPECT_EQ(parse_role("owner "), std::nullopt);
}

}  // namespace
}  // namespace personae
