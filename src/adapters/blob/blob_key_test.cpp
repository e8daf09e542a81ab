#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapters/blob/blob_key_checks.hpp"
#include "core/error.hpp"
#include "ports/blob_store.hpp"

namespace personae {
namespace {

const std::string& known_hash() {
  static const std::string hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  return hash;
}

TEST(BlobKey, RoundTripsThroughItsText) {
  const BlobKey key{"tenant_01-A", known_hash()};
  EXPECT_TRUE(key.valid());
  EXPECT_EQ(key.to_string(), "tenant_01-A/" + known_hash());
  EXPECT_EQ(BlobKey::parse(key.to_string()), key);
}

TEST(BlobKey, AcceptsTenantIdsOfOneToSixtyFourCharacters) {
  EXPECT_TRUE((BlobKey{"a", known_hash()}.valid()));
  EXPECT_TRUE((BlobKey{std::string(64, 'z'), known_hash()}.valid()));
  EXPECT_FALSE((BlobKey{std::string(65, 'z'), known_hash()}.valid()));
  EXPECT_FALSE((BlobKey{"", known_hash()}.valid()));
}

TEST(BlobKey, RefusesHostileOrMalformedText) {
  const std::string upper = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";
  const std::vector<std::string> hostile = {
      std::string(),
      std::string("/"),
      std::string("tenant"),
      std::string("tenant/"),
      "/" + known_hash(),
      "../" + known_hash(),
      "tenant/../" + known_hash(),
      std::string("../../etc/passwd"),
      "..%2f" + known_hash(),
      "%2e%2e/" + known_hash(),
      "tenant%2F/" + known_hash(),
      "ten.ant/" + known_hash(),
      "tenant/" + upper,
      "tenant/" + known_hash().substr(1),
      "tenant/" + known_hash() + "0",
      "tenant/" + known_hash() + "/",
      "tenant/" + known_hash() + "\n",
      "tenant\n/" + known_hash(),
      " tenant/" + known_hash(),
      "tenant//" + known_hash(),
      "a/b/" + known_hash(),
      "tenant/" + known_hash().substr(0, 63) + "g",
      std::string("tenant\0x/", 9) + known_hash(),
      "tenant/" + known_hash().substr(0, 32) + std::string("\0", 1) + known_hash().substr(33),
      "t\xc3\xa9nant/" + known_hash(),
      std::string(65, 'a') + "/" + known_hash(),
  };
  for (const std::string& text : hostile) {
    EXPECT_FALSE(BlobKey::parse(text)) << text;
  }
}

TEST(BlobKey, ValidChecksBothParts) {
  EXPECT_FALSE((BlobKey{"..", known_hash()}.valid()));
  EXPECT_FALSE((BlobKey{"tenant", "../" + known_hash().substr(3)}.valid()));
  EXPECT_FALSE((BlobKey{"tenant", ""}.valid()));
}

TEST(BlobKeyChecks, ThrowInvalidArgumentWithoutEchoingTheKey) {
  try {
    blob_checks::require_valid(BlobKey{"evil\r\ninjected", known_hash()});
    FAIL() << "accepted an invalid tenant id";
  } catch (const AppError& error) {
    EXPECT_EQ(error.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(error.error().detail.find("injected"), std::string::npos);
  }
  EXPECT_THROW(blob_checks::require_valid_tenant("../x"), AppError);
  EXPECT_NO_THROW(blob_checks::require_valid_tenant("tenant-1"));
}

}  // namespace
}  // namespace personae
