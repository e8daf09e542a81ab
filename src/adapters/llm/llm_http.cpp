#include "adapters/llm/llm_http.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace personae::llm::internal {
namespace {

using std::chrono::milliseconds;

constexpr std::string_view kUnavailable = "The language model is unavailable.";

std::string describe(const CallContext& context) {
  std::string text =
      "LLM provider \"" + std::string(context.provider) + "\" " + std::string(context.operation);
  if (!context.model.empty()) text += " (model \"" + std::string(context.model) + "\")";
  return text;
}

Error error(ErrorCode code, std::string message, const CallContext& context, std::string_view detail) {
  return Error{code, std::move(message), describe(context) + ": " + std::string(detail)};
}

}  // namespace

Endpoint make_endpoint(std::string name, std::string_view base_url, milliseconds timeout,
                       milliseconds connect_timeout, std::optional<milliseconds> idle_timeout,
                       std::uint64_t max_response_bytes,
                       std::vector<std::pair<std::string, std::string>> headers, const std::string& api_key) {
  if (name.empty()) throw std::invalid_argument("an LLM provider needs a name");
  while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
  if (base_url.rfind("http://", 0) != 0 && base_url.rfind("https://", 0) != 0) {
    throw std::invalid_argument("LLM provider \"" + name + "\": the URL must start with http:// or https://");
  }
  if (timeout.count() <= 0 || connect_timeout.count() <= 0 || (idle_timeout && idle_timeout->count() <= 0)) {
    throw std::invalid_argument("LLM provider \"" + name + "\": timeouts must be positive");
  }
  if (max_response_bytes == 0) {
    throw std::invalid_argument("LLM provider \"" + name + "\": max_response_bytes must be positive");
  }
  if (api_key.find_first_of("\r\n") != std::string::npos) {
    throw std::invalid_argument("LLM provider \"" + name + "\": the API key holds a line break");
  }
  Endpoint endpoint;
  endpoint.name = std::move(name);
  endpoint.base_url = std::string(base_url);
  endpoint.timeout = timeout;
  endpoint.connect_timeout = connect_timeout;
  endpoint.idle_timeout = idle_timeout;
  endpoint.max_response_bytes = max_response_bytes;
  endpoint.headers = std::move(headers);
  if (!api_key.empty()) endpoint.headers.emplace_back("Authorization", "Bearer " + api_key);
  return endpoint;
}

outbound::Request make_request(const Endpoint& endpoint, std::string method, std::string_view path,
                               std::optional<milliseconds> timeout) {
  outbound::Request request;
  request.method = std::move(method);
  request.url = endpoint.base_url + std::string(path);
  request.headers = endpoint.headers;
  request.timeout = std::max(milliseconds(1), std::min(timeout.value_or(endpoint.timeout), endpoint.timeout));
  request.connect_timeout = std::min(endpoint.connect_timeout, request.timeout);
  request.idle_timeout = endpoint.idle_timeout;
  request.max_response_bytes = endpoint.max_response_bytes;
  // Generation changes nothing on the server: a resend costs compute, never a duplicate effect,
  // and it lets libcurl keep connections to the model server alive between calls.
  request.idempotent = true;
  return request;
}

std::string cut(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t end = max;
  // Back off continuation bytes so that the cut never splits a UTF-8 sequence.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
  return std::string(text.substr(0, end)) + "...";
}

Error transport_error(const Error& cause, const CallContext& context) {
  Error mapped;
  mapped.retry_after = cause.retry_after;
  switch (cause.code) {
    case ErrorCode::kDeadlineExceeded:
      mapped.code = ErrorCode::kDeadlineExceeded;
      mapped.message = "The language model did not answer in time.";
      break;
    case ErrorCode::kResourceExhausted:
      mapped.code = ErrorCode::kResourceExhausted;
      mapped.message = "The language model is busy; try again later.";
      break;
    case ErrorCode::kInternal:
      mapped.code = ErrorCode::kInternal;
      mapped.message = cause.message;
      break;
    default:
      // kInvalidArgument here means the configured URL or headers are unusable: not the caller's.
      mapped.code = ErrorCode::kUnavailable;
      mapped.message = std::string(kUnavailable);
      break;
  }
  mapped.detail = describe(context) + ": " + cause.detail;
  return mapped;
}

Error status_error(const outbound::Response& response, const CallContext& context) {
  const int status = response.status;
  const std::string detail = "HTTP " + std::to_string(status) + ": " + upstream_message(response.body);
  switch (status) {
    case 400:
    case 413:
    case 422:
      return error(ErrorCode::kInvalidArgument, "The language model refused the request.", context, detail);
    case 404:
      if (context.model.empty()) {
        return error(ErrorCode::kUnavailable, std::string(kUnavailable), context,
                     detail + " (is the provider's URL right?)");
      }
      return error(ErrorCode::kNotFound,
                   "The model \"" + std::string(context.model) + "\" is not available on this provider.",
                   context, detail);
    case 408:
      return error(ErrorCode::kDeadlineExceeded, "The language model did not answer in time.", context,
                   detail);
    case 401:
    case 403:
      return error(ErrorCode::kUnavailable, "The language model refused our credentials.", context,
                   detail + " (check the provider's api_key)");
    default: break;
  }
  return error(ErrorCode::kUnavailable, std::string(kUnavailable), context, "unexpected " + detail);
}

Error bad_gateway(const CallContext& context, std::string_view why) {
  return error(ErrorCode::kUnavailable, "The language model returned a malformed answer.", context,
               "bad gateway: " + std::string(why));
}

Error truncated(const CallContext& context, std::string_view why) {
  return error(ErrorCode::kUnavailable, "The language model's answer was cut off.", context, why);
}

Error upstream_failed(const CallContext& context, std::string_view upstream_message) {
  return error(ErrorCode::kUnavailable, "The language model failed while answering.", context,
               "error in the stream: " + cut(upstream_message));
}

Error not_json(const CallContext& context) {
  return error(ErrorCode::kUnavailable, "the model did not return valid JSON", context,
               "structured output requested, the content does not parse as JSON");
}

Error wrong_schema(const CallContext& context, std::string_view mismatch) {
  return error(ErrorCode::kUnavailable, "the model's answer does not match the requested schema", context,
               "structured output requested, the content departs from the schema at " + cut(mismatch));
}

Error invalid_argument(const CallContext& context, std::string message) {
  const std::string detail = message;
  return error(ErrorCode::kInvalidArgument, std::move(message), context, detail);
}

Result<std::optional<nlohmann::json>> parse_schema(const std::optional<std::string>& schema,
                                                   const CallContext& context) {
  if (!schema) return std::optional<nlohmann::json>();
  auto parsed = nlohmann::json::parse(*schema, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return tl::unexpected(
        invalid_argument(context, "The JSON schema for structured output must be a JSON object."));
  }
  return std::optional<nlohmann::json>(std::move(parsed));
}

bool is_json(std::string_view text) {
  return nlohmann::json::accept(text);
}

namespace {

using nlohmann::json;

bool has_type(const json& value, std::string_view type) {
  if (type == "string") return value.is_string();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    if (!value.is_number_float()) return false;
    const double number = value.get<double>();
    return std::isfinite(number) && std::floor(number) == number;
  }
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "null") return value.is_null();
  return true;  // an unknown type name: not ours to judge
}

/// JSON Schema's `type`: a name or a list of names; nullopt when `value` has one of them.
std::optional<std::string> type_mismatch(const json& type, const json& value) {
  if (type.is_string()) {
    if (has_type(value, type.get_ref<const std::string&>())) return std::nullopt;
    return "expected " + type.get<std::string>();
  }
  if (!type.is_array()) return std::nullopt;
  std::string names;
  for (const auto& name : type) {
    if (!name.is_string()) return std::nullopt;
    if (has_type(value, name.get_ref<const std::string&>())) return std::nullopt;
    names += (names.empty() ? "" : " or ") + name.get<std::string>();
  }
  if (names.empty()) return std::nullopt;
  return "expected " + names;
}

std::optional<std::string> mismatch_at(const json& schema, const json& value, const std::string& path,
                                       int depth) {
  if (!schema.is_object() || depth > 64) return std::nullopt;
  if (const auto type = schema.find("type"); type != schema.end()) {
    if (auto why = type_mismatch(*type, value)) return path + ": " + *why;
  }
  if (const auto options = schema.find("enum"); options != schema.end() && options->is_array()) {
    if (std::find(options->begin(), options->end(), value) == options->end()) {
      return path + ": not one of the schema's enum values";
    }
  }
  if (const auto constant = schema.find("const"); constant != schema.end() && *constant != value) {
    return path + ": not the schema's const value";
  }
  if (value.is_object()) {
    const auto properties = schema.find("properties");
    const bool listed = properties != schema.end() && properties->is_object();
    if (const auto required = schema.find("required"); required != schema.end() && required->is_array()) {
      for (const auto& key : *required) {
        if (key.is_string() && !value.contains(key.get_ref<const std::string&>())) {
          return path + "." + key.get<std::string>() + ": required";
        }
      }
    }
    const auto additional = schema.find("additionalProperties");
    for (const auto& [key, member] : value.items()) {
      std::string member_path = path;
      member_path.append(".").append(key);
      if (listed) {
        if (const auto property = properties->find(key); property != properties->end()) {
          if (auto why = mismatch_at(*property, member, member_path, depth + 1)) return why;
          continue;
        }
      }
      if (additional == schema.end()) continue;
      if (additional->is_boolean() && !additional->get<bool>()) return member_path + ": not allowed";
      if (auto why = mismatch_at(*additional, member, member_path, depth + 1)) return why;
    }
  }
  if (value.is_array()) {
    if (const auto items = schema.find("items"); items != schema.end() && items->is_object()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (auto why = mismatch_at(*items, value[i], path + "[" + std::to_string(i) + "]", depth + 1))
          return why;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> schema_mismatch(const json& schema, const json& value) {
  return mismatch_at(schema, value, "$", 0);
}

std::optional<Error> check_structured(const std::optional<json>& schema, std::string_view content,
                                      const CallContext& context) {
  if (!schema) return std::nullopt;
  const auto value = json::parse(content, nullptr, false);
  if (value.is_discarded()) return not_json(context);
  if (auto why = schema_mismatch(*schema, value)) return wrong_schema(context, *why);
  return std::nullopt;
}

std::string_view string_field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto found = object.find(key);
  if (found == object.end() || !found->is_string()) return {};
  return found->get_ref<const std::string&>();
}

std::optional<std::int64_t> count_field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  const auto found = object.find(key);
  if (found == object.end() || !found->is_number_integer()) return std::nullopt;
  const auto value = found->get<std::int64_t>();
  if (value < 0) return std::nullopt;
  return value;
}

std::string upstream_message(std::string_view body) {
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    const auto found = parsed.find("error");
    if (found != parsed.end()) {
      if (found->is_string()) return cut(found->get_ref<const std::string&>());
      if (found->is_object()) {
        const auto text = string_field(*found, "message");
        if (!text.empty()) return cut(text);
      }
    }
    const auto message = string_field(parsed, "message");
    if (!message.empty()) return cut(message);
  }
  return cut(body);
}

void CallTimer::finish(ChatResult& result, bool streamed) const {
  const auto now = std::chrono::steady_clock::now();
  result.total_time = std::chrono::duration_cast<std::chrono::microseconds>(now - started_);
  result.streamed_pieces = pieces_;
  if (!streamed || !first_) return;
  result.time_to_first_token = std::chrono::duration_cast<std::chrono::microseconds>(*first_ - started_);
  const std::int64_t tokens = result.completion_tokens.value_or(pieces_);
  const double generating = std::chrono::duration<double>(now - *first_).count();
  // The first token's latency is the prompt's; the rate counts what came after it.
  if (pieces_ >= 2 && tokens >= 2 && generating > 0) {
    result.tokens_per_second = static_cast<double>(tokens - 1) / generating;
  }
}

void stream_until_cancelled(outbound::Request& http, const CancellationToken& cancellation, bool& cancelled,
                            std::function<bool(std::string_view chunk)> feed) {
  http.should_abort = [&cancellation, &cancelled] {
    if (!cancellation.cancelled()) return false;
    cancelled = true;
    return true;
  };
  http.on_body = [&cancellation, &cancelled, feed = std::move(feed)](std::string_view chunk) {
    if (cancellation.cancelled()) {
      cancelled = true;
      return false;
    }
    return feed(chunk);
  };
}

std::optional<Result<ChatResult>> settle_stream(std::optional<Error>& failure, bool cancelled,
                                                ChatResult& result, const CallTimer& timer,
                                                const Result<outbound::Response>& response,
                                                const CallContext& context, const std::string& provider) {
  if (failure) return tl::unexpected(std::move(*failure));
  if (result.model.empty()) result.model = std::string(context.model);
  result.provider = provider;
  if (cancelled) {
    result.cancelled = true;
    result.done_reason = "cancelled";
    timer.finish(result, true);
    return std::move(result);
  }
  if (!response) return tl::unexpected(transport_error(response.error(), context));
  if (response->status < 200 || response->status >= 300)
    return tl::unexpected(status_error(*response, context));
  return std::nullopt;
}

}  // namespace personae::llm::internal
