#include "security/password_hasher.hpp"

#include <gtest/gtest.h>

#include <iostream>

namespace personae::security {
namespace {

TEST(PasswordHasher, ProducesArgon2idPhcStringsAtTheConfiguredCost) {
  PasswordHasher hasher;
  const auto started = std::chrono::steady_clock::now();
  auto hashed = hasher.hash("correct horse battery staple");
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(hashed) << hashed.error().message;
  EXPECT_TRUE(hashed->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *hashed;
  std::cout << "Argon2id m=19 MiB t=2 p=1: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms per hash\n";
  auto again = hasher.hash("correct horse battery staple");
  ASSERT_TRUE(again);
  EXPECT_NE(*hashed, *again);  // fresh salt each time
}

TEST(PasswordHasher, VerifiesExactlyAsTyped) {
  PasswordHasher hasher;
  const std::string long_password(127, 'x');
  const std::string nfc = "caf\xc3\xa9 au lait";   // é precomposed
  const std::string nfd = "cafe\xcc\x81 au lait";  // e + combining acute
  auto long_hash = hasher.hash(long_password + "a");
  auto nfc_hash = hasher.hash(nfc);
  auto mixed_hash = hasher.hash("Tr0ub4dor&3");
  ASSERT_TRUE(long_hash && nfc_hash && mixed_hash);

  EXPECT_EQ(hasher.verify(long_password + "a", *long_hash), true);
  EXPECT_EQ(hasher.verify(long_password + "b", *long_hash), false);  // no truncation
  EXPECT_EQ(hasher.verify(long_password, *long_hash), false);
  EXPECT_EQ(hasher.verify(nfc, *nfc_hash), true);
  EXPECT_EQ(hasher.verify(nfd, *nfc_hash), false);  // no Unicode normalisation
  EXPECT_EQ(hasher.verify("Tr0ub4dor&3", *mixed_hash), true);
  EXPECT_EQ(hasher.verify("tr0ub4dor&3", *mixed_hash), false);  // no case folding
  EXPECT_EQ(hasher.verify("", *mixed_hash), false);
}

TEST(PasswordHasher, AStoredValueInAnotherFormatIsAMismatchNotAnError) {
  PasswordHasher hasher;
  using namespace std::literals;
  for (std::string_view stored : {""sv, "plaintext"sv, "$2b$10$abcdefghijklmnopqrstuu"sv,
                                  "$argon2id$v=19$garbage"sv, "$argon2id$v=19$m=19456,t=2,p=1$\0x"sv}) {
    auto verified = hasher.verify("password", stored);
    ASSERT_TRUE(verified);
    EXPECT_FALSE(*verified);
  }
}

TEST(PasswordHasher, AsksForARehashWhenTheCostRises) {
  PasswordHasher current;
  auto stored = current.hash("correct horse battery staple");
  ASSERT_TRUE(stored);
  EXPECT_FALSE(current.needs_rehash(*stored));
  PasswordHasher more_passes(PasswordHasherOptions{.opslimit = 3});
  EXPECT_TRUE(more_passes.needs_rehash(*stored));
  PasswordHasher more_memory(PasswordHasherOptions{.memlimit_bytes = 32 * 1024 * 1024});
  EXPECT_TRUE(more_memory.needs_rehash(*stored));
  EXPECT_TRUE(current.needs_rehash("not a hash"));
}

TEST(PasswordHasher, RefusesACostBelowTheFloor) {
  EXPECT_THROW(PasswordHasher(PasswordHasherOptions{.memlimit_bytes = 19 * 1024 * 1024 - 1}), ConfigError);
  EXPECT_THROW(PasswordHasher(PasswordHasherOptions{.opslimit = 1}), ConfigError);
  EXPECT_THROW(PasswordHasher(PasswordHasherOptions{.max_concurrent_hashes = 0}), ConfigError);
}

TEST(PasswordHasher, RefusesOverlongPasswordsWithoutHashing) {
  PasswordHasher hasher;
  auto hashed = hasher.hash(std::string(PasswordHasher::kMaxPasswordBytes + 1, 'x'));
  ASSERT_FALSE(hashed);
  EXPECT_EQ(hashed.error().code, ErrorCode::kInvalidArgument);
  auto stored = hasher.hash("correct horse battery staple");
  ASSERT_TRUE(stored);
  EXPECT_EQ(hasher.verify(std::string(PasswordHasher::kMaxPasswordBytes + 1, 'x'), *stored), false);
}

TEST(PasswordHasher, RefusesWorkBeyondTheConcurrencyBound) {
  PasswordHasher hasher(PasswordHasherOptions{.max_concurrent_hashes = 1, .max_waiting = 0});
  auto stored = hasher.hash("correct horse battery staple");
  ASSERT_TRUE(stored);
  {
    // Another login holds the only slot.
    auto busy = hasher.limiter().acquire("held by the test");
    ASSERT_TRUE(busy);
    auto hashed = hasher.hash("another password");
    ASSERT_FALSE(hashed);
    EXPECT_EQ(hashed.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(hashed.error().message, "too many password checks in progress");
    auto verified = hasher.verify("correct horse battery staple", *stored);
    ASSERT_FALSE(verified);
    EXPECT_EQ(verified.error().code, ErrorCode::kUnavailable);
    auto dummy = hasher.dummy_verify("whatever");
    ASSERT_FALSE(dummy);
    EXPECT_EQ(dummy.error().code, ErrorCode::kUnavailable);
  }
  EXPECT_EQ(hasher.verify("correct horse battery staple", *stored), true);
}

TEST(PasswordHasher, DummyVerifySpendsAVerification) {
  PasswordHasher hasher;
  EXPECT_TRUE(hasher.dummy_verify("some password"));
  EXPECT_TRUE(hasher.dummy_verify(std::string(5000, 'x')));
  EXPECT_EQ(hasher.limiter().active(), 0U);
}

}  // namespace
}  // namespace personae::security
