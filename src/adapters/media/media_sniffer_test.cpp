#include "adapters/media/media_sniffer.hpp"

#include <gtest/gtest.h>

#include "adapters/media/test_images.hpp"
#include "adapters/media/vips_support.hpp"

namespace personae::media {
namespace {

class MediaSnifferTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { start_vips(); }

  static std::string refusal(const Result<MediaType>& result) {
    EXPECT_FALSE(result.has_value());
    if (result) return {};
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    return result.error().message;
  }

  MediaSniffer sniffer_;
};

TEST_F(MediaSnifferTest, RecognisesTheAcceptedTypesFromTheirBytes) {
  const vips::VImage image = testing::solid(16, 16, 200, 100, 50);
  EXPECT_EQ(sniffer_.sniff(testing::encode_jpeg(image)), MediaType::kJpeg);
  EXPECT_EQ(sniffer_.sniff(testing::encode_png(image)), MediaType::kPng);
  EXPECT_EQ(sniffer_.sniff(testing::encode_webp(image)), MediaType::kWebp);
  EXPECT_EQ(
      sniffer_.sniff("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"),
      MediaType::kPdf);
}

TEST_F(MediaSnifferTest, RefusesOtherTypesByName) {
  EXPECT_EQ(refusal(sniffer_.sniff(testing::tiny_gif())),
            "the file is a GIF image; upload JPEG, PNG, WebP or PDF");
  EXPECT_EQ(refusal(sniffer_.sniff(R"(<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>
)")),
            "the file is an SVG image; upload JPEG, PNG, WebP or PDF");
  EXPECT_EQ(refusal(sniffer_.sniff("hello, this is not a picture\n")),
            "the file is a text file; upload JPEG, PNG, WebP or PDF");
  EXPECT_EQ(refusal(sniffer_.sniff(std::string("II*\0\x08\0\0\0\0\0\0\0\0\0\0\0", 16))),
            "the file is a TIFF image; upload JPEG, PNG, WebP or PDF");
  EXPECT_EQ(refusal(sniffer_.sniff(std::string("\0\0\0\x18"
                                               "ftypheic\0\0\0\0mif1heic",
                                               24))),
            "the file is a HEIC image; upload JPEG, PNG, WebP or PDF");
}

TEST_F(MediaSnifferTest, RefusesEmptyAndUnrecognisedBytes) {
  EXPECT_EQ(refusal(sniffer_.sniff("")), "the file is empty");
  const std::string noise("\x13\x37\xC0\xDE\x00\x01\x02\xFE\xED\xFA\xCE\x99\x42\x17\x00\x80", 16);
  EXPECT_EQ(refusal(sniffer_.sniff(noise)),
            "the file is of an unrecognised type; upload JPEG, PNG, WebP or PDF");
}

TEST(DeclaredMediaType, ReadsMimeTypesExtensionsAndFileNames) {
  EXPECT_EQ(media_type_from_declared("image/jpeg"), MediaType::kJpeg);
  EXPECT_EQ(media_type_from_declared(" IMAGE/JPEG; charset=binary"), MediaType::kJpeg);
  EXPECT_EQ(media_type_from_declared("image/jpg"), MediaType::kJpeg);
  EXPECT_EQ(media_type_from_declared(".JPG"), MediaType::kJpeg);
  EXPECT_EQ(media_type_from_declared("holiday.photo.jpeg"), MediaType::kJpeg);
  EXPECT_EQ(media_type_from_declared("png"), MediaType::kPng);
  EXPECT_EQ(media_type_from_declared("image/webp"), MediaType::kWebp);
  EXPECT_EQ(media_type_from_declared("scan.pdf"), MediaType::kPdf);
  EXPECT_EQ(media_type_from_declared("image/gif"), std::nullopt);
  EXPECT_EQ(media_type_from_declared("archive.tar.gz"), std::nullopt);
}

TEST(DeclaredMediaType, RefusesAClaimOfAnotherType) {
  EXPECT_TRUE(check_declared(MediaType::kJpeg, ""));
  EXPECT_TRUE(check_declared(MediaType::kJpeg, "application/octet-stream"));
  EXPECT_TRUE(check_declared(MediaType::kJpeg, "photo.jpg"));
  const auto mismatched = check_declared(MediaType::kJpeg, "image/png");
  ASSERT_FALSE(mismatched);
  EXPECT_EQ(mismatched.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(mismatched.error().message, "the file is a JPEG image but was declared as image/png");
  const auto unknown = check_declared(MediaType::kPng, "image/gif\r\nX-Injected: 1");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "the file is a PNG image but was declared as image/gif??X-Injected: 1");
}

}  // namespace
}  // namespace personae::media
