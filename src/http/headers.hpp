#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace personae::http {

/// HTTP header fields, in arrival order, with case-insensitive names.
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  /// Replaces every field named `name` with one field.
  void set(std::string_view name, std::string_view value);
  void add(std::string_view name, std::string_view value);
  void remove(std::string_view name);
  /// The first field named `name`.
  std::optional<std::string_view> get(std::string_view name) const;
  std::size_t count(std::string_view name) const;
  bool contains(std::string_view name) const { return count(name) > 0; }

  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }
  std::size_t size() const { return fields_.size(); }

 private:
  std::vector<Field> fields_;
};

bool iequals(std::string_view a, std::string_view b);

}  // namespace personae::http
