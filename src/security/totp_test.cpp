#include "security/totp.hpp"

#include <gtest/gtest.h>

#include "security/encoding.hpp"

namespace personae::security {
namespace {

using std::chrono::system_clock;

system_clock::time_point at(std::int64_t unix_seconds) {
  return system_clock::time_point(std::chrono::seconds(unix_seconds));
}

constexpr std::string_view kRfcSecret = "12345678901234567890";

// The RFC's last vector (T = 20000000000, year 2603) is past what system_clock's nanoseconds hold.
TEST(Totp, MatchesRfc6238AppendixBSha1Vectors) {
  const std::pair<std::int64_t, std::string_view> vectors[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"},
  };
  for (const auto& [time, code] : vectors) {
    EXPECT_EQ(totp_code(kRfcSecret, at(time), 8), code) << time;
    EXPECT_EQ(totp_code(kRfcSecret, at(time)), code.substr(2)) << time;
  }
}

TEST(Totp, AcceptsTheCurrentStepAndOneEitherSide) {
  const auto now = at(1111111111);
  const auto step = totp_step(now);
  EXPECT_EQ(verify_totp(kRfcSecret, "050471", now), step);
  EXPECT_EQ(verify_totp(kRfcSecret, totp_code(kRfcSecret, now - std::chrono::seconds(30)), now), step - 1);
  EXPECT_EQ(verify_totp(kRfcSecret, totp_code(kRfcSecret, now + std::chrono::seconds(30)), now), step + 1);
  EXPECT_FALSE(verify_totp(kRfcSecret, totp_code(kRfcSecret, now - std::chrono::seconds(60)), now));
  EXPECT_FALSE(verify_totp(kRfcSecret, totp_code(kRfcSecret, now + std::chrono::seconds(60)), now));
  EXPECT_FALSE(verify_totp(kRfcSecret, totp_code(kRfcSecret, now - std::chrono::seconds(30)), now, 0));
}

TEST(Totp, RefusesWrongAndMalformedCodes) {
  const auto now = at(59);
  EXPECT_EQ(verify_totp(kRfcSecret, "287082", now), 1);
  EXPECT_EQ(verify_totp(kRfcSecret, "287 082", now), 1);
  EXPECT_FALSE(verify_totp(kRfcSecret, "287083", now));
  for (std::string_view bad :
       {"", "28708", "2870822", "94287082", "28708a", "+28708", "-287082", "287082\n"}) {
    EXPECT_FALSE(verify_totp(kRfcSecret, bad, now)) << bad;
  }
  EXPECT_FALSE(verify_totp("", "287082", now));
}

TEST(Totp, RefusesReplayWithinTheSameStep) {
  const auto secret = generate_totp_secret();
  const auto now = at(1700000000);
  const auto code = totp_code(secret, now);
  const auto used = accept_totp(secret, code, now, std::nullopt);
  ASSERT_TRUE(used);
  EXPECT_EQ(*used, totp_step(now));
  EXPECT_FALSE(accept_totp(secret, code, now + std::chrono::seconds(5), used));
  // A code from the step before the one used is refused too, although still within the window.
  const auto earlier = totp_code(secret, now - std::chrono::seconds(30));
  EXPECT_FALSE(accept_totp(secret, earlier, now, used));
  const auto later = now + std::chrono::seconds(30);
  EXPECT_EQ(accept_totp(secret, totp_code(secret, later), later, used), *used + 1);
}

TEST(Totp, EnrolmentUriCarriesTheBase32Secret) {
  EXPECT_EQ(base32_encode(kRfcSecret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(totp_uri("alice+x@example.com", kRfcSecret),
            "otpauth://totp/"
            "Personae:alice%2Bx%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Personae");
  const auto secret = generate_totp_secret();
  EXPECT_EQ(secret.size(), 20U);
  EXPECT_NE(secret, generate_totp_secret());
}

}  // namespace
}  // namespace personae::security
