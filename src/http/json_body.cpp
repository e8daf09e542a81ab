#include "http/json_body.hpp"

#include <limits>
#include <set>
#include <utility>

#include "http/problem.hpp"

namespace personae::http {
namespace {

// Thrown from the parser callback to stop at the first violation.
struct BodyRejected {
  std::string detail;
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string position_of(std::string_view body, std::size_t byte) {
  // nlohmann counts the byte after the error; line and column are 1-based.
  std::size_t line = 1;
  std::size_t column = 1;
  const std::size_t end = byte == 0 ? 0 : std::min(byte - 1, body.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (body[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

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

nlohmann::json parse_json_body(const Request& request, int max_depth) {
  const auto content_type = request.headers.get("Content-Type");
  const std::string_view media_type =
      content_type ? trim(content_type->substr(0, content_type->find(';'))) : "";
  if (!iequals(media_type, "application/json")) {
    throw HttpError(415, "Unsupported Media Type", "the request body must be application/json");
  }
  if (request.body.empty()) throw HttpError(400, "Bad Request", "the request body is empty");

  // One set of keys per open container (empty for arrays), to catch a key repeated in an object.
  std::vector<std::set<std::string, std::less<>>> open_keys;
  const auto callback = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    switch (event) {
      case nlohmann::json::parse_event_t::object_start:
      case nlohmann::json::parse_event_t::array_start:
        if (depth >= max_depth) {
          throw BodyRejected{"the request body nests deeper than " + std::to_string(max_depth) + " levels"};
        }
        open_keys.emplace_back();
        break;
      case nlohmann::json::parse_event_t::object_end:
      case nlohmann::json::parse_event_t::array_end:
        if (!open_keys.empty()) open_keys.pop_back();
        break;
      case nlohmann::json::parse_event_t::key:
        if (!open_keys.empty() && !open_keys.back().insert(parsed.get<std::string>()).second) {
          throw BodyRejected{"the request body repeats the key \"" + parsed.get<std::string>() + "\""};
        }
        break;
      case nlohmann::json::parse_event_t::value: break;
    }
    return true;
  };
  try {
    return nlohmann::json::parse(request.body, callback);
  } catch (const BodyRejected& rejected) {
    throw HttpError(400, "Bad Request", rejected.detail);
  } catch (const nlohmann::json::parse_error& error) {
    throw HttpError(400, "Bad Request",
                    "the request body is not valid JSON (at " + position_of(request.body, error.byte) + ")");
  }
}

struct JsonReader::State {
  struct Frame {
    const nlohmann::json* object;
    std::string path;
    std::set<std::string, std::less<>> read;
  };
  std::vector<Frame> frames;
  nlohmann::json errors = nlohmann::json::array();
  std::set<std::string, std::less<>> fields_with_errors;
};

JsonReader::JsonReader(const nlohmann::json& object) : JsonReader(object, "", std::make_shared<State>()) {
  if (!object.is_object()) throw HttpError(400, "Bad Request", "the request body must be a JSON object");
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
  state_->errors.push_back({{"field", std::move(field)}, {"message", std::move(message)}});
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
  Problem problem;
  problem.status = 400;
  problem.title = "Bad Request";
  problem.detail = "the request body has " + std::to_string(state_->errors.size()) + " invalid field(s)";
  problem.extensions = {{"errors", state_->errors}};
  throw HttpError(std::move(problem));
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

}  // namespace personae::http
