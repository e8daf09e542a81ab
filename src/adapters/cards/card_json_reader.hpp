#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

/// Internal to personae_cards: strict JSON parsing and typed reads that name the JSON path of the
/// first problem. Everything here throws CardRejected; the public functions turn it into an Error.
namespace personae::cards::detail {

/// The first problem found in a card; `message` is client-facing.
struct CardRejected {
  std::string message;
};

[[noreturn]] void reject(std::string message);

/// Parses `text` with the card rules: at most kMaxCardJsonBytes, valid UTF-8, nesting at most
/// kMaxCardJsonDepth, no key repeated within one object, finite numbers only.
nlohmann::json parse_strict_json(std::string_view text);

/// "data" + "name" -> "data.name"; "" + "spec" -> "spec". A key that is not a plain identifier is
/// written quoted and shortened: data["a b"].
std::string child_path(std::string_view path, std::string_view key);
/// "data.tags" + 3 -> "data.tags[3]".
std::string index_path(std::string_view path, std::size_t index);
/// `text` as a JSON string literal, cut to a few characters ("\"abc…\""), for messages.
std::string excerpt(std::string_view text);

/// Reads of one JSON value; `path` names it in the message when it has the wrong type or size.
std::string read_text(const nlohmann::json& value, const std::string& path, std::size_t max_chars);
std::vector<std::string> read_text_list(const nlohmann::json& value, const std::string& path,
                                        std::size_t max_items, std::size_t max_chars);
bool read_bool(const nlohmann::json& value, const std::string& path);
std::int64_t read_int64(const nlohmann::json& value, const std::string& path);
int read_int(const nlohmann::json& value, const std::string& path);
double read_number(const nlohmann::json& value, const std::string& path);

/// One JSON object being read: each known key is taken once, and what nobody took is rest().
/// A null value counts as absent. Keeps a reference to the value, which must outlive it.
class ObjectReader {
 public:
  /// Rejects "<path>: expected an object" unless `value` is an object.
  ObjectReader(const nlohmann::json& value, std::string path);

  /// The value of `key` (marked as taken), or nullptr when it is absent or null.
  const nlohmann::json* take(std::string_view key);
  /// Like take(), but "<path>.<key>: required" when absent or null.
  const nlohmann::json& require(std::string_view key);

  std::optional<std::string> text(std::string_view key, std::size_t max_chars);
  std::optional<std::vector<std::string>> text_list(std::string_view key, std::size_t max_items,
                                                    std::size_t max_chars);
  std::optional<bool> boolean(std::string_view key);
  std::optional<int> integer(std::string_view key);
  std::optional<std::int64_t> integer64(std::string_view key);
  std::optional<double> number(std::string_view key);

  /// The keys nobody took (null values included), as an object.
  nlohmann::json rest() const;
  /// Rejects "<path>.<key>: unknown field" for the first key nobody took.
  void reject_unknown() const;

  const std::string& path() const { return path_; }
  std::string path_of(std::string_view key) const { return child_path(path_, key); }

 private:
  const nlohmann::json& object_;
  std::string path_;
  std::vector<std::string> taken_;
};

/// Serialises an object of sections ({"card": {...}, ...}), leaving out empty ones; "{}" when all
/// are empty. Invalid UTF-8 is replaced rather than thrown on.
std::string dump_sections(const nlohmann::json& sections);
/// The object stored by dump_sections; an empty object when `text` is not a JSON object.
nlohmann::json load_sections(std::string_view text);
/// The object at `section` of `sections`, or an empty object.
nlohmann::json section(const nlohmann::json& sections, std::string_view name);

/// Serialises for output: compact, invalid UTF-8 replaced.
std::string dump_json(const nlohmann::json& value);

}  // namespace personae::cards::detail
