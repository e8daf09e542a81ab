#include "adapters/media/demo_art.hpp"

#include <gtest/gtest.h>

#include <vips/vips8>

#include "adapters/media/vips_support.hpp"

namespace personae::media {
namespace {

vips::VImage decode(const std::string& png) {
  return vips::VImage::new_from_buffer(png.data(), png.size(), "").copy_memory();
}

TEST(DemoArtTest, DrawsAPngOfTheAskedSizeWithTheGradientAndTheTitle) {
  DemoArt art;
  art.width = 320;
  art.height = 400;
  art.title = "Luna <Vale> & co";
  const auto png = render_demo_art(art);
  ASSERT_TRUE(png.has_value()) << png.error().message;
  ASSERT_EQ(png->substr(1, 3), "PNG");
  const auto image = decode(*png);
  EXPECT_EQ(image.width(), 320);
  EXPECT_EQ(image.height(), 400);
  EXPECT_EQ(image.bands(), 3);
  // Top-left is near the top colour, bottom-left near the bottom colour (discs only lighten).
  const auto top = image.getpoint(0, 0);
  const auto bottom = image.getpoint(0, 399);
  EXPECT_GE(top[0], art.top[0]);
  EXPECT_GE(bottom[0], art.bottom[0] - 1);
  EXPECT_LT(top[0], bottom[0]);
  // The title is white somewhere in the middle band.
  const auto middle = image.extract_area(0, 150, 320, 100);
  EXPECT_GE(middle.max(), 250);
}

TEST(DemoArtTest, IsDeterministicAndTheSeedChangesThePicture) {
  DemoArt art;
  art.width = 128;
  art.height = 128;
  art.title = "A";
  const auto first = render_demo_art(art);
  const auto again = render_demo_art(art);
  ASSERT_TRUE(first && again);
  EXPECT_EQ(*first, *again);
  art.seed = 2;
  EXPECT_NE(*render_demo_art(art), *first);
}

TEST(DemoArtTest, RefusesImpossibleSizesAndLongTitles) {
  DemoArt art;
  art.width = 10;
  EXPECT_EQ(render_demo_art(art).error().code, ErrorCode::kInvalidArgument);
  art.width = 200;
  art.title = std::string(300, 'x');
  EXPECT_EQ(render_demo_art(art).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace personae::media
