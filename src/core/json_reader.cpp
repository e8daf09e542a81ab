#include "core/json_reader.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <utility>

#include "core/error.hpp"

namespace personae {
namespace {

std::string_view type_name(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return "an integer";
    case nlohmann::json::value_t::number_float: return "a number";
    default: return "an unsupported value";
  }
}

}  // namespace

std::string json_error_position(std::string_view text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t column = 1;
  const std::size_t end = byte == 0 ? 0 : std::min(byte - 1, text.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

struct JsonReader::State {
  struct Frame {
    const nlohmann::json* object;
    std::string path;
    std::set<std::string, std::less<>> read;
  };
  std::vector<Frame> frames;
  std::vector<FieldError> errors;
  std::set<std::string, std::less<>> fields_with_errors;
};

JsonReader::JsonReader(const nlohmann::json& object) : JsonReader(object, "", std::make_shared<State>()) {
  if (!object.is_object()) {
    throw AppError(
        invalid_fields({{"", "the body must be a JSON object, not " + std::string(type_name(object))}}));
  }
}

JsonReader::JsonReader(const nlohmann::json& object, std::string path, std::shared_ptr<State> state)
    : path_(std::move(path)), state_(std::move(state)), frame_(state_->frames.size()) {
  state_->frames.push_back(State::Frame{&object, path_, {}});
}

std::string JsonReader::path_of(std::string_view name) const {
  return path_.empty() ? std::string(name) : path_ + "." + std::string(name);
}

void JsonReader::add_error(std::string field, std::string message) {
  if (!state_->fields_with_errors.insert(field).second) return;
  state_->errors.push_back({std::move(field), std::move(message)});
}

const nlohmann::json* JsonReader::field(std::string_view name, bool required) {
  auto& frame = state_->frames[frame_];
  frame.read.emplace(name);
  if (!frame.object->is_object()) return nullptr;
  const auto found = frame.object->find(name);
  if (found == frame.object->end() || found->is_null()) {
    if (required) add_error(path_of(name), found == frame.object->end() ? "is required" : "must not be null");
    return nullptr;
  }
  return &*found;
}

JsonReader JsonReader::object(std::string_view name) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const auto* value = field(name, true);
  if (value != nullptr && !value->is_object()) {
    add_error(path_of(name), "must be an object, not " + std::string(type_name(*value)));
    value = nullptr;
  }
  return JsonReader(value != nullptr ? *value : kEmpty, path_of(name), state_);
}

std::optional<JsonReader> JsonReader::optional_object(std::string_view name) {
  const auto* value = field(name, false);
  if (value == nullptr) return std::nullopt;
  if (!value->is_object()) {
    add_error(path_of(name), "must be an object, not " + std::string(type_name(*value)));
    return std::nullopt;
  }
  return JsonReader(*value, path_of(name), state_);
}

std::vector<JsonReader> JsonReader::objects(std::string_view name) {
  std::vector<JsonReader> readers;
  const auto* value = field(name, false);
  if (value == nullptr) return readers;
  if (!value->is_array()) {
    add_error(path_of(name), "must be an array of objects, not " + std::string(type_name(*value)));
    return readers;
  }
  for (std::size_t i = 0; i < value->size(); ++i) {
    const std::string item_path = path_of(name) + "[" + std::to_string(i) + "]";
    if (!(*value)[i].is_object()) {
      add_error(item_path, "must be an object, not " + std::string(type_name((*value)[i])));
      continue;
    }
    readers.push_back(JsonReader((*value)[i], item_path, state_));
  }
  return readers;
}

std::vector<std::string> JsonReader::keys() {
  std::vector<std::string> names;
  auto& frame = state_->frames[frame_];
  if (!frame.object->is_object()) return names;
  for (const auto& [key, value] : frame.object->items()) names.push_back(key);
  return names;
}

bool JsonReader::has(std::string_view name) const {
  const auto& frame = state_->frames[frame_];
  if (!frame.object->is_object()) return false;
  const auto found = frame.object->find(name);
  return found != frame.object->end() && !found->is_null();
}

bool JsonReader::is_null(std::string_view name) {
  auto& frame = state_->frames[frame_];
  frame.read.emplace(name);
  if (!frame.object->is_object()) return false;
  const auto found = frame.object->find(name);
  return found != frame.object->end() && found->is_null();
}

void JsonReader::invalid(std::string_view name, std::string message) {
  add_error(path_of(name), std::move(message));
}

void JsonReader::finish() {
  for (const auto& frame : state_->frames) {
    if (!frame.object->is_object()) continue;
    for (const auto& [key, value] : frame.object->items()) {
      if (!frame.read.contains(key)) {
        add_error(frame.path.empty() ? key : frame.path + "." + key, "is not a known field");
      }
    }
  }
  if (state_->errors.empty()) return;
  Error error = invalid_fields(std::move(state_->errors));
  error.message = "the request body has " + std::to_string(error.field_errors.size()) + " invalid field(s)";
  state_->errors.clear();
  throw AppError(std::move(error));
}

bool JsonReader::read(const nlohmann::json& value, std::string& out, const std::string& path) {
  if (!value.is_string()) {
    add_error(path, "must be a string, not " + std::string(type_name(value)));
    return false;
  }
  out = value.get<std::string>();
  return true;
}

bool JsonReader::read(const nlohmann::json& value, bool& out, const std::string& path) {
  if (!value.is_boolean()) {
    add_error(path, "must be a boolean, not " + std::string(type_name(value)));
    return false;
  }
  out = value.get<bool>();
  return true;
}

bool JsonReader::read(const nlohmann::json& value, std::int64_t& out, const std::string& path) {
  if (value.is_number_unsigned()) {
    if (value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      add_error(path, "is out of range");
      return false;
    }
    out = static_cast<std::int64_t>(value.get<std::uint64_t>());
    return true;
  }
  if (!value.is_number_integer()) {
    add_error(path, "must be an integer, not " + std::string(type_name(value)));
    return false;
  }
  out = value.get<std::int64_t>();
  return true;
}

bool JsonReader::read(const nlohmann::json& value, int& out, const std::string& path) {
  std::int64_t wide = 0;
  if (!read(value, wide, path)) return false;
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
    add_error(path, "is out of range");
    return false;
  }
  out = static_cast<int>(wide);
  return true;
}

bool JsonReader::read(const nlohmann::json& value, double& out, const std::string& path) {
  if (!value.is_number()) {
    add_error(path, "must be a number, not " + std::string(type_name(value)));
    return false;
  }
  out = value.get<double>();
  return true;
}

bool JsonReader::read(const nlohmann::json& value, std::vector<std::string>& out, const std::string& path) {
  if (!value.is_array()) {
    add_error(path, "must be an array of strings, not " + std::string(type_name(value)));
    return false;
  }
  bool ok = true;
  for (std::size_t i = 0; i < value.size(); ++i) {
    std::string item;
    ok = read(value[i], item, path + "[" + std::to_string(i) + "]") && ok;
    out.push_back(std::move(item));
  }
  return ok;
}

bool JsonReader::read(const nlohmann::json& value, nlohmann::json& out, const std::string& path) {
  out = value;
  return true;
}

}  // namespace personae
