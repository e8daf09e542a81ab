#include "adapters/llm/ollama_llm_provider.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "adapters/llm/line_splitter.hpp"

namespace personae::llm {
namespace {

using internal::CallContext;
using nlohmann::json;
using std::chrono::milliseconds;

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

/// Ollama reads a keep_alive string as a Go duration ("10m"); a bare number must be sent as a
/// number (seconds), or "-1" would be refused.
json keep_alive_value(const std::string& text) {
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
  if (!digits.empty() && digits.size() <= 12 &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::stoll(text);
  }
  return text;
}

void add_options(json& body, const ModelOptions& options) {
  json values = json::object();
  if (options.temperature) values["temperature"] = *options.temperature;
  if (options.context_size) values["num_ctx"] = *options.context_size;
  if (options.seed) values["seed"] = *options.seed;
  if (options.max_tokens) values["num_predict"] = *options.max_tokens;
  if (options.top_p) values["top_p"] = *options.top_p;
  if (!options.stop.empty()) values["stop"] = options.stop;
  if (!values.empty()) body["options"] = std::move(values);
  if (options.keep_alive) body["keep_alive"] = keep_alive_value(*options.keep_alive);
}

void add_json_headers(outbound::Request& request, std::string_view accept) {
  request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back("Accept", std::string(accept));
}

ChatResult cancelled_result(std::string model, const std::string& provider) {
  ChatResult result;
  result.model = std::move(model);
  result.provider = provider;
  result.done_reason = "cancelled";
  result.cancelled = true;
  return result;
}

/// The final fields of a chat or generate answer (the last stream line, or the whole answer).
void read_final_fields(const json& answer, ChatResult& result) {
  result.done_reason = std::string(internal::string_field(answer, "done_reason"));
  result.prompt_tokens = internal::count_field(answer, "prompt_eval_count");
  result.completion_tokens = internal::count_field(answer, "eval_count");
  const auto model = internal::string_field(answer, "model");
  if (!model.empty()) result.model = std::string(model);
}

/// Reads Ollama's NDJSON stream of /api/chat (content in `message.content`) or /api/generate
/// (content in `response`).
struct ChatStream {
  ChatStream(const CallContext& context, const TokenCallback& on_token, std::uint64_t max_line, bool chat)
      : context(context), on_token(on_token), lines(max_line), chat(chat) {}

  /// This line's piece of content ("" when it has none).
  std::string_view content_of(const json& answer) const {
    if (!chat) return internal::string_field(answer, "response");
    const auto message = answer.find("message");
    return message == answer.end() ? std::string_view() : internal::string_field(*message, "content");
  }

  bool on_line(std::string_view line) {
    if (is_blank(line) || done) return true;
    const auto answer = json::parse(line, nullptr, false);
    if (answer.is_discarded() || !answer.is_object()) {
      failure =
          internal::bad_gateway(context, "a stream line is not a JSON object: " + internal::cut(line, 100));
      return false;
    }
    if (const auto error = answer.find("error"); error != answer.end()) {
      failure =
          internal::upstream_failed(context, error->is_string() ? error->get<std::string>() : error->dump());
      return false;
    }
    const auto done_field = answer.find("done");
    if (done_field == answer.end() || !done_field->is_boolean()) {
      failure = internal::bad_gateway(context, "a stream line has no boolean \"done\"");
      return false;
    }
    if (const auto content = content_of(answer); !content.empty()) {
      timer.piece();
      result.content.append(content);
      if (on_token && !on_token(content)) {
        cancelled = true;
        return false;
      }
    }
    if (done_field->get<bool>()) {
      done = true;
      read_final_fields(answer, result);
    }
    return true;
  }

  const CallContext& context;
  const TokenCallback& on_token;
  internal::LineSplitter lines;
  bool chat;
  internal::CallTimer timer;
  ChatResult result;
  std::optional<Error> failure;
  bool done = false;
  bool cancelled = false;
};

/// A list of models from /api/tags.
Result<std::vector<ModelInfo>> parse_tags(std::string_view body, const CallContext& context) {
  const auto answer = json::parse(body, nullptr, false);
  if (answer.is_discarded() || !answer.is_object() || !answer.contains("models") ||
      !answer["models"].is_array()) {
    return tl::unexpected(
        internal::bad_gateway(context, "/api/tags is not {\"models\": [...]}: " + internal::cut(body)));
  }
  std::vector<ModelInfo> models;
  for (const auto& entry : answer["models"]) {
    ModelInfo model;
    model.name = std::string(internal::string_field(entry, "name"));
    if (model.name.empty()) model.name = std::string(internal::string_field(entry, "model"));
    if (model.name.empty()) continue;
    if (const auto size = internal::count_field(entry, "size"))
      model.size_bytes = static_cast<std::uint64_t>(*size);
    model.modified = std::string(internal::string_field(entry, "modified_at"));
    if (const auto details = entry.find("details"); details != entry.end() && details->is_object()) {
      model.family = std::string(internal::string_field(*details, "family"));
      model.parameter_size = std::string(internal::string_field(*details, "parameter_size"));
      model.quantization = std::string(internal::string_field(*details, "quantization_level"));
    }
    models.push_back(std::move(model));
  }
  return models;
}

/// The names of the loaded models (from /api/ps); nullopt when the server does not say.
std::optional<std::set<std::string>> parse_loaded(std::string_view body) {
  const auto answer = json::parse(body, nullptr, false);
  if (answer.is_discarded() || !answer.is_object() || !answer.contains("models") ||
      !answer["models"].is_array()) {
    return std::nullopt;
  }
  std::set<std::string> names;
  for (const auto& entry : answer["models"]) {
    auto name = internal::string_field(entry, "name");
    if (name.empty()) name = internal::string_field(entry, "model");
    if (!name.empty()) names.emplace(name);
  }
  return names;
}

bool mentions_missing(std::string_view text) {
  return text.find("not found") != std::string_view::npos ||
         text.find("does not exist") != std::string_view::npos;
}

}  // namespace

OllamaLlmProvider::OllamaLlmProvider(OllamaOptions options, outbound::HttpClient& client)
    : endpoint_(internal::make_endpoint(
          std::move(options.name), options.base_url, options.timeout, options.connect_timeout,
          options.idle_timeout, options.max_response_bytes, std::move(options.headers), options.api_key)),
      default_model_(std::move(options.default_model)),
      pull_timeout_(options.pull_timeout),
      client_(client) {
  if (pull_timeout_.count() <= 0)
    throw std::invalid_argument("LLM provider \"" + endpoint_.name + "\": pull_timeout must be positive");
}

Result<ChatResult> OllamaLlmProvider::chat(const ChatRequest& request, const TokenCallback& on_token) {
  const std::string& model = request.model.empty() ? default_model_ : request.model;
  const CallContext context{endpoint_.name, "chat", model};
  if (model.empty())
    return tl::unexpected(
        internal::invalid_argument(context, "No model was named and the provider has no default model."));
  if (request.messages.empty())
    return tl::unexpected(internal::invalid_argument(context, "A chat needs at least one message."));
  auto schema = internal::parse_schema(request.json_schema, context);
  if (!schema) return tl::unexpected(std::move(schema.error()));
  if (request.cancellation.cancelled()) return cancelled_result(model, endpoint_.name);

  json messages = json::array();
  for (const auto& message : request.messages) {
    messages.push_back({{"role", role_name(message.role)}, {"content", message.content}});
  }
  json body = {{"model", model}, {"messages", std::move(messages)}, {"stream", true}};
  add_options(body, request.options);
  if (*schema) body["format"] = **schema;
  return stream(context, "/api/chat", body, *schema, request.timeout, request.cancellation, on_token);
}

Result<ChatResult> OllamaLlmProvider::generate(const GenerateRequest& request,
                                               const TokenCallback& on_token) {
  const std::string& model = request.model.empty() ? default_model_ : request.model;
  const CallContext context{endpoint_.name, "generate", model};
  if (model.empty())
    return tl::unexpected(
        internal::invalid_argument(context, "No model was named and the provider has no default model."));
  if (request.prompt.empty())
    return tl::unexpected(internal::invalid_argument(context, "The prompt is empty."));
  auto schema = internal::parse_schema(request.json_schema, context);
  if (!schema) return tl::unexpected(std::move(schema.error()));
  if (request.cancellation.cancelled()) return cancelled_result(model, endpoint_.name);

  json body = {{"model", model}, {"prompt", request.prompt}, {"stream", true}};
  if (!request.system.empty()) body["system"] = request.system;
  add_options(body, request.options);
  if (*schema) body["format"] = **schema;
  return stream(context, "/api/generate", body, *schema, request.timeout, request.cancellation, on_token);
}

Result<ChatResult> OllamaLlmProvider::stream(const internal::CallContext& context, std::string_view path,
                                             const nlohmann::json& body,
                                             const std::optional<nlohmann::json>& schema,
                                             std::optional<milliseconds> timeout,
                                             const CancellationToken& cancellation,
                                             const TokenCallback& on_token) {
  auto http = internal::make_request(endpoint_, "POST", path, timeout);
  add_json_headers(http, "application/x-ndjson");
  http.body = body.dump();

  ChatStream stream(context, on_token, endpoint_.max_response_bytes, path == "/api/chat");
  // Also while no byte arrives (a model loading for tens of seconds before its first token).
  internal::stream_until_cancelled(http, cancellation, stream.cancelled, [&](std::string_view chunk) {
    const auto status = stream.lines.feed(chunk, [&](std::string_view line) { return stream.on_line(line); });
    if (status == internal::FeedStatus::kTooLong) {
      stream.failure = internal::bad_gateway(context, "a stream line is longer than the response cap");
    }
    return status == internal::FeedStatus::kOk;
  });
  const auto response = client_.send(http);

  if (auto settled = internal::settle_stream(stream.failure, stream.cancelled, stream.result, stream.timer,
                                             response, context, endpoint_.name)) {
    return std::move(*settled);
  }
  ChatResult& result = stream.result;
  // Ollama ends every line with "\n"; a last line without one is still read.
  if (!stream.done && !stream.lines.rest().empty()) {
    const std::string last(stream.lines.rest());
    stream.on_line(last);
    if (stream.failure) return tl::unexpected(std::move(*stream.failure));
  }
  if (!stream.done) {
    return tl::unexpected(
        internal::truncated(context, "the stream ended without its final line (\"done\": true)"));
  }
  if (auto wrong = internal::check_structured(schema, result.content, context)) {
    return tl::unexpected(std::move(*wrong));
  }
  stream.timer.finish(result, true);
  return std::move(result);
}

Result<std::vector<ModelInfo>> OllamaLlmProvider::list_models(std::optional<milliseconds> timeout) {
  const CallContext context{endpoint_.name, "list models", ""};
  const auto started = std::chrono::steady_clock::now();
  auto http = internal::make_request(endpoint_, "GET", "/api/tags", timeout);
  http.headers.emplace_back("Accept", "application/json");
  const auto response = client_.send(http);
  if (!response) return tl::unexpected(internal::transport_error(response.error(), context));
  if (response->status != 200) return tl::unexpected(internal::status_error(*response, context));
  auto models = parse_tags(response->body, context);
  if (!models) return models;

  // Which models are loaded: best effort within what is left of the timeout (older servers lack
  // /api/ps; then `loaded` stays unknown).
  const auto spent = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
  const auto left = http.timeout - spent;
  if (left.count() > 0) {
    auto ps = internal::make_request(endpoint_, "GET", "/api/ps", left);
    ps.headers.emplace_back("Accept", "application/json");
    const auto running = client_.send(ps);
    if (running && running->status == 200) {
      if (const auto loaded = parse_loaded(running->body)) {
        for (auto& model : *models) model.loaded = loaded->count(model.name) > 0;
      }
    }
  }
  return models;
}

Result<EmbedResult> OllamaLlmProvider::embed(const EmbedRequest& request) {
  const std::string& model = request.model.empty() ? default_model_ : request.model;
  const CallContext context{endpoint_.name, "embed", model};
  if (model.empty())
    return tl::unexpected(
        internal::invalid_argument(context, "No model was named and the provider has no default model."));
  if (request.input.empty()) return tl::unexpected(internal::invalid_argument(context, "Nothing to embed."));
  json body = {{"model", model}, {"input", request.input}};
  if (request.keep_alive) body["keep_alive"] = keep_alive_value(*request.keep_alive);
  auto http = internal::make_request(endpoint_, "POST", "/api/embed", request.timeout);
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
  if (const auto error = answer.find("error"); error != answer.end()) {
    return tl::unexpected(
        internal::upstream_failed(context, error->is_string() ? error->get<std::string>() : error->dump()));
  }
  const auto vectors = answer.find("embeddings");
  if (vectors == answer.end() || !vectors->is_array() || vectors->size() != request.input.size()) {
    return tl::unexpected(internal::bad_gateway(context, "the answer has no \"embeddings\", one per input"));
  }
  EmbedResult result;
  result.model = model;
  result.provider = endpoint_.name;
  for (const auto& vector : *vectors) {
    if (!vector.is_array())
      return tl::unexpected(internal::bad_gateway(context, "an embedding is not an array"));
    std::vector<float> values;
    values.reserve(vector.size());
    for (const auto& value : vector) {
      if (!value.is_number())
        return tl::unexpected(internal::bad_gateway(context, "an embedding holds a non-number"));
      values.push_back(value.get<float>());
    }
    result.embeddings.push_back(std::move(values));
  }
  const auto reported = internal::string_field(answer, "model");
  if (!reported.empty()) result.model = std::string(reported);
  result.prompt_tokens = internal::count_field(answer, "prompt_eval_count");
  return result;
}

Result<PullResult> OllamaLlmProvider::pull(const PullRequest& request,
                                           const PullProgressCallback& on_progress) {
  const CallContext context{endpoint_.name, "pull", request.model};
  if (request.model.empty())
    return tl::unexpected(internal::invalid_argument(context, "Name the model to pull."));
  PullResult result;
  if (request.cancellation.cancelled()) {
    result.cancelled = true;
    return result;
  }
  json body = {{"model", request.model}, {"stream", true}};
  if (request.insecure) body["insecure"] = true;
  auto http = internal::make_request(endpoint_, "POST", "/api/pull", std::nullopt);
  http.timeout = std::max(milliseconds(1), std::min(request.timeout.value_or(pull_timeout_), pull_timeout_));
  add_json_headers(http, "application/x-ndjson");
  http.body = body.dump();

  internal::LineSplitter lines(endpoint_.max_response_bytes);
  std::optional<Error> failure;
  bool success = false;
  const auto on_line = [&](std::string_view line) {
    if (is_blank(line)) return true;
    const auto answer = json::parse(line, nullptr, false);
    if (answer.is_discarded() || !answer.is_object()) {
      failure =
          internal::bad_gateway(context, "a progress line is not a JSON object: " + internal::cut(line, 100));
      return false;
    }
    if (const auto error = answer.find("error"); error != answer.end()) {
      const std::string text = error->is_string() ? error->get<std::string>() : error->dump();
      failure = mentions_missing(text)
                    ? Error{ErrorCode::kNotFound,
                            "The model \"" + request.model + "\" was not found in the registry.",
                            "LLM provider \"" + endpoint_.name + "\" pull: " + internal::cut(text)}
                    : internal::upstream_failed(context, text);
      return false;
    }
    PullProgress progress;
    progress.status = std::string(internal::string_field(answer, "status"));
    progress.digest = std::string(internal::string_field(answer, "digest"));
    if (const auto total = internal::count_field(answer, "total"))
      progress.total = static_cast<std::uint64_t>(*total);
    if (const auto completed = internal::count_field(answer, "completed")) {
      progress.completed = static_cast<std::uint64_t>(*completed);
    }
    result.status = progress.status;
    if (progress.status == "success") success = true;
    if (on_progress && !on_progress(progress)) {
      result.cancelled = true;
      return false;
    }
    return true;
  };
  internal::stream_until_cancelled(http, request.cancellation, result.cancelled, [&](std::string_view chunk) {
    const auto status = lines.feed(chunk, on_line);
    if (status == internal::FeedStatus::kTooLong)
      failure = internal::bad_gateway(context, "a progress line is too long");
    return status == internal::FeedStatus::kOk;
  });
  const auto response = client_.send(http);
  if (failure) return tl::unexpected(std::move(*failure));
  if (result.cancelled) return result;
  if (!response) return tl::unexpected(internal::transport_error(response.error(), context));
  if (response->status < 200 || response->status >= 300) {
    return tl::unexpected(internal::status_error(*response, context));
  }
  if (!success && !lines.rest().empty()) {
    const std::string last(lines.rest());
    on_line(last);
    if (failure) return tl::unexpected(std::move(*failure));
  }
  if (!success) return tl::unexpected(internal::truncated(context, "the pull ended without \"success\""));
  return result;
}

}  // namespace personae::llm
