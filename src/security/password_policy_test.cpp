#include "security/password_policy.hpp"

#include <gtest/gtest.h>

namespace personae::security {
namespace {

std::string repeat(std::string_view unit, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += unit;
  return out;
}

TEST(PasswordPolicy, EmbedsTheWholeCommonPasswordList) {
  EXPECT_EQ(common_password_count(), 3545U);
  EXPECT_TRUE(is_common_password("password"));
  EXPECT_TRUE(is_common_password("PassWord"));
  EXPECT_TRUE(is_common_password("12345678"));
  EXPECT_FALSE(
      is_common_password("#!comment: This list has been compiled by Solar Designer of Openwall Project"));
  EXPECT_FALSE(is_common_password("correct horse battery staple"));
}

TEST(PasswordPolicy, RefusesCommonPasswordsIgnoringCase) {
  for (std::string_view password : {"password", "PASSWORD", "Password", "12345678", "iloveyou"}) {
    auto checked = check_new_password(password, "someone@example.com");
    ASSERT_FALSE(checked) << password;
    EXPECT_EQ(checked.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(checked.error().message, "the password is among the 3,545 most common passwords");
  }
}

TEST(PasswordPolicy, CountsLengthInCodePoints) {
  const auto too_short = check_new_password("abcdefg", "");
  ASSERT_FALSE(too_short);
  EXPECT_EQ(too_short.error().message, "the password must be 8 to 128 characters");
  EXPECT_TRUE(check_new_password("kxq-w7vz", ""));
  EXPECT_TRUE(check_new_password(std::string(128, 'k'), ""));
  EXPECT_FALSE(check_new_password(std::string(129, 'k'), ""));
  // 128 two-byte characters (256 bytes) are 128 characters; 7 four-byte emoji are 7.
  EXPECT_TRUE(check_new_password(repeat("\xc3\xa9", 128), ""));
  EXPECT_FALSE(check_new_password(repeat("\xc3\xa9", 129), ""));
  EXPECT_FALSE(check_new_password(repeat("\xf0\x9f\x94\x91", 7), ""));
  EXPECT_TRUE(check_new_password(repeat("\xf0\x9f\x94\x91", 8), ""));
  EXPECT_TRUE(
      check_new_password("\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c"
                         "12",
                         ""));  // "пароль12"
}

TEST(PasswordPolicy, HasNoCompositionRules) {
  EXPECT_TRUE(check_new_password("all lower case words", ""));
  EXPECT_TRUE(check_new_password("9183746520", ""));
}

TEST(PasswordPolicy, RefusesInvalidUtf8) {
  using namespace std::literals;
  for (std::string_view bad :
       {"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8"sv, "abcdefg\xc3"sv, "abcdefg\xc0\xaf"sv, "abcdefg\xe0\x80\xaf"sv,
        "abcdefg\xed\xa0\x80"sv, "abcdefg\xf4\x90\x80\x80"sv, "abcdefgh\x80"sv}) {
    auto checked = check_new_password(bad, "");
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().message, "the password must be valid UTF-8 text");
  }
}

TEST(PasswordPolicy, RefusesTheEmailAddressAndItsLocalPart) {
  const std::string email = "Alice.Smith@example.com";
  for (std::string_view password :
       {"Alice.Smith@example.com", "alice.smith@EXAMPLE.com", "alice.smith", "ALICE.SMITH"}) {
    auto checked = check_new_password(password, email);
    ASSERT_FALSE(checked) << password;
    EXPECT_EQ(checked.error().message, "the password must not be the e-mail address");
  }
  EXPECT_TRUE(check_new_password("alice.smith!", email));
}

}  // namespace
}  // namespace personae::security
