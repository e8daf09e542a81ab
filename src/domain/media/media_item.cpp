#include "domain/media/media_item.hpp"

#include <algorithm>
#include <cctype>

#include "domain/accounts/text.hpp"

namespace personae {

std::string_view to_string(MediaKind kind) {
  return kind == MediaKind::kImage ? "image" : "document";
}

std::optional<MediaKind> parse_media_kind(std::string_view text) {
  if (text == "image") return MediaKind::kImage;
  if (text == "document") return MediaKind::kDocument;
  return std::nullopt;
}

std::string_view to_string(MediaSource source) {
  return source == MediaSource::kUpload ? "upload" : "generation";
}

std::optional<MediaSource> parse_media_source(std::string_view text) {
  if (text == "upload") return MediaSource::kUpload;
  if (text == "generation") return MediaSource::kGeneration;
  return std::nullopt;
}

const MediaVariant* MediaItem::variant(std::string_view name) const {
  const auto found =
      std::find_if(variants.begin(), variants.end(), [&](const MediaVariant& v) { return v.name == name; });
  return found == variants.end() ? nullptr : &*found;
}

std::vector<MediaCategory> default_media_categories() {
  return {{"portrait", "Portrait"},
          {"lifestyle", "Lifestyle"},
          {"fitness", "Fitness"},
          {"swimwear", "Swimwear"},
          {"lingerie", "Lingerie"},
          {"feet", "Feet"},
          {"artistic_nude", "Artistic nude"},
          {"cosplay", "Cosplay"},
          {"behind_the_scenes", "Behind the scenes"}};
}

Result<std::string> normalize_tag(std::string_view raw) {
  std::string tag(trim_ascii_whitespace(raw));
  for (char& c : tag) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto characters = utf8_code_points(tag);
  if (!characters || *characters == 0 || *characters > 40) {
    return make_error(ErrorCode::kInvalidArgument, "a tag must be 1-40 characters");
  }
  const bool allowed = std::all_of(tag.begin(), tag.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return std::isalnum(byte) != 0 || c == '_' || c == '-' || byte >= 0x80;
  });
  if (!allowed)
    return make_error(ErrorCode::kInvalidArgument, "a tag holds only letters, digits, '_' and '-'");
  return tag;
}

Result<MediaCategory> make_media_category(std::string_view name, std::string_view label) {
  const bool slug = !name.empty() && name.size() <= 40 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!slug) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a category name is 1-40 lowercase letters, digits or '_'");
  }
  const std::string trimmed(trim_ascii_whitespace(label));
  const auto characters = utf8_code_points(trimmed);
  if (!characters || *characters == 0 || *characters > 60 || has_control_character(trimmed)) {
    return make_error(ErrorCode::kInvalidArgument, "a category label is 1-60 characters on one line");
  }
  return MediaCategory{std::string(name), trimmed};
}

}  // namespace personae
