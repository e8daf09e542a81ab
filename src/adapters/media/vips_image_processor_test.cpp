#include "adapters/media/vips_image_processor.hpp"

#include <sys/resource.h>

#include <chrono>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/media/test_images.hpp"
#include "adapters/media/vips_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::media {
namespace {

constexpr const char* kAiGenerated = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// The largest absolute difference between two same-sized images inside a rectangle.
double max_difference(const vips::VImage& a, const vips::VImage& b, int x, int y, int width, int height) {
  return (a.extract_area(x, y, width, height).cast(VIPS_FORMAT_INT) -
          b.extract_area(x, y, width, height).cast(VIPS_FORMAT_INT))
      .abs()
      .max();
}

// The error code of a result that should have failed (nullopt when it did not).
template <class T>
std::optional<ErrorCode> failure(const Result<T>& result) {
  return result ? std::nullopt : std::optional<ErrorCode>(result.error().code);
}

template <class T>
std::string failure_message(const Result<T>& result) {
  return result ? std::string("(no error)") : result.error().message;
}

Watermark text_watermark(std::string text) {
  Watermark watermark;
  watermark.text = std::move(text);
  return watermark;
}

double band_mean(const vips::VImage& image, int band, int x, int y, int width, int height) {
  return image.extract_area(x, y, width, height).extract_band(band).avg();
}

class VipsImageProcessorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { start_vips(); }

  std::filesystem::path write(const std::string& name, const std::string& bytes) {
    auto file = dir_.path() / name;
    testing::write_file(file, bytes);
    return file;
  }

  std::string refusal(const std::filesystem::path& file, std::string_view declared = {}) {
    const auto probe = processor_.inspect(file, limits_, declared);
    EXPECT_FALSE(probe.has_value()) << file;
    if (probe) return {};
    EXPECT_EQ(probe.error().code, ErrorCode::kInvalidArgument) << probe.error().message;
    return probe.error().message;
  }

  static VariantPreset preset(std::string name, int width, int height, VariantFit fit,
                              MediaType format = MediaType::kJpeg, bool watermark = true) {
    return VariantPreset{.name = std::move(name),
                         .width = width,
                         .height = height,
                         .fit = fit,
                         .format = format,
                         .quality = 85,
                         .watermark = watermark};
  }

  personae::testing::TempDir dir_;
  ImageLimits limits_;
  VipsImageProcessor processor_;
  Provenance provenance_{
      .persona = "Luna Vale", .generator = "ComfyUI sdxl-base-1.0", .credit = "AI-generated image"};
};

TEST_F(VipsImageProcessorTest, InspectsJpegPngAndWebp) {
  const vips::VImage image = testing::photo_like(320, 200, 1);
  const auto jpeg = processor_.inspect(write("a.jpg", testing::encode_jpeg(image)), limits_, "image/jpeg");
  ASSERT_TRUE(jpeg) << jpeg.error().message;
  EXPECT_EQ(jpeg->type, MediaType::kJpeg);
  EXPECT_EQ(jpeg->width, 320);
  EXPECT_EQ(jpeg->height, 200);
  // The name does not matter; the bytes do.
  const auto png = processor_.inspect(write("b.bin", testing::encode_png(image)), limits_);
  ASSERT_TRUE(png) << png.error().message;
  EXPECT_EQ(png->type, MediaType::kPng);
  const auto webp = processor_.inspect(write("c.jpg", testing::encode_webp(image)), limits_, ".webp");
  ASSERT_TRUE(webp) << webp.error().message;
  EXPECT_EQ(webp->type, MediaType::kWebp);
  EXPECT_EQ(webp->width, 320);
}

TEST_F(VipsImageProcessorTest, InspectReportsTheDisplayedSizeOfARotatedPhoto) {
  const auto file = write("rotated.jpg", testing::with_camera_metadata(
                                             testing::encode_jpeg(testing::photo_like(400, 200, 2)), 6));
  const auto probe = processor_.inspect(file, limits_);
  ASSERT_TRUE(probe) << probe.error().message;
  EXPECT_EQ(probe->width, 200);
  EXPECT_EQ(probe->height, 400);
}

TEST_F(VipsImageProcessorTest, RefusesTruncatedAndCorruptImages) {
  const vips::VImage image = testing::photo_like(600, 400, 3);
  const std::string jpeg = testing::encode_jpeg(image);
  const std::string png = testing::encode_png(image);
  const auto flipped = [](std::string bytes, std::size_t count) {
    for (std::size_t i = bytes.size() / 2; i < bytes.size() / 2 + count; ++i)
      bytes[i] = static_cast<char>(~bytes[i]);
    return bytes;
  };
  EXPECT_EQ(refusal(write("cut.jpg", jpeg.substr(0, jpeg.size() / 2))), "the image is truncated or corrupt");
  EXPECT_EQ(refusal(write("cut.png", png.substr(0, png.size() / 2))), "the image is truncated or corrupt");
  EXPECT_EQ(refusal(write("bad.png", flipped(png, 4))), "the image is truncated or corrupt");  // CRC
  // JPEG has no checksum and its Huffman codes resynchronise, so a few flipped bytes can decode
  // silently; a damaged kilobyte makes the decoder warn, and warnings refuse a JPEG by default.
  const auto bad_jpeg = write("bad.jpg", flipped(jpeg, 1024));
  EXPECT_EQ(refusal(bad_jpeg), "the image is truncated or corrupt");
  VipsImageProcessorOptions lenient_options;
  lenient_options.refuse_jpeg_warnings = false;
  VipsImageProcessor lenient(lenient_options);
  EXPECT_TRUE(lenient.inspect(bad_jpeg, limits_));
  EXPECT_EQ(refusal(write("head.jpg", jpeg.substr(0, 40))), "the image is truncated or corrupt");
  const std::string webp = testing::encode_webp(image);
  EXPECT_EQ(refusal(write("cut.webp", webp.substr(0, webp.size() / 2))), "the image is truncated or corrupt");
  // The same refusals from the other entry points.
  const auto file = write("cut2.jpg", jpeg.substr(0, jpeg.size() / 2));
  EXPECT_EQ(failure(processor_.perceptual_hash(file)), ErrorCode::kInvalidArgument);
  EXPECT_EQ(failure(processor_.sanitize_original(file, provenance_)), ErrorCode::kInvalidArgument);
  EXPECT_EQ(failure(processor_.render(file, {}, std::nullopt, provenance_, 64)), ErrorCode::kInvalidArgument);
}

TEST_F(VipsImageProcessorTest, SurvivesRandomlyDamagedFiles) {
  const vips::VImage image = testing::photo_like(96, 64, 13);
  const std::vector<std::string> originals{testing::encode_jpeg(image), testing::encode_png(image),
                                           testing::encode_webp(image)};
  std::mt19937 random(42);  // NOLINT(cert-msc32-c,cert-msc51-cpp): reproducible damage
  int refused = 0;
  for (int round = 0; round < 60; ++round) {
    std::string bytes = originals[static_cast<std::size_t>(round) % originals.size()];
    // Damage past the signature, so that the right decoder is exercised.
    std::uniform_int_distribution<std::size_t> offset(12, bytes.size() - 1);
    for (int hit = 0; hit < 1 + round % 8; ++hit) bytes[offset(random)] = static_cast<char>(random());
    if (round % 5 == 0) bytes.resize(offset(random));
    const auto file = write("damaged" + std::to_string(round), bytes);
    const auto probe = processor_.inspect(file, limits_);
    const auto rendered = processor_.render(file, {preset("square", 40, 40, VariantFit::kCover)},
                                            text_watermark("x"), provenance_, 32);
    const auto hash = processor_.perceptual_hash(file);
    for (const auto code : {failure(probe), failure(rendered), failure(hash)}) {
      EXPECT_TRUE(!code || *code == ErrorCode::kInvalidArgument) << "round " << round;
    }
    refused += probe ? 0 : 1;
  }
  EXPECT_GT(refused, 20);
}

TEST_F(VipsImageProcessorTest, RefusesADecompressionBombFromItsHeader) {
  const auto file = write("bomb.png", testing::png_declaring(50'000, 50'000));
  const long rss_before = peak_rss_kib();
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(refusal(file), "the image is 50000x50000 pixels; the limit is 100000000 pixels");
  EXPECT_EQ(failure_message(processor_.render(file, {}, std::nullopt, provenance_, 64)),
            "the image is 50000x50000 pixels; the limit is 100000000 pixels");
  EXPECT_EQ(failure(processor_.perceptual_hash(file)), ErrorCode::kInvalidArgument);
  // Refused from the header: no 7.5 GB of pixels, not even a few hundred MB.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  EXPECT_LT(peak_rss_kib() - rss_before, 64 * 1024);

  EXPECT_EQ(refusal(write("long.png", testing::png_declaring(30'000, 100))),
            "the image is 30000x100 pixels; the limit is 20000 pixels on either side");
  const ImageLimits small{.max_pixels = 1000, .max_dimension = 100};
  const auto probe =
      processor_.inspect(write("small.png", testing::encode_png(testing::solid(40, 30, 1, 2, 3))), small);
  EXPECT_EQ(failure_message(probe), "the image is 40x30 pixels; the limit is 1000 pixels");
}

TEST_F(VipsImageProcessorTest, RefusesOtherTypesWhateverTheirName) {
  EXPECT_EQ(refusal(write("cat.jpg", testing::tiny_gif()), "image/jpeg"),
            "the file is a GIF image; upload JPEG, PNG, WebP or PDF");
  EXPECT_EQ(
      refusal(write("logo.jpg", R"(<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"></svg>)")),
      "the file is an SVG image; upload JPEG, PNG, WebP or PDF");
  EXPECT_EQ(refusal(write("notes.jpg", "these are my notes, not a photo\n")),
            "the file is a text file; upload JPEG, PNG, WebP or PDF");
  EXPECT_EQ(refusal(write("empty.jpg", "")), "the file is empty");
  // A JPEG signature followed by junk is a JPEG to libmagic, and refused by the decoder.
  EXPECT_EQ(
      refusal(write("junk.jpg", std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11) + std::string(300, 'x'))),
      "the image is truncated or corrupt");
}

TEST_F(VipsImageProcessorTest, RefusesAFileDeclaredAsAnotherType) {
  const auto file = write("photo.png", testing::encode_jpeg(testing::photo_like(64, 64, 4)));
  EXPECT_EQ(refusal(file, "image/png"), "the file is a JPEG image but was declared as image/png");
  EXPECT_EQ(refusal(file, ".webp"), "the file is a JPEG image but was declared as .webp");
  EXPECT_TRUE(processor_.inspect(file, limits_, "image/jpeg"));
  EXPECT_TRUE(processor_.inspect(file, limits_, "application/octet-stream"));
}

TEST_F(VipsImageProcessorTest, AcceptsAWellFormedPdfWithoutRenderingIt) {
  const auto pdf = write("doc.pdf",
                         "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                         "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
                         "trailer\n<< /Root 1 0 R >>\n%%EOF\n");
  const auto probe = processor_.inspect(pdf, limits_, "application/pdf");
  ASSERT_TRUE(probe) << probe.error().message;
  EXPECT_EQ(probe->type, MediaType::kPdf);
  EXPECT_EQ(probe->width, 0);
  EXPECT_EQ(probe->height, 0);
  EXPECT_EQ(refusal(pdf, "image/jpeg"), "the file is a PDF document but was declared as image/jpeg");
  EXPECT_EQ(refusal(write("cut.pdf", "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")),
            "the PDF document is truncated or corrupt");
  EXPECT_EQ(failure(processor_.render(pdf, {}, std::nullopt, provenance_, 64)), ErrorCode::kInvalidArgument);
  EXPECT_EQ(failure(processor_.sanitize_original(pdf, provenance_)), ErrorCode::kInvalidArgument);
  EXPECT_EQ(failure(processor_.perceptual_hash(pdf)), ErrorCode::kInvalidArgument);
}

TEST_F(VipsImageProcessorTest, RendersExactCoverSizesContainBoxesAndAThumbnail) {
  const auto file = write("portrait.jpg", testing::encode_jpeg(testing::photo_like(1200, 1600, 5)));
  const std::vector<VariantPreset> presets{
      preset("instagram_portrait", 1080, 1350, VariantFit::kCover),
      preset("x_landscape", 1600, 900, VariantFit::kCover, MediaType::kWebp),  // enlarged, then cropped
      preset("reddit", 1000, 1000, VariantFit::kContain, MediaType::kPng),
      preset("big_box", 4000, 4000, VariantFit::kContain),  // never enlarged
  };
  const auto rendered = processor_.render(file, presets, std::nullopt, provenance_, 320);
  ASSERT_TRUE(rendered) << rendered.error().message << " " << rendered.error().detail;
  ASSERT_EQ(rendered->size(), 5U);
  const std::vector<std::tuple<std::string, int, int, MediaType>> expected{
      {"instagram_portrait", 1080, 1350, MediaType::kJpeg},
      {"x_landscape", 1600, 900, MediaType::kWebp},
      {"reddit", 750, 1000, MediaType::kPng},
      {"big_box", 1200, 1600, MediaType::kJpeg},
      {"thumbnail", 240, 320, MediaType::kJpeg}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& [name, width, height, format] = expected[i];
    const RenderedImage& out = (*rendered)[i];
    EXPECT_EQ(out.name, name);
    EXPECT_EQ(out.format, format) << name;
    EXPECT_EQ(out.width, width) << name;
    EXPECT_EQ(out.height, height) << name;
    const vips::VImage decoded = testing::decode(out.bytes);
    EXPECT_EQ(decoded.width(), width) << name;
    EXPECT_EQ(decoded.height(), height) << name;
    EXPECT_EQ(decoded.bands(), 3) << name;
  }
}

TEST_F(VipsImageProcessorTest, ShrinksOnLoadForSmallVariantsOfARotatedPhoto) {
  // Stored 2400x1600 with orientation 6: displayed 1600x2400. The variants need at most 1/5 of
  // it, so the JPEG is decoded at 1/4 (600x400) and turned upright.
  const auto file = write(
      "big.jpg", testing::with_camera_metadata(testing::encode_jpeg(testing::photo_like(2400, 1600, 14)), 6));
  const auto rendered = processor_.render(
      file, {preset("tall", 300, 450, VariantFit::kCover), preset("box", 200, 200, VariantFit::kContain)},
      text_watermark("@luna"), provenance_, 100);
  ASSERT_TRUE(rendered) << rendered.error().message;
  ASSERT_EQ(rendered->size(), 3U);
  const std::vector<std::pair<int, int>> sizes{{300, 450}, {133, 200}, {67, 100}};
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const vips::VImage decoded = testing::decode((*rendered)[i].bytes);
    EXPECT_EQ(decoded.width(), sizes[i].first) << (*rendered)[i].name;
    EXPECT_EQ(decoded.height(), sizes[i].second) << (*rendered)[i].name;
  }
}

TEST_F(VipsImageProcessorTest, SmartCropKeepsTheSalientRegion) {
  // A plain grey field with one vivid square far to the right: a centre crop would miss it.
  const vips::VImage background = testing::solid(1000, 500, 90, 90, 90);
  const vips::VImage scene = background.insert(testing::solid(100, 100, 255, 220, 0), 820, 200);
  const auto file = write("scene.png", testing::encode_png(scene));
  const auto rendered = processor_.render(
      file, {preset("square", 300, 300, VariantFit::kCover, MediaType::kPng)}, std::nullopt, provenance_, 64);
  ASSERT_TRUE(rendered) << rendered.error().message;
  const vips::VImage square = testing::decode(rendered->front().bytes);
  ASSERT_EQ(square.width(), 300);
  // Yellow: much more red than blue somewhere in the crop.
  const vips::VImage yellowness = square.extract_band(0).cast(VIPS_FORMAT_INT) - square.extract_band(2);
  EXPECT_GT(yellowness.max(), 150);
}

TEST_F(VipsImageProcessorTest, WatermarkChangesOnlyTheChosenCorner) {
  const auto file = write("field.png", testing::encode_png(testing::photo_like(800, 800, 6)));
  const std::vector<VariantPreset> presets{
      preset("plain", 600, 600, VariantFit::kCover, MediaType::kPng, false),
      preset("marked", 600, 600, VariantFit::kCover, MediaType::kPng, true)};
  for (const auto position : {WatermarkPosition::kBottomRight, WatermarkPosition::kTopLeft}) {
    const Watermark watermark{.text = "@luna.vale",
                              .logo = std::nullopt,
                              .position = position,
                              .opacity = 0.8,
                              .relative_size = 0.06};
    const auto rendered = processor_.render(file, presets, watermark, provenance_, 64);
    ASSERT_TRUE(rendered) << rendered.error().message << " " << rendered.error().detail;
    const vips::VImage plain = testing::decode((*rendered)[0].bytes);
    const vips::VImage marked = testing::decode((*rendered)[1].bytes);
    const bool bottom_right = position == WatermarkPosition::kBottomRight;
    const int marked_x = bottom_right ? 300 : 0;
    const int marked_y = bottom_right ? 300 : 0;
    EXPECT_GT(max_difference(plain, marked, marked_x, marked_y, 300, 300), 60);
    for (const auto& [x, y] : std::vector<std::pair<int, int>>{{0, 0}, {300, 0}, {0, 300}, {300, 300}}) {
      if (x == marked_x && y == marked_y) continue;
      EXPECT_EQ(max_difference(plain, marked, x, y, 300, 300), 0) << "quadrant " << x << "," << y;
    }
  }
}

TEST_F(VipsImageProcessorTest, WatermarkCanBeALogoWithAlpha) {
  const vips::VImage logo = testing::solid(64, 64, 255, 0, 0, true, 255)
                                .insert(testing::solid(32, 32, 0, 0, 0, true, 0), 16, 16);  // a red ring
  const auto logo_file = write("logo.png", testing::encode_png(logo));
  const auto file = write("grey.png", testing::encode_png(testing::solid(500, 500, 128, 128, 128)));
  const Watermark watermark{.text = "",
                            .logo = logo_file,
                            .position = WatermarkPosition::kTopLeft,
                            .opacity = 1.0,
                            .relative_size = 0.2};
  const auto rendered = processor_.render(
      file, {preset("square", 500, 500, VariantFit::kCover, MediaType::kPng)}, watermark, provenance_, 64);
  ASSERT_TRUE(rendered) << rendered.error().message << " " << rendered.error().detail;
  const vips::VImage out = testing::decode(rendered->front().bytes);
  // 100 px wide at a 10 px margin: red ring, grey (transparent) hole, untouched elsewhere.
  EXPECT_GT(band_mean(out, 0, 15, 15, 10, 10), 240);
  EXPECT_LT(band_mean(out, 1, 15, 15, 10, 10), 15);
  EXPECT_NEAR(band_mean(out, 0, 50, 50, 20, 20), 128, 3);
  EXPECT_NEAR(band_mean(out, 0, 300, 300, 100, 100), 128, 1);

  Watermark missing = watermark;
  missing.logo = dir_.path() / "absent.png";
  const std::vector<VariantPreset> marked{preset("square", 500, 500, VariantFit::kCover, MediaType::kPng)};
  EXPECT_EQ(failure(processor_.render(file, marked, missing, provenance_, 64)), ErrorCode::kInternal);
  Watermark not_an_image = watermark;
  not_an_image.logo = write("logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
  EXPECT_EQ(failure(processor_.render(file, marked, not_an_image, provenance_, 64)),
            ErrorCode::kInvalidArgument);
}

TEST_F(VipsImageProcessorTest, AReplacedLogoIsNotServedFromTheOverlayCache) {
  const auto logo_file = dir_.path() / "logo.png";
  const auto file = write("grey.png", testing::encode_png(testing::solid(300, 300, 128, 128, 128)));
  const Watermark watermark{.text = "",
                            .logo = logo_file,
                            .position = WatermarkPosition::kTopLeft,
                            .opacity = 1.0,
                            .relative_size = 0.2};
  const std::vector<VariantPreset> presets{preset("square", 300, 300, VariantFit::kCover, MediaType::kPng)};
  const auto corner_colour = [&] {
    const auto rendered = processor_.render(file, presets, watermark, provenance_, 64);
    EXPECT_TRUE(rendered) << (rendered ? "" : rendered.error().message);
    const vips::VImage out = testing::decode(rendered.value().front().bytes);
    return std::vector<double>{band_mean(out, 0, 20, 20, 10, 10), band_mean(out, 2, 20, 20, 10, 10)};
  };
  testing::write_file(logo_file, testing::encode_png(testing::solid(40, 40, 255, 0, 0, true)));
  EXPECT_EQ(corner_colour(), (std::vector<double>{255, 0}));
  EXPECT_EQ(corner_colour(), (std::vector<double>{255, 0}));  // from the cache
  testing::write_file(logo_file, testing::encode_png(testing::solid(41, 41, 0, 0, 255, true)));
  EXPECT_EQ(corner_colour(), (std::vector<double>{0, 255}));
}

TEST_F(VipsImageProcessorTest, EveryOutputDropsCameraMetadataAndCarriesProvenance) {
  const auto file = write(
      "camera.jpg", testing::with_camera_metadata(testing::encode_jpeg(testing::photo_like(900, 700, 7)), 1));
  ASSERT_TRUE(testing::exiftool(file).contains("GPS:GPSLatitude"));
  const Watermark watermark = text_watermark("@luna.vale");
  const auto rendered = processor_.render(file,
                                          {preset("story", 540, 960, VariantFit::kCover),
                                           preset("web", 500, 500, VariantFit::kContain, MediaType::kWebp),
                                           preset("lossless", 300, 300, VariantFit::kCover, MediaType::kPng)},
                                          watermark, provenance_, 128);
  ASSERT_TRUE(rendered) << rendered.error().message << " " << rendered.error().detail;
  std::vector<RenderedImage> outputs = *rendered;
  const auto original = processor_.sanitize_original(file, provenance_);
  ASSERT_TRUE(original) << original.error().message;
  EXPECT_EQ(original->width, 900);
  outputs.push_back(*original);
  for (const RenderedImage& out : outputs) {
    const auto path = write(out.name + std::string(file_extension(out.format)), out.bytes);
    const auto tags = testing::exiftool(path);
    EXPECT_EQ(tags.value("XMP-iptcExt:DigitalSourceType", ""), kAiGenerated) << out.name;
    EXPECT_EQ(tags.value("XMP-dc:Creator", ""), "Luna Vale") << out.name;
    EXPECT_EQ(tags.value("XMP-xmp:CreatorTool", ""), "ComfyUI sdxl-base-1.0") << out.name;
    for (const auto& [key, value] : tags.items()) {
      EXPECT_FALSE(key.starts_with("GPS:") || key.starts_with("IFD0:") || key.starts_with("ExifIFD:") ||
                   key.starts_with("XMP-exif:") || key == "IPTC:City" || key == "XMP-dc:Title")
          << out.name << ": " << key << " survived";
    }
  }
}

TEST_F(VipsImageProcessorTest, ConvertsCmykAndProfiledImagesToPlainSrgb) {
  // A CMYK JPEG carrying its ICC profile, as print workflows export them.
  const vips::VImage cmyk =
      testing::photo_like(300, 200, 15)
          .icc_transform("cmyk",
                         vips::VImage::option()->set("input_profile", "srgb")->set("embedded", false));
  ASSERT_EQ(cmyk.bands(), 4);
  const auto file = write("print.jpg", testing::encode_jpeg(cmyk));
  ASSERT_TRUE(testing::exiftool(file).contains("ICC-header:ColorSpaceData"));
  const auto rendered =
      processor_.render(file, {preset("web", 150, 100, VariantFit::kCover)}, std::nullopt, provenance_, 64);
  ASSERT_TRUE(rendered) << rendered.error().message << " " << rendered.error().detail;
  const auto original = processor_.sanitize_original(file, provenance_);
  ASSERT_TRUE(original) << original.error().message << " " << original.error().detail;
  for (const RenderedImage& out : {rendered->front(), *original}) {
    const vips::VImage decoded = testing::decode(out.bytes);
    EXPECT_EQ(decoded.bands(), 3) << out.name;
    EXPECT_EQ(decoded.interpretation(), VIPS_INTERPRETATION_sRGB) << out.name;
    const auto tags = testing::exiftool(write(out.name + ".jpg", out.bytes));
    for (const auto& [key, value] : tags.items())
      EXPECT_FALSE(key.starts_with("ICC")) << out.name << ": " << key;
  }
  // Roughly the same colours after the round trip through CMYK.
  const vips::VImage back = testing::decode(original->bytes);
  EXPECT_NEAR(back.avg(), testing::photo_like(300, 200, 15).avg(), 12);
}

TEST_F(VipsImageProcessorTest, AutorotatesFromTheExifOrientation) {
  // Stored landscape, left half red; orientation 6 means "turn 90 degrees clockwise to view", so
  // the left edge becomes the top.
  const vips::VImage stored =
      testing::solid(400, 200, 0, 0, 255).insert(testing::solid(200, 200, 255, 0, 0), 0, 0);
  const auto file = write("turned.jpg", testing::with_camera_metadata(testing::encode_jpeg(stored), 6));
  const auto original = processor_.sanitize_original(file, provenance_);
  ASSERT_TRUE(original) << original.error().message;
  const vips::VImage upright = testing::decode(original->bytes);
  ASSERT_EQ(upright.width(), 200);
  ASSERT_EQ(upright.height(), 400);
  EXPECT_GT(band_mean(upright, 0, 50, 20, 100, 100), 200);   // red on top
  EXPECT_GT(band_mean(upright, 2, 50, 280, 100, 100), 200);  // blue below
  EXPECT_FALSE(testing::exiftool(write("upright.jpg", original->bytes)).contains("IFD0:Orientation"));

  const auto rendered =
      processor_.render(file, {preset("tall", 100, 200, VariantFit::kCover)}, std::nullopt, provenance_, 50);
  ASSERT_TRUE(rendered) << rendered.error().message;
  const vips::VImage variant = testing::decode(rendered->front().bytes);
  EXPECT_GT(band_mean(variant, 0, 25, 10, 50, 50), 200);
  EXPECT_GT(band_mean(variant, 2, 25, 140, 50, 50), 200);
}

TEST_F(VipsImageProcessorTest, KeepsAlphaWhereTheFormatHasItAndFlattensOntoWhiteWhereNot) {
  const vips::VImage translucent = testing::solid(200, 200, 0, 0, 0, true, 0);  // fully transparent
  const auto file = write("clear.png", testing::encode_png(translucent));
  const auto rendered = processor_.render(file,
                                          {preset("jpeg", 100, 100, VariantFit::kCover),
                                           preset("png", 100, 100, VariantFit::kCover, MediaType::kPng)},
                                          std::nullopt, provenance_, 50);
  ASSERT_TRUE(rendered) << rendered.error().message;
  EXPECT_GT(testing::decode((*rendered)[0].bytes).avg(), 250);  // white
  const vips::VImage png = testing::decode((*rendered)[1].bytes);
  ASSERT_EQ(png.bands(), 4);
  EXPECT_EQ(png.extract_band(3).max(), 0);
  const auto original = processor_.sanitize_original(file, provenance_);
  ASSERT_TRUE(original);
  EXPECT_EQ(original->format, MediaType::kPng);
  EXPECT_EQ(testing::decode(original->bytes).bands(), 4);
}

TEST_F(VipsImageProcessorTest, PerceptualHashFindsNearDuplicatesAndSeparatesOthers) {
  const vips::VImage photo = testing::photo_like(800, 600, 8);
  const auto hash = [&](const std::string& name, const std::string& bytes) {
    const auto result = processor_.perceptual_hash(write(name, bytes));
    EXPECT_TRUE(result) << name << ": " << (result ? "" : result.error().message);
    return result.value_or(0);
  };
  const std::uint64_t base = hash("base.jpg", testing::encode_jpeg(photo, 92));
  EXPECT_LE(perceptual_distance(base, hash("requality.jpg", testing::encode_jpeg(photo, 40))), 10);
  EXPECT_LE(perceptual_distance(base, hash("resized.png", testing::encode_png(photo.resize(0.4)))), 10);
  EXPECT_LE(perceptual_distance(
                base, hash("brighter.webp", testing::encode_webp((photo + 20).cast(VIPS_FORMAT_UCHAR)))),
            10);
  EXPECT_GE(
      perceptual_distance(base, hash("other.jpg", testing::encode_jpeg(testing::photo_like(800, 600, 9)))),
      20);
  EXPECT_GE(
      perceptual_distance(base, hash("other2.jpg", testing::encode_jpeg(testing::photo_like(640, 640, 10)))),
      20);
}

TEST_F(VipsImageProcessorTest, RefusesInvalidPresetsAndWatermarks) {
  const auto file = write("ok.jpg", testing::encode_jpeg(testing::photo_like(100, 100, 11)));
  const auto code = [&](const std::vector<VariantPreset>& presets, const std::optional<Watermark>& watermark,
                        int thumbnail = 64) {
    const auto result = processor_.render(file, presets, watermark, provenance_, thumbnail);
    return result ? std::optional<ErrorCode>() : result.error().code;
  };
  EXPECT_EQ(code({preset("Bad-Name", 10, 10, VariantFit::kCover)}, std::nullopt),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code({preset("zero", 0, 10, VariantFit::kCover)}, std::nullopt), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code({preset("doc", 10, 10, VariantFit::kCover, MediaType::kPdf)}, std::nullopt),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code({}, std::nullopt, 0), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code({}, text_watermark("  ")), ErrorCode::kInvalidArgument);
  Watermark opaque_beyond_one = text_watermark("x");
  opaque_beyond_one.opacity = 1.5;
  EXPECT_EQ(code({}, opaque_beyond_one), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code({}, text_watermark("bad \xFF utf-8")), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code({preset("fine", 10, 10, VariantFit::kCover)}, text_watermark("<b>&")), std::nullopt);
}

TEST_F(VipsImageProcessorTest, RendersFromSeveralThreadsAtOnce) {
  const auto file = write("shared.jpg", testing::encode_jpeg(testing::photo_like(1000, 800, 12)));
  const std::vector<VariantPreset> presets{preset("a", 400, 500, VariantFit::kCover),
                                           preset("b", 300, 300, VariantFit::kContain, MediaType::kWebp)};
  const Watermark watermark = text_watermark("@luna");
  const auto reference = processor_.render(file, presets, watermark, provenance_, 100);
  ASSERT_TRUE(reference) << reference.error().message;

  constexpr int kThreads = 4;
  std::vector<std::vector<std::string>> results(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 2; ++round) {
        const auto rendered = processor_.render(file, presets, watermark, provenance_, 100);
        if (!rendered) {
          results[t].push_back("error: " + rendered.error().message);
          continue;
        }
        for (const auto& out : *rendered) results[t].push_back(out.bytes);
      }
      const auto hash = processor_.perceptual_hash(file);
      results[t].push_back(hash ? std::to_string(*hash) : "hash error");
    });
  }
  for (auto& thread : threads) thread.join();
  const std::string hash = std::to_string(processor_.perceptual_hash(file).value());
  for (const auto& result : results) {
    ASSERT_EQ(result.size(), 2 * reference->size() + 1);
    for (std::size_t i = 0; i + 1 < result.size(); ++i) {
      EXPECT_EQ(result[i], (*reference)[i % reference->size()].bytes);  // same bytes as alone
    }
    EXPECT_EQ(result.back(), hash);
  }
}

}  // namespace
}  // namespace personae::media
