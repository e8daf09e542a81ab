#include "core/text_encoding.hpp"

#include <gtest/gtest.h>

#include "core/utf8_decode.hpp"

namespace personae {
namespace {

using namespace std::string_literals;

TEST(HexEncode, TwoLowercaseDigitsPerByte) {
  EXPECT_EQ(hex_encode(""), "");
  EXPECT_EQ(hex_encode("\x00\x0f\xa0\xff"s), "000fa0ff");
}

TEST(PercentEncode, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(percent_encode("aZ09-._~/:?"), "aZ09-._~%2F%3A%3F");
  EXPECT_EQ(percent_encode("a b@\xc3\xa9"), "a%20b%40%C3%A9");
  EXPECT_EQ(percent_encode(""), "");
}

TEST(PercentDecode, DecodesEscapesAndOptionallyPlus) {
  EXPECT_EQ(percent_decode("a%20b%2Fc%c3%a9"), "a b/c\xc3\xa9");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("%00"), "\0"s);
  EXPECT_EQ(percent_decode(percent_encode("p@ss:w/rd?%")), "p@ss:w/rd?%");
}

TEST(PercentDecode, RefusesTruncatedOrNonHexEscapes) {
  EXPECT_FALSE(percent_decode("%"));
  EXPECT_FALSE(percent_decode("%2"));
  EXPECT_FALSE(percent_decode("ab%zz"));
  EXPECT_FALSE(percent_decode("%g0"));
}

TEST(Utf8CodePoints, CountsAndRejectsInvalidSequences) {
  EXPECT_EQ(utf8_code_points(""), 0u);
  EXPECT_EQ(utf8_code_points("abc"), 3u);
  EXPECT_EQ(utf8_code_points("\xE2\x82\xAC\xF0\x9F\x98\x80"), 2u);
  EXPECT_EQ(utf8_code_points("\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x91"), 3u);
  EXPECT_EQ(utf8_code_points("\xf4\x8f\xbf\xbf"), 1u);            // U+10FFFF
  EXPECT_EQ(utf8_code_points("\xC0\xAF"), std::nullopt);          // overlong '/'
  EXPECT_EQ(utf8_code_points("\xE0\x80\xAF"), std::nullopt);      // overlong, three bytes
  EXPECT_EQ(utf8_code_points("\xED\xA0\x80"), std::nullopt);      // surrogate
  EXPECT_EQ(utf8_code_points("\xF4\x90\x80\x80"), std::nullopt);  // above U+10FFFF
  EXPECT_EQ(utf8_code_points("\xF8\x88\x80\x80\x80"), std::nullopt);
  EXPECT_EQ(utf8_code_points("\x80"), std::nullopt);
  EXPECT_EQ(utf8_code_points("\xE2\x82"), std::nullopt);
}

TEST(DecodeUtf8, ReadsOneSequenceAndItsLength) {
  const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  const auto ascii = decode_utf8(text, 0);
  ASSERT_TRUE(ascii);
  EXPECT_EQ(ascii->code_point, U'a');
  EXPECT_EQ(ascii->length, 1u);
  const auto two = decode_utf8(text, 1);
  ASSERT_TRUE(two);
  EXPECT_EQ(two->code_point, U'\u00E9');
  EXPECT_EQ(two->length, 2u);
  const auto three = decode_utf8(text, 3);
  ASSERT_TRUE(three);
  EXPECT_EQ(three->code_point, U'\u20AC');
  EXPECT_EQ(three->length, 3u);
  const auto four = decode_utf8(text, 6);
  ASSERT_TRUE(four);
  EXPECT_EQ(four->code_point, U'\U0001F600');
  EXPECT_EQ(four->length, 4u);
}

TEST(DecodeUtf8, RefusesEveryMalformedSequence) {
  EXPECT_FALSE(decode_utf8("\x80", 0));              // a continuation byte first
  EXPECT_FALSE(decode_utf8("\xFF", 0));              // never a lead byte
  EXPECT_FALSE(decode_utf8("\xE2\x82", 0));          // truncated
  EXPECT_FALSE(decode_utf8("\xC3\x28", 0));          // a bad continuation byte
  EXPECT_FALSE(decode_utf8("\xC0\xAF", 0));          // overlong '/'
  EXPECT_FALSE(decode_utf8("\xED\xA0\x80", 0));      // a surrogate
  EXPECT_FALSE(decode_utf8("\xF4\x90\x80\x80", 0));  // above U+10FFFF
}

}  // namespace
}  // namespace personae
