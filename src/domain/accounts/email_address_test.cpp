#include "domain/accounts/email_address.hpp"

#include <gtest/gtest.h>

namespace personae {
namespace {

TEST(EmailAddress, NormalisesCaseAndSurroundingWhitespace) {
  EXPECT_EQ(normalize_email("  Ann.Lee@Example.ORG\t"), "ann.lee@example.org");
  EXPECT_EQ(parse_email(" Bob+tag@Mail.Example.com ").value(), "bob+tag@mail.example.com");
}

TEST(EmailAddress, AcceptsOrdinaryAddresses) {
  for (const char* email : {"a@b.co", "first.last@example.org", "x_y-z+1@sub.domain.example",
                            "caf\xC3\xA9@example.fr", "o'neil@example.ie"}) {
    EXPECT_TRUE(is_valid_email(email)) << email;
  }
}

TEST(EmailAddress, RejectsMalformedAddresses) {
  for (const char* email : {"",
                            "plain",
                            "@example.org",
                            "ann@",
                            "ann@@example.org",
                            "a@b@example.org",
                            "ann@example",
                            "ann @example.org",
                            "ann@exa mple.org",
                            "ann@example..org",
                            "ann@.example.org",
                            "ann@example.org.",
                            ".ann@example.org",
                            "ann.@example.org",
                            "a..b@example.org",
                            "ann@-example.org",
                            "ann@example-.org",
                            "\"ann\"@example.org",
                            "ann<x>@example.org",
                            "ann@example.org\r\nBcc: x",
                            "ann,bob@example.org",
                            "ann@[127.0.0.1]",
                            "\xC3\x28@example.org"}) {
    EXPECT_FALSE(is_valid_email(email)) << email;
  }
}

TEST(EmailAddress, EnforcesLengthLimits) {
  const std::string local64(64, 'a');
  EXPECT_TRUE(is_valid_email(local64 + "@example.org"));
  EXPECT_FALSE(is_valid_email(local64 + "a@example.org"));
  const std::string label63(63, 'b');
  EXPECT_TRUE(is_valid_email("a@" + label63 + ".org"));
  EXPECT_FALSE(is_valid_email("a@" + label63 + "b.org"));

  // 254 bytes in all is the ceiling.
  std::string domain;
  while (domain.size() < 240) domain += label63.substr(0, 59) + ".";
  domain += "org";
  std::string email = "a@" + domain;
  while (email.size() < kMaxEmailLength) email.insert(0, "a");
  EXPECT_EQ(email.size(), kMaxEmailLength);
  EXPECT_TRUE(is_valid_email(email));
  EXPECT_FALSE(is_valid_email("a" + email));
}

TEST(EmailAddress, ParseReportsInvalidArgumentWithoutEchoingTheInput) {
  const auto result = parse_email("Secret Person <secret@example.org>");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(result.error().message.find("secret"), std::string::npos);
}

}  // namespace
}  // namespace personae
