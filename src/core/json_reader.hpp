#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace personae {

/// "line L, column C" (1-based) of a JSON parse error at `byte` (nlohmann's parse_error::byte,
/// which counts the byte after the error), for error messages.
std::string json_error_position(std::string_view text, std::size_t byte);

/// Reads typed fields from a JSON object and collects every problem, so one error names them all
/// (HTTP answers it as a 400 with `errors`):
///
///   const auto json = parse_json_body(request);
///   JsonReader body(json);
///   auto name = body.required<std::string>("name");
///   auto limit = body.optional<std::int64_t>("limit");
///   auto address = body.object("address");
///   auto city = address.required<std::string>("city");
///   body.finish();  // HttpError 400 {errors: [{field: "address.city", message: ...}]}
///
/// Supported types: std::string, bool, int, std::int64_t, double, std::vector<std::string>,
/// nlohmann::json (any value). A wrong type, a missing required field and (at finish()) a field
/// nobody read are errors; an optional field that is null counts as absent. Values returned before
/// finish() are default-constructed where there was an error: use them only once finish() returned.
/// The reader keeps a reference to `object`, which must outlive it. Not thread-safe.
class JsonReader {
 public:
  /// Throws AppError(kInvalidArgument) when `object` is not a JSON object.
  explicit JsonReader(const nlohmann::json& object);

  template <class T>
  T required(std::string_view name) {
    T out{};
    if (const auto* value = field(name, true)) read(*value, out, path_of(name));
    return out;
  }

  template <class T>
  std::optional<T> optional(std::string_view name) {
    const auto* value = field(name, false);
    if (value == nullptr) return std::nullopt;
    T out{};
    if (!read(*value, out, path_of(name))) return std::nullopt;
    return out;
  }

  /// A reader for the nested object `name` (required). Its errors and unknown fields are reported
  /// by finish() with a dotted path ("address.city").
  JsonReader object(std::string_view name);

  /// The same for an optional object: nullopt when it is absent or null.
  std::optional<JsonReader> optional_object(std::string_view name);

  /// Readers for the elements of the array of objects `name` (none when it is absent or null), with
  /// paths such as "boundaries[2].platform".
  std::vector<JsonReader> objects(std::string_view name);

  /// The names of this object's fields (for maps keyed by name: read each with required<T>(key);
  /// a key left unread is reported as unknown by finish()).
  std::vector<std::string> keys();

  /// Whether field `name` is present and not null (does not mark it read).
  bool has(std::string_view name) const;

  /// Whether field `name` is present and null (marks it read): how a PATCH clears a value.
  bool is_null(std::string_view name);

  /// Reports that field `name` (of this object) has the right type but a value that breaks a rule.
  void invalid(std::string_view name, std::string message);

  /// This object's dotted path ("" at the top).
  const std::string& path() const { return path_; }

  /// Throws AppError(kInvalidArgument) with Error::field_errors when any field was missing, of the
  /// wrong type, or unknown (not read) in this object or a nested one, or was reported with
  /// invalid().
  void finish();

 private:
  struct State;
  JsonReader(const nlohmann::json& object, std::string path, std::shared_ptr<State> state);

  const nlohmann::json* field(std::string_view name, bool required);
  std::string path_of(std::string_view name) const;
  void add_error(std::string field, std::string message);

  bool read(const nlohmann::json& value, std::string& out, const std::string& path);
  bool read(const nlohmann::json& value, bool& out, const std::string& path);
  bool read(const nlohmann::json& value, int& out, const std::string& path);
  bool read(const nlohmann::json& value, std::int64_t& out, const std::string& path);
  bool read(const nlohmann::json& value, double& out, const std::string& path);
  bool read(const nlohmann::json& value, std::vector<std::string>& out, const std::string& path);
  bool read(const nlohmann::json& value, nlohmann::json& out, const std::string& path);

  std::string path_;
  std::shared_ptr<State> state_;
  std::size_t frame_;
};

}  // namespace personae
