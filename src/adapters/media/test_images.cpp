#include "adapters/media/test_images.hpp"

#include <array>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <zlib.h>
#include <exiv2/exiv2.hpp>

#include "tests/support/child_process.hpp"

namespace personae::media::testing {
namespace {

std::string take_blob(VipsBlob* blob) {
  std::size_t size = 0;
  const void* data = vips_blob_get(blob, &size);
  std::string bytes(static_cast<const char*>(data), size);
  vips_area_unref(VIPS_AREA(blob));
  return bytes;
}

void put_u32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xFFU);
}

void put_chunk(std::string& out, std::string_view type, std::string_view data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  const std::string body = std::string(type) + std::string(data);
  out += body;
  put_u32(out, static_cast<std::uint32_t>(
                   crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
}

}  // namespace

vips::VImage photo_like(int width, int height, int seed) {
  std::vector<vips::VImage> channels;
  const vips::VImage ramp = vips::VImage::xyz(width, height)[0] * (255.0 / width);
  for (int band = 0; band < 3; ++band) {
    const vips::VImage structure = vips::VImage::perlin(
        width, height,
        vips::VImage::option()->set("cell_size", 96)->set("uchar", true)->set("seed", seed * 3 + band));
    channels.push_back(structure * 0.75 + (band == 1 ? ramp.flip(VIPS_DIRECTION_HORIZONTAL) : ramp) * 0.25);
  }
  const vips::VImage grain = vips::VImage::gaussnoise(
      width, height, vips::VImage::option()->set("sigma", 6.0)->set("mean", 0.0)->set("seed", seed));
  vips::VImage rgb = vips::VImage::bandjoin(channels) + grain;
  return rgb.cast(VIPS_FORMAT_UCHAR)
      .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB))
      .copy_memory();
}

vips::VImage solid(int width, int height, std::uint8_t r, std::uint8_t g, std::uint8_t b, bool alpha,
                   std::uint8_t a) {
  std::vector<double> colour{static_cast<double>(r), static_cast<double>(g), static_cast<double>(b)};
  if (alpha) colour.push_back(a);
  return (vips::VImage::black(width, height,
                              vips::VImage::option()->set("bands", static_cast<int>(colour.size()))) +
          colour)
      .cast(VIPS_FORMAT_UCHAR)
      .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB))
      .copy_memory();
}

std::string encode_jpeg(const vips::VImage& image, int quality) {
  return take_blob(image.jpegsave_buffer(vips::VImage::option()->set("Q", quality)));
}

std::string encode_png(const vips::VImage& image) {
  return take_blob(image.pngsave_buffer());
}

std::string encode_webp(const vips::VImage& image, int quality) {
  return take_blob(image.webpsave_buffer(vips::VImage::option()->set("Q", quality)));
}

vips::VImage decode(const std::string& bytes) {
  VipsBlob* blob = vips_blob_copy(bytes.data(), bytes.size());
  vips::VImage image;
  try {
    const std::string_view head(bytes);
    if (head.starts_with("\xFF\xD8")) {
      image = vips::VImage::jpegload_buffer(blob);
    } else if (head.starts_with("\x89PNG")) {
      image = vips::VImage::pngload_buffer(blob);
    } else {
      image = vips::VImage::webpload_buffer(blob);
    }
    image = image.copy_memory();
  } catch (...) {
    vips_area_unref(VIPS_AREA(blob));
    throw;
  }
  vips_area_unref(VIPS_AREA(blob));
  return image;
}

void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string with_camera_metadata(const std::string& jpeg, int orientation) {
  auto image = Exiv2::ImageFactory::open(reinterpret_cast<const Exiv2::byte*>(jpeg.data()),
                                         static_cast<long>(jpeg.size()));
  image->readMetadata();
  Exiv2::ExifData exif;
  exif["Exif.Image.Make"] = "Canon";
  exif["Exif.Image.Model"] = "Canon EOS R5";
  exif["Exif.Image.Orientation"] = static_cast<std::uint16_t>(orientation);
  exif["Exif.Photo.DateTimeOriginal"] = "2024:05:06 07:08:09";
  exif["Exif.Photo.BodySerialNumber"] = "012345678901";
  exif["Exif.GPSInfo.GPSVersionID"] = "2 2 0 0";
  exif["Exif.GPSInfo.GPSLatitudeRef"] = "N";
  exif["Exif.GPSInfo.GPSLatitude"] = "48/1 51/1 2400/100";
  exif["Exif.GPSInfo.GPSLongitudeRef"] = "E";
  exif["Exif.GPSInfo.GPSLongitude"] = "2/1 17/1 4000/100";
  image->setExifData(exif);
  Exiv2::IptcData iptc;
  iptc["Iptc.Application2.City"] = "Paris";
  iptc["Iptc.Application2.Keywords"] = "private";
  image->setIptcData(iptc);
  Exiv2::XmpData xmp;
  xmp["Xmp.dc.title"] = "lang=\"x-default\" Holiday at home";
  xmp["Xmp.exif.GPSLatitude"] = "48,51.4N";
  image->setXmpData(xmp);
  image->writeMetadata();
  Exiv2::BasicIo& io = image->io();
  io.seek(0, Exiv2::BasicIo::beg);
  const Exiv2::DataBuf buffer = io.read(static_cast<long>(io.size()));
  return {reinterpret_cast<const char*>(buffer.pData_), static_cast<std::size_t>(buffer.size_)};
}

std::string png_declaring(std::uint32_t width, std::uint32_t height) {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  std::string ihdr;
  put_u32(ihdr, width);
  put_u32(ihdr, height);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit, RGB, deflate, no filter, no interlace
  put_chunk(png, "IHDR", ihdr);
  // The first scanline's first bytes, compressed: a real bomb would stream zeros from here.
  const std::array<Bytef, 64> zeros{};
  std::array<Bytef, 128> compressed{};
  uLongf compressed_size = compressed.size();
  compress(compressed.data(), &compressed_size, zeros.data(), zeros.size());
  put_chunk(png, "IDAT", std::string_view(reinterpret_cast<const char*>(compressed.data()), compressed_size));
  put_chunk(png, "IEND", "");
  return png;
}

std::string tiny_gif() {
  static constexpr std::array<unsigned char, 43> kGif{
      0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xFF, 0xFF,
      0xFF, 0x00, 0x00, 0x00, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00,
      0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B};
  return {reinterpret_cast<const char*>(kGif.data()), kGif.size()};
}

nlohmann::json exiftool(const std::filesystem::path& file) {
  personae::testing::ChildProcess::Options options;
  options.arguments = {"/usr/bin/exiftool", "-j", "-G1", "-a", file.string()};
  const auto result = personae::testing::run_command(std::move(options));
  if (result.exit_status != 0) throw std::runtime_error("exiftool failed: " + result.standard_error);
  const auto parsed = nlohmann::json::parse(result.standard_output);
  if (!parsed.is_array() || parsed.size() != 1) throw std::runtime_error("unexpected exiftool output");
  return parsed[0];
}

}  // namespace personae::media::testing

// Pango's fontconfig setup (reached through vips_text for watermarks) keeps process-wide caches
// that LeakSanitizer reports at exit; their size does not grow with use. tests/lsan.supp holds the
// same line for other executables.
extern "C" const char* __lsan_default_suppressions() {  // NOLINT(bugprone-reserved-identifier)
  return "leak:libfontconfig.so\n";
}
