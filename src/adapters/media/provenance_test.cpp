#include "adapters/media/provenance.hpp"

#include <gtest/gtest.h>

#include "adapters/media/test_images.hpp"
#include "adapters/media/vips_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::media {
namespace {

constexpr const char* kAiGenerated = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";

class ProvenanceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { start_vips(); }

  nlohmann::json read_back(const std::string& bytes, std::string_view extension) {
    const auto file = dir_.path() / ("labelled" + std::string(extension));
    testing::write_file(file, bytes);
    return testing::exiftool(file);
  }

  personae::testing::TempDir dir_;
  Provenance provenance_{
      .persona = "Luna Vale", .generator = "ComfyUI sdxl-base-1.0", .credit = "AI-generated image"};
};

TEST_F(ProvenanceTest, WritesTheDisclosureIntoJpegAndRemovesEverythingElse) {
  const std::string source =
      testing::with_camera_metadata(testing::encode_jpeg(testing::photo_like(64, 48, 1)));
  ASSERT_TRUE(read_back(source, ".jpg").contains("GPS:GPSLatitude"));  // the fixture does carry GPS

  const auto labelled = write_provenance(source, MediaType::kJpeg, provenance_);
  ASSERT_TRUE(labelled) << labelled.error().detail;
  const auto tags = read_back(*labelled, ".jpg");
  EXPECT_EQ(tags.value("XMP-iptcExt:DigitalSourceType", ""), kAiGenerated);
  EXPECT_EQ(tags.value("XMP-dc:Creator", ""), "Luna Vale");
  EXPECT_EQ(tags.value("XMP-xmp:CreatorTool", ""), "ComfyUI sdxl-base-1.0");
  EXPECT_EQ(tags.value("XMP-photoshop:Credit", ""), "AI-generated image");
  EXPECT_EQ(tags.value("IPTC:By-line", ""), "Luna Vale");
  EXPECT_EQ(tags.value("IPTC:Credit", ""), "AI-generated image");
  EXPECT_EQ(tags.value("IPTC:OriginatingProgram", ""), "ComfyUI sdxl-base-1.0");
  for (const auto& [key, value] : tags.items()) {
    EXPECT_FALSE(key.starts_with("GPS:") || key.starts_with("IFD0:") || key.starts_with("ExifIFD:"))
        << key << " survived";
  }
  EXPECT_FALSE(tags.contains("IPTC:City"));
  EXPECT_FALSE(tags.contains("IPTC:Keywords"));
  EXPECT_FALSE(tags.contains("XMP-dc:Title"));
  EXPECT_FALSE(tags.contains("XMP-exif:GPSLatitude"));
}

TEST_F(ProvenanceTest, WritesTheDisclosureIntoPngAndWebp) {
  const vips::VImage image = testing::photo_like(40, 30, 2);
  const auto png = write_provenance(testing::encode_png(image), MediaType::kPng, provenance_);
  ASSERT_TRUE(png) << png.error().detail;
  EXPECT_EQ(read_back(*png, ".png").value("XMP-iptcExt:DigitalSourceType", ""), kAiGenerated);
  const auto webp = write_provenance(testing::encode_webp(image), MediaType::kWebp, provenance_);
  ASSERT_TRUE(webp) << webp.error().detail;
  const auto tags = read_back(*webp, ".webp");
  EXPECT_EQ(tags.value("XMP-iptcExt:DigitalSourceType", ""), kAiGenerated);
  EXPECT_EQ(tags.value("XMP-dc:Creator", ""), "Luna Vale");
  // The pixels are untouched.
  EXPECT_EQ(testing::decode(*png).width(), 40);
  EXPECT_EQ(testing::decode(*webp).height(), 30);
}

TEST_F(ProvenanceTest, KeepsUnicodeAndMarkupLiterallyAndCutsIptcOnACharacterBoundary) {
  const Provenance provenance{
      .persona = "Zoë <b>&amp; \"Friends\"</b>!!🌸🌸🌸🌸🌸", .generator = "", .credit = ""};
  const auto labelled =
      write_provenance(testing::encode_jpeg(testing::photo_like(32, 32, 3)), MediaType::kJpeg, provenance);
  ASSERT_TRUE(labelled) << labelled.error().detail;
  const auto tags = read_back(*labelled, ".jpg");
  EXPECT_EQ(tags.value("XMP-dc:Creator", ""), provenance.persona);
  const std::string byline = tags.value("IPTC:By-line", "");
  EXPECT_EQ(byline, "Zoë <b>&amp; \"Friends\"</b>!!");  // 29 bytes: the emoji would cross byte 32
  EXPECT_FALSE(tags.contains("XMP-xmp:CreatorTool"));   // empty fields are left out
  EXPECT_FALSE(tags.contains("XMP-photoshop:Credit"));
}

TEST_F(ProvenanceTest, RefusesTextThatXmpCannotCarry) {
  const std::string jpeg = testing::encode_jpeg(testing::photo_like(16, 16, 5));
  for (const std::string& persona :
       {std::string("Luna\x01Vale"), std::string("Luna \xC3("), std::string("a\nb")}) {
    Provenance provenance = provenance_;
    provenance.persona = persona;
    const auto result = write_provenance(jpeg, MediaType::kJpeg, provenance);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST_F(ProvenanceTest, RefusesDocumentsAndAnEmptySourceType) {
  const std::string jpeg = testing::encode_jpeg(testing::photo_like(16, 16, 4));
  EXPECT_EQ(write_provenance(jpeg, MediaType::kPdf, provenance_).error().code, ErrorCode::kInvalidArgument);
  Provenance unlabelled = provenance_;
  unlabelled.digital_source_type.clear();
  EXPECT_EQ(write_provenance(jpeg, MediaType::kJpeg, unlabelled).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ProvenanceTest, ReportsBytesExiv2CannotParseAsInternal) {
  const auto result = write_provenance("definitely not an image", MediaType::kJpeg, provenance_);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace personae::media
