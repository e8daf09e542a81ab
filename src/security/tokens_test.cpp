#include "security/tokens.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace personae::security {
namespace {

TEST(Tokens, GeneratesUnpaddedBase64UrlFromTheCsprng) {
  const auto token = generate_token();
  EXPECT_EQ(token.size(), 43U);
  EXPECT_TRUE(std::regex_match(token, std::regex("[A-Za-z0-9_-]{43}")));
  EXPECT_NE(generate_token(), generate_token());
  EXPECT_EQ(generate_token(16).size(), 22U);
}

TEST(Tokens, HashesWithSha256Hex) {
  EXPECT_EQ(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ApiKeys, RoundTripThroughText) {
  const auto key = generate_api_key();
  EXPECT_TRUE(std::regex_match(key.prefix, std::regex("[a-z0-9]{8}")));
  EXPECT_EQ(key.secret.size(), 43U);
  const auto text = key.text();
  EXPECT_TRUE(text.starts_with("psk_" + key.prefix + "_"));
  const auto parsed = parse_api_key(text);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->prefix, key.prefix);
  EXPECT_EQ(parsed->secret, key.secret);
}

TEST(ApiKeys, RefuseAnyOtherShape) {
  const auto text = generate_api_key().text();
  EXPECT_FALSE(parse_api_key(""));
  EXPECT_FALSE(parse_api_key(text.substr(1)));
  EXPECT_FALSE(parse_api_key(text + "x"));
  EXPECT_FALSE(parse_api_key("psx_" + text.substr(4)));
  std::string upper_prefix = text;
  upper_prefix[4] = 'A';
  EXPECT_FALSE(parse_api_key(upper_prefix));
  std::string no_separator = text;
  no_separator[12] = 'x';
  EXPECT_FALSE(parse_api_key(no_separator));
  std::string bad_secret = text;
  bad_secret.back() = '=';
  EXPECT_FALSE(parse_api_key(bad_secret));
}

TEST(RecoveryCodes, AreTenUnambiguousSixtyBitCodes) {
  const auto codes = generate_recovery_codes();
  ASSERT_EQ(codes.size(), 10U);
  std::set<std::string> unique(codes.begin(), codes.end());
  EXPECT_EQ(unique.size(), 10U);
  for (const auto& code : codes) {
    EXPECT_TRUE(std::regex_match(
        code, std::regex("[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}")))
        << code;
    EXPECT_EQ(normalize_recovery_code(code), code);
  }
}

TEST(RecoveryCodes, NormaliseWhatUsersType) {
  EXPECT_EQ(normalize_recovery_code("ABCD-EFGH-JKMN"), "abcd-efgh-jkmn");
  EXPECT_EQ(normalize_recovery_code("abcd efgh jkmn"), "abcd-efgh-jkmn");
  EXPECT_EQ(normalize_recovery_code("abcdefghjkmn"), "abcd-efgh-jkmn");
  EXPECT_EQ(normalize_recovery_code("OIL0-0000-0000"), "0110-0000-0000");
  EXPECT_FALSE(normalize_recovery_code("abcd-efgh-jkmu"));  // u is not in the alphabet
  EXPECT_FALSE(normalize_recovery_code("abcd-efgh-jkm"));
  EXPECT_FALSE(normalize_recovery_code("abcd-efgh-jkmnp"));
  EXPECT_FALSE(normalize_recovery_code(""));
}

TEST(Ids, AreVersion4Uuids) {
  const auto id = generate_id();
  EXPECT_TRUE(
      std::regex_match(id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << id;
  EXPECT_NE(generate_id(), generate_id());
}

}  // namespace
}  // namespace personae::security
