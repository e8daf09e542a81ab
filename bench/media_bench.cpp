// Media pipeline throughput (see bench/README.md, "Media processing"; bench/media.sh runs it).
//   personae_media_bench generate FILE               a 2048x3072 photo-like JPEG, quality 90
//   personae_media_bench run FILE SECONDS [OUT_DIR]  render it in a loop; OUT_DIR keeps the last outputs
// `run` renders the four presets below plus a 320 px thumbnail, with a text watermark and
// provenance, one image at a time (libvips uses every core inside each image), and prints
// "images=N seconds=S images_per_second=R peak_rss_kib=K".
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <sys/resource.h>

#include <chrono>

#include "adapters/media/vips_image_processor.hpp"
#include "adapters/media/vips_support.hpp"

namespace {

using personae::VariantFit;
using personae::VariantPreset;

const std::vector<VariantPreset>& presets() {
  static const std::vector<VariantPreset> kPresets{
      {.name = "instagram_portrait", .width = 1080, .height = 1350, .fit = VariantFit::kCover},
      {.name = "instagram_story", .width = 1080, .height = 1920, .fit = VariantFit::kCover},
      {.name = "x_landscape", .width = 1600, .height = 900, .fit = VariantFit::kCover},
      {.name = "reddit", .width = 1200, .height = 1600, .fit = VariantFit::kContain},
  };
  return kPresets;
}

int generate(const std::string& path) {
  personae::media::start_vips();
  constexpr int kWidth = 2048;
  constexpr int kHeight = 3072;
  // Smooth structure, a gradient and sensor-like grain: compresses like a photo, not like a flat test card.
  std::vector<vips::VImage> channels;
  channels.reserve(3);
  const vips::VImage ramp = vips::VImage::xyz(kWidth, kHeight)[1] * (255.0 / kHeight);
  for (int band = 0; band < 3; ++band) {
    channels.push_back(
        vips::VImage::perlin(
            kWidth, kHeight,
            vips::VImage::option()->set("cell_size", 256)->set("uchar", true)->set("seed", band)) *
            0.7 +
        ramp * 0.3);
  }
  const vips::VImage grain = vips::VImage::gaussnoise(
      kWidth, kHeight, vips::VImage::option()->set("sigma", 8.0)->set("mean", 0.0)->set("seed", 7));
  const vips::VImage photo =
      (vips::VImage::bandjoin(channels) + grain)
          .cast(VIPS_FORMAT_UCHAR)
          .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
  photo.jpegsave(path.c_str(), vips::VImage::option()->set("Q", 90));
  return 0;
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

int run(const std::string& path, double seconds, const std::string& out_dir) {
  personae::media::VipsImageProcessor processor;
  const personae::Watermark watermark{.text = "@luna.vale",
                                      .logo = std::nullopt,
                                      .position = personae::WatermarkPosition::kBottomRight,
                                      .opacity = 0.6,
                                      .relative_size = 0.04};
  const personae::Provenance provenance{
      .persona = "Luna Vale", .generator = "ComfyUI sdxl-base-1.0", .credit = "AI-generated image"};
  int images = 0;
  std::vector<personae::RenderedImage> last;
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + std::chrono::duration<double>(seconds);
  do {
    auto rendered = processor.render(path, presets(), watermark, provenance, 320);
    if (!rendered) {
      std::fprintf(stderr, "render failed: %s (%s)\n", rendered.error().message.c_str(),
                   rendered.error().detail.c_str());
      return 1;
    }
    last = std::move(*rendered);
    ++images;
  } while (std::chrono::steady_clock::now() < deadline);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (!out_dir.empty()) {
    for (const auto& out : last) {
      std::ofstream file(out_dir + "/" + out.name + std::string(personae::file_extension(out.format)),
                         std::ios::binary);
      file.write(out.bytes.data(), static_cast<std::streamsize>(out.bytes.size()));
    }
  }
  std::printf("images=%d seconds=%.2f images_per_second=%.2f peak_rss_kib=%ld\n", images, elapsed,
              images / elapsed, peak_rss_kib());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() == 2 && args[0] == "generate") return generate(args[1]);
    if ((args.size() == 3 || args.size() == 4) && args[0] == "run") {
      return run(args[1], std::strtod(args[2].c_str(), nullptr), args.size() == 4 ? args[3] : "");
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "personae_media_bench: %s\n", error.what());
    return 1;
  }
  std::fprintf(stderr, "usage: personae_media_bench generate FILE | run FILE SECONDS [OUT_DIR]\n");
  return 2;
}
