#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <vips/vips8>

// Test images made at run time (nothing binary is committed) and an independent reader (exiftool).
namespace personae::media::testing {

/// A photo-like sRGB image: smooth Perlin structure per channel, a gradient and fine grain. The
/// same seed gives the same pixels; another seed an unrelated picture.
vips::VImage photo_like(int width, int height, int seed);

/// A plain image of one colour (3 bands, or 4 with `alpha`).
vips::VImage solid(int width, int height, std::uint8_t r, std::uint8_t g, std::uint8_t b, bool alpha = false,
                   std::uint8_t a = 255);

std::string encode_jpeg(const vips::VImage& image, int quality = 90);
std::string encode_png(const vips::VImage& image);
std::string encode_webp(const vips::VImage& image, int quality = 85);
/// Decodes JPEG, PNG or WebP bytes (fully, into memory).
vips::VImage decode(const std::string& bytes);

void write_file(const std::filesystem::path& path, std::string_view bytes);
std::string read_file(const std::filesystem::path& path);

/// `jpeg` with camera EXIF (Make, Model, date, the given orientation), GPS coordinates, IPTC
/// (city, keywords) and XMP (title, GPS) added by exiv2.
std::string with_camera_metadata(const std::string& jpeg, int orientation = 1);

/// A PNG whose IHDR declares `width` x `height` (8-bit RGB) with correct CRCs and a tiny IDAT:
/// what a decompression bomb's header looks like.
std::string png_declaring(std::uint32_t width, std::uint32_t height);

/// A 1x1 GIF89a.
std::string tiny_gif();

/// `exiftool -j -G1 -a FILE`: the object of tags ("GPS:GPSLatitude", "XMP-iptcExt:DigitalSourceType").
nlohmann::json exiftool(const std::filesystem::path& file);

}  // namespace personae::media::testing
