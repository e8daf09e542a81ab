#include "adapters/media/provenance.hpp"

#include <algorithm>
#include <mutex>
#include <utility>

#include <glib.h>
#include <exiv2/exiv2.hpp>

#include "observability/log.hpp"

namespace personae::media {
namespace {

// IIM (IPTC) text fields are at most 32 bytes: cut on a UTF-8 character boundary.
std::string iim_field(std::string_view text, std::size_t max_bytes = 32) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
  return std::string(text.substr(0, end));
}

std::mutex& xmp_toolkit_mutex() {
  static std::mutex mutex;
  return mutex;
}

void lock_xmp_toolkit(void* data, bool lock) {
  auto* mutex = static_cast<std::mutex*>(data);
  if (lock) {
    mutex->lock();
  } else {
    mutex->unlock();
  }
}

// XMP is XML: text must be UTF-8 without control characters, or the packet is unreadable.
bool xml_safe(std::string_view text) {
  if (g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr) == 0) return false;
  return std::none_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

void forward_exiv2_message(int level, const char* message) {
  log::debug("exiv2", {{"level", level}, {"message", message != nullptr ? message : ""}});
}

}  // namespace

void start_exiv2() {
  static std::once_flag once;
  std::call_once(once, [] {
    Exiv2::LogMsg::setHandler(forward_exiv2_message);
    Exiv2::XmpParser::initialize(lock_xmp_toolkit, &xmp_toolkit_mutex());
  });
}

Result<std::string> write_provenance(std::string_view encoded, MediaType format,
                                     const Provenance& provenance) {
  if (!is_image(format))
    return make_error(ErrorCode::kInvalidArgument, "provenance is written into images only");
  if (provenance.digital_source_type.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "the digital source type is required");
  }
  for (const std::string* field :
       {&provenance.digital_source_type, &provenance.persona, &provenance.generator, &provenance.credit}) {
    if (!xml_safe(*field)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "the provenance fields must be UTF-8 text without control characters");
    }
  }
  start_exiv2();
  try {
    auto image = Exiv2::ImageFactory::open(reinterpret_cast<const Exiv2::byte*>(encoded.data()),
                                           static_cast<long>(encoded.size()));
    if (image.get() == nullptr) return make_error(ErrorCode::kInternal, "the image could not be labelled");
    image->readMetadata();
    image->clearMetadata();

    Exiv2::XmpData xmp;
    xmp["Xmp.iptcExt.DigitalSourceType"] = provenance.digital_source_type;
    if (!provenance.persona.empty()) xmp["Xmp.dc.creator"] = provenance.persona;
    if (!provenance.generator.empty()) xmp["Xmp.xmp.CreatorTool"] = provenance.generator;
    if (!provenance.credit.empty()) xmp["Xmp.photoshop.Credit"] = provenance.credit;
    image->setXmpData(xmp);
    image->writeXmpFromPacket(false);

    if (image->supportsMetadata(Exiv2::mdIptc)) {
      Exiv2::IptcData iptc;
      iptc["Iptc.Envelope.CharacterSet"] = "\x1b%G";  // ISO 2022 escape for UTF-8
      if (!provenance.persona.empty()) iptc["Iptc.Application2.Byline"] = iim_field(provenance.persona);
      if (!provenance.generator.empty()) iptc["Iptc.Application2.Program"] = iim_field(provenance.generator);
      if (!provenance.credit.empty()) iptc["Iptc.Application2.Credit"] = iim_field(provenance.credit);
      image->setIptcData(iptc);
    }
    image->writeMetadata();

    Exiv2::BasicIo& io = image->io();
    io.seek(0, Exiv2::BasicIo::beg);
    const Exiv2::DataBuf written = io.read(static_cast<long>(io.size()));
    if (written.size_ <= 0)
      return make_error(ErrorCode::kInternal, "the image could not be labelled", "empty output");
    return std::string(reinterpret_cast<const char*>(written.pData_),
                       static_cast<std::size_t>(written.size_));
  } catch (const Exiv2::AnyError& error) {
    return make_error(ErrorCode::kInternal, "the image could not be labelled",
                      std::string("exiv2: ") + error.what());
  }
}

}  // namespace personae::media
