#include "core/crypto.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace personae {
namespace {

TEST(Sha256Hex, MatchesKnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(RandomHex, HasRequestedLengthAndDiffers) {
  const auto first = random_hex(16);
  EXPECT_EQ(first.size(), 32u);
  EXPECT_NE(first, random_hex(16));
  EXPECT_EQ(first.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equals("secret", "secret"));
  EXPECT_FALSE(constant_time_equals("secret", "secreT"));
  EXPECT_FALSE(constant_time_equals("secret", "secret1"));
  EXPECT_TRUE(constant_time_equals("", ""));
}

TEST(Sha256, StreamsAndFilesMatchTheOneShotDigest) {
  Sha256Stream stream;
  stream.update("ab");
  stream.update("c");
  EXPECT_EQ(stream.finish_hex(), sha256_hex("abc"));
  EXPECT_EQ(stream.finish_hex(), sha256_hex(""));  // it starts over
  const auto file = std::filesystem::temp_directory_path() / ("personae-sha-" + random_hex(8));
  const std::string content(200'000, 'q');
  { std::ofstream(file, std::ios::binary) << content; }
  EXPECT_EQ(sha256_file_hex(file), sha256_hex(content));
  std::filesystem::remove(file);
  EXPECT_FALSE(sha256_file_hex(file));
}

}  // namespace
}  // namespace personae
