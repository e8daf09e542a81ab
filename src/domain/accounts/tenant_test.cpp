#include "domain/accounts/tenant.hpp"

#include <gtest/gtest.h>

#include "domain/accounts/text.hpp"

namespace personae {
namespace {

TEST(TenantName, TrimsAndAcceptsUpToAHundredCharacters) {
  EXPECT_EQ(parse_tenant_name("  Acme Agency \n").value(), "Acme Agency");
  EXPECT_EQ(parse_tenant_name("x").value(), "x");
  EXPECT_TRUE(parse_tenant_name(std::string(100, 'n')).has_value());
  // 100 two-byte characters are 200 bytes but 100 characters.
  std::string accented;
  for (int i = 0; i < 100; ++i) accented += "\xC3\xA9";
  EXPECT_TRUE(parse_tenant_name(accented).has_value());
}

TEST(TenantName, RejectsEmptyTooLongControlAndInvalidUtf8) {
  for (const std::string& name :
       {std::string(), std::string("   "), std::string(101, 'n'), std::string("a\tb"), std::string("a\x7f"),
        std::string("bad\xC3"), std::string("nul\0x", 5)}) {
    const auto result = parse_tenant_name(name);
    ASSERT_FALSE(result.has_value()) << name;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace personae
