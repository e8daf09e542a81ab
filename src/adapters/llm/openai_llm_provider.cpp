#include "adapters/llm/openai_llm_provider.hpp"

#include <algorithm>
#include <array>
#include <ctime>

#include <nlohmann/json.hpp>

#include "adapters/llm/sse_parser.hpp"

namespace personae::llm {
namespace {

using internal::CallContext;
using nlohmann::json;
using std::chrono::milliseconds;

std::string api_base(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  std::string base(url);
  if (url.size() < 3 || url.substr(url.size() - 3) != "/v1") base += "/v1";
  return base;
}

void add_options(json& body, const ModelOptions& options) {
  if (options.temperature) body["temperature"] = *options.temperature;
  if (options.top_p) body["top_p"] = *options.top_p;
  if (options.seed) body["seed"] = *options.seed;
  if (options.max_tokens) body["max_tokens"] = *options.max_tokens;
  if (!options.stop.empty()) body["stop"] = options.stop;
}

void add_schema(json& body, std::optional<json>& schema, const std::string& name) {
  if (!schema) return;
  body["response_format"] = {{"type", "json_schema"},
                             {"json_schema",
                              {{"name", name.empty() ? std::string("response") : name},
                               {"schema", std::move(*schema)},
                               {"strict", true}}}};
}

json messages_json(const std::vector<ChatMessage>& messages) {
  json list = json::array();
  for (const auto& message : messages) {
    list.push_back({{"role", role_name(message.role)}, {"content", message.content}});
  }
  return list;
}

void add_json_headers(outbound::Request& request, std::string_view accept) {
  request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back("Accept", std::string(accept));
}

/// An error object inside a 200 answer or a stream chunk: {"error": ...} or {"object": "error"}.
std::optional<std::string> error_in(const json& answer) {
  if (const auto error = answer.find("error"); error != answer.end() && !error->is_null()) {
    if (error->is_object()) {
      const auto message = internal::string_field(*error, "message");
      if (!message.empty()) return std::string(message);
    }
    return error->is_string() ? error->get<std::string>() : error->dump();
  }
  if (internal::string_field(answer, "object") == "error") {
    return std::string(internal::string_field(answer, "message"));
  }
  return std::nullopt;
}

void read_usage(const json& answer, ChatResult& result) {
  if (const auto usage = answer.find("usage"); usage != answer.end() && usage->is_object()) {
    if (const auto prompt = internal::count_field(*usage, "prompt_tokens")) result.prompt_tokens = prompt;
    if (const auto completion = internal::count_field(*usage, "completion_tokens"))
      result.completion_tokens = completion;
  }
}

std::string rfc3339(std::int64_t unix_seconds) {
  const auto time = static_cast<std::time_t>(unix_seconds);
  std::tm parts{};
  if (gmtime_r(&time, &parts) == nullptr) return {};
  std::array<char, 32> text{};
  const std::size_t length = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return {text.data(), length};
}

/// Reads the SSE stream of a chat completion.
struct ChatStream {
  ChatStream(const CallContext& context, const TokenCallback& on_token, std::uint64_t max_event)
      : context(context), on_token(on_token), events(max_event) {}

  bool on_event(const internal::SseEvent& event) {
    if (event.type == "error") {
      failure = internal::upstream_failed(context, internal::upstream_message(event.data));
      return false;
    }
    if (event.data == "[DONE]") {
      done = true;
      return true;
    }
    if (done) return true;
    const auto chunk = json::parse(event.data, nullptr, false);
    if (chunk.is_discarded() || !chunk.is_object()) {
      failure =
          internal::bad_gateway(context, "an event is not a JSON object: " + internal::cut(event.data, 100));
      return false;
    }
    if (auto error = error_in(chunk)) {
      failure = internal::upstream_failed(context, *error);
      return false;
    }
    const auto choices = chunk.find("choices");
    const bool has_choices = choices != chunk.end() && choices->is_array();
    const bool has_usage = chunk.contains("usage") && chunk["usage"].is_object();
    if (!has_choices && !has_usage) {
      failure = internal::bad_gateway(context, R"(an event has neither "choices" nor "usage")");
      return false;
    }
    const auto model = internal::string_field(chunk, "model");
    if (!model.empty() && result.model != model) result.model = std::string(model);
    read_usage(chunk, result);
    if (has_choices && !choices->empty()) {
      const auto& choice = (*choices)[0];
      const auto finish = internal::string_field(choice, "finish_reason");
      if (const auto delta = choice.find("delta"); delta != choice.end()) {
        const auto content = internal::string_field(*delta, "content");
        if (!content.empty()) {
          timer.piece();
          result.content.append(content);
          if (on_token && !on_token(content)) {
            cancelled = true;
            return false;
          }
        }
      }
      if (!finish.empty()) {
        finished = true;
        result.done_reason = std::string(finish);
      }
    }
    return true;
  }

  const CallContext& context;
  const TokenCallback& on_token;
  internal::SseParser events;
  internal::CallTimer timer;
  ChatResult result;
  std::optional<Error> failure;
  bool done = false;
  bool finished = false;
  bool cancelled = false;
};

}  // namespace

OpenAiLlmProvider::OpenAiLlmProvider(OpenAiOptions options, outbound::HttpClient& client)
    : endpoint_(internal::make_endpoint(
          std::move(options.name), api_base(options.base_url), options.timeout, options.connect_timeout,
          options.idle_timeout, options.max_response_bytes, std::move(options.headers), options.api_key)),
      default_model_(std::move(options.default_model)),
      include_usage_(options.include_usage),
      client_(client) {}

Result<ChatResult> OpenAiLlmProvider::chat(const ChatRequest& request, const TokenCallback& on_token) {
  const std::string& model = request.model.empty() ? default_model_ : request.model;
  const CallContext context{endpoint_.name, "chat", model};
  if (request.messages.empty())
    return tl::unexpected(internal::invalid_argument(context, "A chat needs at least one message."));
  return complete(context, messages_json(request.messages), request.options, request.json_schema,
                  request.schema_name, request.timeout, request.cancellation, on_token);
}

Result<ChatResult> OpenAiLlmProvider::generate(const GenerateRequest& request,
                                               const TokenCallback& on_token) {
  const std::string& model = request.model.empty() ? default_model_ : request.model;
  const CallContext context{endpoint_.name, "generate", model};
  if (request.prompt.empty())
    return tl::unexpected(internal::invalid_argument(context, "The prompt is empty."));
  std::vector<ChatMessage> messages;
  if (!request.system.empty()) messages.push_back({Role::kSystem, request.system});
  messages.push_back({Role::kUser, request.prompt});
  return complete(context, messages_json(messages), request.options, request.json_schema, request.schema_name,
                  request.timeout, request.cancellation, on_token);
}

Result<ChatResult> OpenAiLlmProvider::complete(const internal::CallContext& context, nlohmann::json messages,
                                               const ModelOptions& options,
                                               const std::optional<std::string>& json_schema,
                                               const std::string& schema_name,
                                               std::optional<milliseconds> timeout,
                                               const CancellationToken& cancellation,
                                               const TokenCallback& on_token) {
  if (context.model.empty())
    return tl::unexpected(
        internal::invalid_argument(context, "No model was named and the provider has no default model."));
  auto schema = internal::parse_schema(json_schema, context);
  if (!schema) return tl::unexpected(std::move(schema.error()));
  if (cancellation.cancelled()) {
    ChatResult result;
    result.model = std::string(context.model);
    result.provider = endpoint_.name;
    result.done_reason = "cancelled";
    result.cancelled = true;
    return result;
  }

  json body = {{"model", std::string(context.model)}, {"messages", std::move(messages)}, {"stream", true}};
  if (include_usage_) body["stream_options"] = {{"include_usage", true}};
  add_options(body, options);
  std::optional<json> format = *schema;
  add_schema(body, format, schema_name);
  auto http = internal::make_request(endpoint_, "POST", "/chat/completions", timeout);
  add_json_headers(http, "text/event-stream");
  http.body = body.dump();

  ChatStream stream(context, on_token, endpoint_.max_response_bytes);
  // Also while no byte arrives (a model loading for tens of seconds before its first token).
  internal::stream_until_cancelled(http, cancellation, stream.cancelled, [&](std::string_view chunk) {
    const auto status =
        stream.events.feed(chunk, [&](const internal::SseEvent& event) { return stream.on_event(event); });
    if (status == internal::FeedStatus::kTooLong) {
      stream.failure = internal::bad_gateway(context, "an event is longer than the response cap");
    }
    return status == internal::FeedStatus::kOk;
  });
  const auto response = client_.send(http);

  if (auto settled = internal::settle_stream(stream.failure, stream.cancelled, stream.result, stream.timer,
                                             response, context, endpoint_.name)) {
    return std::move(*settled);
  }
  ChatResult& result = stream.result;
  if (!stream.done && !stream.finished) {
    return tl::unexpected(internal::truncated(context, "the stream ended without a finish_reason or [DONE]"));
  }
  if (auto wrong = internal::check_structured(*schema, result.content, context)) {
    return tl::unexpected(std::move(*wrong));
  }
  stream.timer.finish(result, true);
  return std::move(result);
}

Result<std::vector<ModelInfo>> OpenAiLlmProvider::list_models(std::optional<milliseconds> timeout) {
  const CallContext context{endpoint_.name, "list models", ""};
  auto http = internal::make_request(endpoint_, "GET", "/models", timeout);
  http.headers.emplace_back("Accept", "application/json");
  const auto response = client_.send(http);
  if (!response) return tl::unexpected(internal::transport_error(response.error(), context));
  if (response->status != 200) return tl::unexpected(internal::status_error(*response, context));
  const auto answer = json::parse(response->body, nullptr, false);
  if (answer.is_discarded() || !answer.is_object() || !answer.contains("data") ||
      !answer["data"].is_array()) {
    return tl::unexpected(internal::bad_gateway(
        context, "/v1/models is not {\"data\": [...]}: " + internal::cut(response->body)));
  }
  std::vector<ModelInfo> models;
  for (const auto& entry : answer["data"]) {
    ModelInfo model;
    model.name = std::string(internal::string_field(entry, "id"));
    if (model.name.empty()) continue;
    if (const auto created = internal::count_field(entry, "created")) model.modified = rfc3339(*created);
    // llama.cpp adds the file's size under "meta".
    if (const auto meta = entry.find("meta"); meta != entry.end() && meta->is_object()) {
      if (const auto size = internal::count_field(*meta, "size"))
        model.size_bytes = static_cast<std::uint64_t>(*size);
    }
    models.push_back(std::move(model));
  }
  return models;
}

Result<EmbedResult> OpenAiLlmProvider::embed(const EmbedRequest& request) {
  const std::string& model = request.model.empty() ? default_model_ : request.model;
  const CallContext context{endpoint_.name, "embed", model};
  if (model.empty())
    return tl::unexpected(
        internal::invalid_argument(context, "No model was named and the provider has no default model."));
  if (request.input.empty()) return tl::unexpected(internal::invalid_argument(context, "Nothing to embed."));
  const json body = {{"model", model}, {"input", request.input}};
  auto http = internal::make_request(endpoint_, "POST", "/embeddings", request.timeout);
  add_json_headers(http, "application/json");
  http.body = body.dump();
  const auto response = client_.send(http);
  if (!response) return tl::unexpected(internal::transport_error(response.error(), context));
  if (response->status < 200 || response->status >= 300) {
    return tl::unexpected(internal::status_error(*response, context));
  }
  const auto answer = json::parse(response->body, nullptr, false);
  if (answer.is_discarded() || !answer.is_object()) {
    return tl::unexpected(
        internal::bad_gateway(context, "the answer is not a JSON object: " + internal::cut(response->body)));
  }
  if (auto error = error_in(answer)) return tl::unexpected(internal::upstream_failed(context, *error));
  const auto data = answer.find("data");
  if (data == answer.end() || !data->is_array() || data->size() != request.input.size()) {
    return tl::unexpected(internal::bad_gateway(context, "the answer has no \"data\", one per input"));
  }
  EmbedResult result;
  result.model = model;
  result.provider = endpoint_.name;
  result.embeddings.resize(request.input.size());
  std::vector<bool> seen(request.input.size(), false);
  for (std::size_t position = 0; position < data->size(); ++position) {
    const auto& entry = (*data)[position];
    // Servers answer in input order and say so with "index"; trust the index when present.
    std::size_t index = position;
    if (const auto reported = internal::count_field(entry, "index"))
      index = static_cast<std::size_t>(*reported);
    const auto vector = entry.find("embedding");
    if (index >= seen.size() || seen[index] || vector == entry.end() || !vector->is_array()) {
      return tl::unexpected(internal::bad_gateway(context, "an embedding entry is malformed"));
    }
    seen[index] = true;
    auto& values = result.embeddings[index];
    values.reserve(vector->size());
    for (const auto& value : *vector) {
      if (!value.is_number())
        return tl::unexpected(internal::bad_gateway(context, "an embedding holds a non-number"));
      values.push_back(value.get<float>());
    }
  }
  const auto reported = internal::string_field(answer, "model");
  if (!reported.empty()) result.model = std::string(reported);
  if (const auto usage = answer.find("usage"); usage != answer.end()) {
    result.prompt_tokens = internal::count_field(*usage, "prompt_tokens");
  }
  return result;
}

Result<PullResult> OpenAiLlmProvider::pull(const PullRequest& request, const PullProgressCallback&) {
  return tl::unexpected(
      Error{ErrorCode::kFailedPrecondition, "not supported by this provider type",
            "LLM provider \"" + endpoint_.name + "\" (openai) cannot pull \"" + request.model + "\""});
}

}  // namespace personae::llm
