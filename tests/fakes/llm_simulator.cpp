#include "tests/fakes/llm_simulator.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

namespace personae::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr std::string_view kCreatedAt = "2026-01-01T00:00:00Z";
constexpr std::int64_t kCreatedUnix = 1767225600;  // the same instant
constexpr std::size_t kStructuredPiece = 5;

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = i;
    while (end < text.size() && text[end] == ' ') ++end;  // leading spaces stay with the word
    while (end < text.size() && text[end] != ' ') ++end;
    words.emplace_back(text.substr(i, end - i));
    i = end;
  }
  return words;
}

std::int64_t count_words(std::string_view text) {
  std::int64_t count = 0;
  bool in_word = false;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!space && !in_word) ++count;
    in_word = !space;
  }
  return count;
}

std::vector<std::string> pieces_of(std::string_view text, std::size_t size) {
  std::vector<std::string> pieces;
  for (std::size_t i = 0; i < text.size(); i += size) pieces.emplace_back(text.substr(i, size));
  return pieces;
}

/// A deterministic vector for a text: FNV-1a of the text and the dimension, mapped to [-1, 1].
std::vector<double> embedding_of(std::string_view text, std::size_t dimensions) {
  std::vector<double> values;
  values.reserve(dimensions);
  for (std::size_t d = 0; d < dimensions; ++d) {
    std::uint64_t hash = 14695981039346656037ULL;
    for (const char c : text) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ULL;
    }
    hash ^= d + 1;
    hash *= 1099511628211ULL;
    values.push_back(static_cast<double>(hash % 20001) / 10000.0 - 1.0);
  }
  return values;
}

std::string chunk_frame(std::string_view data) {
  std::array<char, 24> size{};
  const int length = std::snprintf(size.data(), size.size(), "%zx\r\n", data.size());
  std::string frame(size.data(), static_cast<std::size_t>(length));
  frame.append(data);
  frame.append("\r\n");
  return frame;
}

}  // namespace

/// What one generation answers, before it is framed by a protocol.
struct LlmSimulator::Reply {
  std::string model;
  std::vector<std::string> tokens;
  std::int64_t prompt_tokens = 0;
  std::string finish = "stop";
};

/// How streams are written (a copy of the settings, taken once per request).
struct LlmSimulator::StreamStyle {
  milliseconds token_delay{0};
  std::size_t split_bytes = 0;
  std::size_t messages_per_chunk = 1;
  bool noise = false;
};

namespace {

/// Writes one chunked stream: messages batched per chunk, cut into pieces, delayed.
class StreamWriter {
 public:
  StreamWriter(FakeExchange& exchange, std::size_t split_bytes, std::size_t per_chunk)
      : exchange_(exchange), split_bytes_(split_bytes), per_chunk_(std::max<std::size_t>(1, per_chunk)) {}

  void message(std::string_view bytes) {
    pending_.append(bytes);
    if (++pending_messages_ >= per_chunk_) flush();
  }

  void flush() {
    if (pending_.empty()) return;
    if (split_bytes_ == 0) {
      exchange_.send_raw(chunk_frame(pending_));
    } else {
      for (std::size_t i = 0; i < pending_.size(); i += split_bytes_) {
        exchange_.send_raw(chunk_frame(std::string_view(pending_).substr(i, split_bytes_)));
        // A pause so that the pieces leave as separate segments too.
        exchange_.sleep(milliseconds(1));
      }
    }
    pending_.clear();
    pending_messages_ = 0;
  }

  void finish() {
    flush();
    exchange_.send_raw("0\r\n\r\n");
  }

 private:
  FakeExchange& exchange_;
  std::size_t split_bytes_;
  std::size_t per_chunk_;
  std::string pending_;
  std::size_t pending_messages_ = 0;
};

std::string fault_structured(LlmFault fault, const std::string& reply) {
  if (fault == LlmFault::kWrongSchema) return R"({"unexpected":"shape","items":[1,2]})";
  if (fault == LlmFault::kInvalidStructuredJson) return R"({"caption": "unterminated)";
  return reply;
}

bool mid_stream(LlmFault fault) {
  return fault == LlmFault::kErrorLine || fault == LlmFault::kMalformedJson ||
         fault == LlmFault::kDropConnection || fault == LlmFault::kTruncate;
}

}  // namespace

std::vector<std::string> LlmSimulator::default_reply() {
  return {"The", " quick", " brown", " fox", " jumps", " over", " the", " lazy", " dog", "."};
}

LlmSimulator::LlmSimulator(Protocol protocol)
    : protocol_(protocol),
      server_([this](const FakeRequest& request, FakeExchange& exchange) { handle(request, exchange); }) {
  SimulatedModel model;
  model.name = std::string(kDefaultModel);
  model.tokens = default_reply();
  models_.push_back(std::move(model));
}

LlmSimulator::~LlmSimulator() {
  server_.stop();
}

void LlmSimulator::add_model(SimulatedModel model) {
  const std::lock_guard lock(mutex_);
  for (auto& existing : models_) {
    if (existing.name == model.name) {
      existing = std::move(model);
      return;
    }
  }
  models_.push_back(std::move(model));
}

void LlmSimulator::remove_model(std::string_view name) {
  const std::lock_guard lock(mutex_);
  std::erase_if(models_, [&](const SimulatedModel& model) { return model.name == name; });
}

std::vector<std::string> LlmSimulator::model_names() const {
  const std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& model : models_) names.push_back(model.name);
  return names;
}

void LlmSimulator::set_fault(LlmFaultPlan plan) {
  const std::lock_guard lock(mutex_);
  fault_ = plan;
}

void LlmSimulator::clear_fault() {
  const std::lock_guard lock(mutex_);
  fault_ = LlmFaultPlan{};
}

void LlmSimulator::set_token_delay(milliseconds delay) {
  const std::lock_guard lock(mutex_);
  token_delay_ = delay;
}

void LlmSimulator::set_split_bytes(std::size_t bytes) {
  const std::lock_guard lock(mutex_);
  split_bytes_ = bytes;
}

void LlmSimulator::set_messages_per_chunk(std::size_t count) {
  const std::lock_guard lock(mutex_);
  messages_per_chunk_ = std::max<std::size_t>(1, count);
}

void LlmSimulator::set_noise(bool on) {
  const std::lock_guard lock(mutex_);
  noise_ = on;
}

void LlmSimulator::set_api_key(std::string key) {
  const std::lock_guard lock(mutex_);
  api_key_ = std::move(key);
}

std::vector<FakeRequest> LlmSimulator::requests_to(std::string_view path) const {
  std::vector<FakeRequest> matching;
  for (auto& request : server_.requests()) {
    if (request.path == path) matching.push_back(std::move(request));
  }
  return matching;
}

std::optional<json> LlmSimulator::last_body(std::string_view path) const {
  const auto matching = requests_to(path);
  if (matching.empty()) return std::nullopt;
  auto body = json::parse(matching.back().body, nullptr, false);
  if (body.is_discarded()) return std::nullopt;
  return body;
}

std::optional<LlmFaultPlan> LlmSimulator::take_fault(bool generation) {
  const std::lock_guard lock(mutex_);
  if (fault_.fault == LlmFault::kNone || fault_.times == 0) return std::nullopt;
  if (!generation && !fault_.all_endpoints) return std::nullopt;
  if (fault_.times > 0) --fault_.times;
  return fault_;
}

std::optional<SimulatedModel> LlmSimulator::find_model(std::string_view name) const {
  const std::lock_guard lock(mutex_);
  for (const auto& model : models_) {
    if (model.name == name) return model;
  }
  return std::nullopt;
}

LlmSimulator::StreamStyle LlmSimulator::style() const {
  const std::lock_guard lock(mutex_);
  return StreamStyle{token_delay_, split_bytes_, messages_per_chunk_, noise_};
}

void LlmSimulator::respond_error(FakeExchange& exchange, int status, std::string_view message,
                                 std::string_view code) {
  json body;
  if (protocol_ == Protocol::kOllama) {
    body = {{"error", message}};
  } else {
    body = {{"error",
             {{"message", message}, {"type", status >= 500 ? "server_error" : "invalid_request_error"}}}};
    if (!code.empty()) body["error"]["code"] = code;
  }
  exchange.respond(status, body.dump(), {{"Content-Type", "application/json"}});
}

bool LlmSimulator::answer_with_fault(const std::optional<LlmFaultPlan>& fault, FakeExchange& exchange) {
  if (!fault) return false;
  switch (fault->fault) {
    case LlmFault::kHttp500: respond_error(exchange, 500, "simulated internal error"); return true;
    case LlmFault::kHttp429: {
      json body = protocol_ == Protocol::kOllama
                      ? json{{"error", "server busy, please try again"}}
                      : json{{"error", {{"message", "Rate limit reached"}, {"type", "rate_limit_error"}}}};
      exchange.respond(429, body.dump(),
                       {{"Content-Type", "application/json"},
                        {"Retry-After", std::to_string(fault->retry_after_seconds)}});
      return true;
    }
    case LlmFault::kHang:
      while (exchange.sleep(milliseconds(60'000))) {
      }
      exchange.close();
      return true;
    default: return false;
  }
}

void LlmSimulator::handle(const FakeRequest& request, FakeExchange& exchange) {
  json body;
  if (!request.body.empty()) {
    body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      respond_error(exchange, 400, "invalid JSON in the request body");
      return;
    }
  }
  if (protocol_ == Protocol::kOllama) {
    handle_ollama(request, body, exchange);
  } else {
    handle_openai(request, body, exchange);
  }
}

void LlmSimulator::handle_ollama(const FakeRequest& request, const json& body, FakeExchange& exchange) {
  const std::string& path = request.path;
  if (path == "/api/chat" && request.method == "POST")
    return ollama_generation(request, body, exchange, true);
  if (path == "/api/generate" && request.method == "POST")
    return ollama_generation(request, body, exchange, false);
  if (path == "/api/pull" && request.method == "POST") return ollama_pull(body, exchange);
  if (path == "/api/version") {
    exchange.respond(200, R"({"version":"0.0.0-simulator"})", {{"Content-Type", "application/json"}});
    return;
  }
  const bool generation = path == "/api/embed";
  if (answer_with_fault(take_fault(generation), exchange)) return;

  const auto describe = [](const SimulatedModel& model) {
    return json{{"name", model.name},
                {"model", model.name},
                {"modified_at", kCreatedAt},
                {"size", model.size_bytes},
                {"digest", "sha256:" + std::string(64, 'a')},
                {"details",
                 {{"format", "gguf"},
                  {"family", model.family},
                  {"families", json::array({model.family})},
                  {"parameter_size", model.parameter_size},
                  {"quantization_level", model.quantization}}}};
  };
  if (path == "/api/tags" || path == "/api/ps") {
    std::vector<SimulatedModel> models;
    {
      const std::lock_guard lock(mutex_);
      models = models_;
    }
    json list = json::array();
    for (const auto& model : models) {
      if (path == "/api/ps" && !model.loaded) continue;
      json entry = describe(model);
      if (path == "/api/ps") {
        entry["expires_at"] = "2026-01-01T00:05:00Z";
        entry["size_vram"] = model.size_bytes;
      }
      list.push_back(std::move(entry));
    }
    exchange.respond(200, json{{"models", std::move(list)}}.dump(), {{"Content-Type", "application/json"}});
    return;
  }
  const std::string name = body.value("model", body.value("name", std::string()));
  if (path == "/api/show" && request.method == "POST") {
    const auto model = find_model(name);
    if (!model) return respond_error(exchange, 404, "model '" + name + "' not found");
    json answer = describe(*model);
    exchange.respond(200,
                     json{{"modelfile", "FROM " + model->name},
                          {"parameters", ""},
                          {"template", "{{ .Prompt }}"},
                          {"details", answer["details"]},
                          {"model_info", json::object()}}
                         .dump(),
                     {{"Content-Type", "application/json"}});
    return;
  }
  if (path == "/api/embed" && request.method == "POST") {
    const auto model = find_model(name);
    if (!model) return respond_error(exchange, 404, "model \"" + name + "\" not found, try pulling it first");
    std::vector<std::string> inputs;
    if (body.contains("input") && body["input"].is_string())
      inputs.push_back(body["input"].get<std::string>());
    if (body.contains("input") && body["input"].is_array()) {
      for (const auto& text : body["input"])
        inputs.push_back(text.is_string() ? text.get<std::string>() : text.dump());
    }
    json vectors = json::array();
    std::int64_t words = 0;
    for (const auto& text : inputs) {
      vectors.push_back(embedding_of(text, model->embedding_dimensions));
      words += count_words(text);
    }
    exchange.respond(200,
                     json{{"model", model->name},
                          {"embeddings", std::move(vectors)},
                          {"total_duration", 1'000'000},
                          {"load_duration", 0},
                          {"prompt_eval_count", words}}
                         .dump(),
                     {{"Content-Type", "application/json"}});
    return;
  }
  respond_error(exchange, 404, "404 page not found");
}

void LlmSimulator::ollama_generation(const FakeRequest&, const json& body, FakeExchange& exchange,
                                     bool chat) {
  const auto fault = take_fault(true);
  const std::string name = body.value("model", std::string());
  const auto model = find_model(name);
  if (!model) return respond_error(exchange, 404, "model \"" + name + "\" not found, try pulling it first");
  if (answer_with_fault(fault, exchange)) return;
  const LlmFault kind = fault ? fault->fault : LlmFault::kNone;

  Reply reply;
  reply.model = model->name;
  std::string user_text;
  if (chat) {
    if (!body.contains("messages") || !body["messages"].is_array()) {
      return respond_error(exchange, 400, "messages is required");
    }
    for (const auto& message : body["messages"]) {
      const std::string content = message.value("content", std::string());
      reply.prompt_tokens += count_words(content);
      if (message.value("role", std::string()) == "user") user_text = content;
    }
  } else {
    user_text = body.value("prompt", std::string());
    reply.prompt_tokens = count_words(user_text) + count_words(body.value("system", std::string()));
  }
  const bool structured = body.contains("format") && !body["format"].is_null();
  if (structured) {
    reply.tokens = pieces_of(fault_structured(kind, model->structured_reply), kStructuredPiece);
  } else {
    reply.tokens = model->tokens.empty() ? words_of(user_text) : model->tokens;
  }
  if (const auto options = body.find("options"); options != body.end() && options->is_object()) {
    if (const auto limit = options->find("num_predict");
        limit != options->end() && limit->is_number_integer()) {
      const auto most = limit->get<std::int64_t>();
      if (most >= 0 && static_cast<std::size_t>(most) < reply.tokens.size()) {
        reply.tokens.resize(static_cast<std::size_t>(most));
        reply.finish = "length";
      }
    }
  }
  const auto completed = [&](json& line) {
    const auto count = static_cast<std::int64_t>(reply.tokens.size());
    line["done"] = true;
    line["done_reason"] = reply.finish;
    line["total_duration"] = 5'000'000 + count * 1'000'000;
    line["load_duration"] = 1'000'000;
    line["prompt_eval_count"] = reply.prompt_tokens;
    line["prompt_eval_duration"] = 2'000'000;
    line["eval_count"] = count;
    line["eval_duration"] = count * 1'000'000;
  };

  const bool stream = body.value("stream", true);
  if (!stream) {
    std::string text;
    for (const auto& token : reply.tokens) text += token;
    json answer = {{"model", reply.model}, {"created_at", kCreatedAt}};
    if (chat) {
      answer["message"] = {{"role", "assistant"}, {"content", text}};
    } else {
      answer["response"] = text;
    }
    completed(answer);
    if (kind == LlmFault::kMalformedJson) {
      exchange.respond(200, R"({"model": "broken", "response": )", {{"Content-Type", "application/json"}});
      return;
    }
    exchange.respond(200, answer.dump(), {{"Content-Type", "application/json"}});
    return;
  }

  const StreamStyle how = style();
  const std::string end = how.noise ? "\r\n" : "\n";
  exchange.send_head(200, {{"Content-Type", "application/x-ndjson"}});
  StreamWriter writer(exchange, how.split_bytes, how.messages_per_chunk);
  const auto fault_now = [&](std::size_t sent) {
    return mid_stream(kind) && sent == static_cast<std::size_t>(std::max(0, fault->after_tokens));
  };
  for (std::size_t i = 0; i <= reply.tokens.size(); ++i) {
    if (fault_now(i) || (i == reply.tokens.size() && mid_stream(kind))) {
      switch (kind) {
        case LlmFault::kErrorLine:
          writer.message(R"({"error":"simulated failure: the model runner stopped"})" + end);
          writer.finish();
          return;
        case LlmFault::kMalformedJson:
          writer.message(R"({"model":"broken","message":{"content": )" + end);
          writer.finish();
          return;
        case LlmFault::kDropConnection:
          writer.flush();
          exchange.sleep(milliseconds(20));
          exchange.reset();
          return;
        default:  // kTruncate
          writer.finish();
          return;
      }
    }
    if (i == reply.tokens.size()) break;
    if (how.token_delay.count() > 0) {
      writer.flush();
      if (!exchange.sleep(how.token_delay)) return;
    }
    json line = {{"model", reply.model}, {"created_at", kCreatedAt}, {"done", false}};
    if (chat) {
      line["message"] = {{"role", "assistant"}, {"content", reply.tokens[i]}};
    } else {
      line["response"] = reply.tokens[i];
    }
    if (how.noise) writer.message(end);
    writer.message(line.dump() + end);
    ++pieces_written_;
  }
  json last = {{"model", reply.model}, {"created_at", kCreatedAt}};
  if (chat) {
    last["message"] = {{"role", "assistant"}, {"content", ""}};
  } else {
    last["response"] = "";
  }
  completed(last);
  writer.message(last.dump() + end);
  writer.finish();
}

void LlmSimulator::ollama_pull(const json& body, FakeExchange& exchange) {
  const auto fault = take_fault(true);
  if (answer_with_fault(fault, exchange)) return;
  const LlmFault kind = fault ? fault->fault : LlmFault::kNone;
  const std::string name = body.value("model", body.value("name", std::string()));
  if (name.empty()) return respond_error(exchange, 400, "model is required");
  const std::string digest = "sha256:" + std::string(64, 'b');
  std::vector<json> lines = {{{"status", "pulling manifest"}}};
  for (const std::uint64_t completed : {0ULL, 1'500'000ULL, 3'000'000ULL}) {
    lines.push_back({{"status", "pulling " + digest.substr(7, 12)},
                     {"digest", digest},
                     {"total", 3'000'000},
                     {"completed", completed}});
  }
  lines.push_back({{"status", "verifying sha256 digest"}});
  lines.push_back({{"status", "writing manifest"}});
  lines.push_back({{"status", "success"}});

  const bool stream = body.value("stream", true);
  if (!stream) {
    if (kind == LlmFault::kNone) {
      SimulatedModel model;
      model.name = name;
      if (!find_model(name)) add_model(std::move(model));
    }
    exchange.respond(200, json{{"status", "success"}}.dump(), {{"Content-Type", "application/json"}});
    return;
  }
  const StreamStyle how = style();
  exchange.send_head(200, {{"Content-Type", "application/x-ndjson"}});
  StreamWriter writer(exchange, how.split_bytes, how.messages_per_chunk);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (mid_stream(kind) && i == static_cast<std::size_t>(std::max(0, fault->after_tokens))) {
      if (kind == LlmFault::kErrorLine)
        writer.message(R"({"error":"simulated failure: pull interrupted"})"
                       "\n");
      if (kind == LlmFault::kMalformedJson) writer.message("{\"status\": \n");
      if (kind == LlmFault::kDropConnection) {
        writer.flush();
        exchange.sleep(milliseconds(20));
        exchange.reset();
        return;
      }
      writer.finish();
      return;
    }
    if (how.token_delay.count() > 0) {
      writer.flush();
      if (!exchange.sleep(how.token_delay)) return;
    }
    writer.message(lines[i].dump() + "\n");
    ++pieces_written_;
  }
  SimulatedModel model;
  model.name = name;
  if (!find_model(name)) add_model(std::move(model));
  writer.finish();
}

void LlmSimulator::handle_openai(const FakeRequest& request, const json& body, FakeExchange& exchange) {
  std::string key;
  {
    const std::lock_guard lock(mutex_);
    key = api_key_;
  }
  if (!key.empty() && request.header("Authorization") != "Bearer " + key) {
    return respond_error(exchange, 401, "Incorrect API key provided.", "invalid_api_key");
  }
  const std::string& path = request.path;
  if (path == "/v1/chat/completions" && request.method == "POST") return openai_completion(body, exchange);
  const bool generation = path == "/v1/embeddings";
  if (path == "/v1/models" && request.method == "GET") {
    if (answer_with_fault(take_fault(false), exchange)) return;
    std::vector<SimulatedModel> models;
    {
      const std::lock_guard lock(mutex_);
      models = models_;
    }
    json list = json::array();
    for (const auto& model : models) {
      list.push_back({{"id", model.name},
                      {"object", "model"},
                      {"created", kCreatedUnix},
                      {"owned_by", "personae-simulator"}});
    }
    exchange.respond(200, json{{"object", "list"}, {"data", std::move(list)}}.dump(),
                     {{"Content-Type", "application/json"}});
    return;
  }
  if (path == "/v1/embeddings" && request.method == "POST") {
    if (answer_with_fault(take_fault(generation), exchange)) return;
    const std::string name = body.value("model", std::string());
    const auto model = find_model(name);
    if (!model)
      return respond_error(exchange, 404, "The model `" + name + "` does not exist.", "model_not_found");
    std::vector<std::string> inputs;
    if (body.contains("input") && body["input"].is_string())
      inputs.push_back(body["input"].get<std::string>());
    if (body.contains("input") && body["input"].is_array()) {
      for (const auto& text : body["input"])
        inputs.push_back(text.is_string() ? text.get<std::string>() : text.dump());
    }
    json data = json::array();
    std::int64_t words = 0;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      data.push_back({{"object", "embedding"},
                      {"index", i},
                      {"embedding", embedding_of(inputs[i], model->embedding_dimensions)}});
      words += count_words(inputs[i]);
    }
    exchange.respond(200,
                     json{{"object", "list"},
                          {"data", std::move(data)},
                          {"model", model->name},
                          {"usage", {{"prompt_tokens", words}, {"total_tokens", words}}}}
                         .dump(),
                     {{"Content-Type", "application/json"}});
    return;
  }
  respond_error(exchange, 404, "Not found: " + path);
}

void LlmSimulator::openai_completion(const json& body, FakeExchange& exchange) {
  const auto fault = take_fault(true);
  const std::string name = body.value("model", std::string());
  const auto model = find_model(name);
  if (!model)
    return respond_error(exchange, 404, "The model `" + name + "` does not exist.", "model_not_found");
  if (answer_with_fault(fault, exchange)) return;
  const LlmFault kind = fault ? fault->fault : LlmFault::kNone;
  if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty()) {
    return respond_error(exchange, 400, "'messages' is a required property");
  }
  Reply reply;
  reply.model = model->name;
  std::string user_text;
  for (const auto& message : body["messages"]) {
    const std::string content = message.value("content", std::string());
    reply.prompt_tokens += count_words(content);
    if (message.value("role", std::string()) == "user") user_text = content;
  }
  bool structured = false;
  if (const auto format = body.find("response_format"); format != body.end() && format->is_object()) {
    const std::string type = format->value("type", std::string());
    structured = type == "json_schema" || type == "json_object";
  }
  if (structured) {
    reply.tokens = pieces_of(fault_structured(kind, model->structured_reply), kStructuredPiece);
  } else {
    reply.tokens = model->tokens.empty() ? words_of(user_text) : model->tokens;
  }
  for (const char* field : {"max_tokens", "max_completion_tokens"}) {
    if (const auto limit = body.find(field); limit != body.end() && limit->is_number_integer()) {
      const auto most = limit->get<std::int64_t>();
      if (most >= 0 && static_cast<std::size_t>(most) < reply.tokens.size()) {
        reply.tokens.resize(static_cast<std::size_t>(most));
        reply.finish = "length";
      }
    }
  }
  const auto completion_tokens = static_cast<std::int64_t>(reply.tokens.size());
  const json usage = {{"prompt_tokens", reply.prompt_tokens},
                      {"completion_tokens", completion_tokens},
                      {"total_tokens", reply.prompt_tokens + completion_tokens}};
  const std::string id = "chatcmpl-sim-" + std::to_string(++next_id_);

  if (!body.value("stream", false)) {
    std::string text;
    for (const auto& token : reply.tokens) text += token;
    if (kind == LlmFault::kMalformedJson) {
      exchange.respond(200, R"({"id": "broken", "choices": [)", {{"Content-Type", "application/json"}});
      return;
    }
    const json answer = {{"id", id},
                         {"object", "chat.completion"},
                         {"created", kCreatedUnix},
                         {"model", reply.model},
                         {"choices", json::array({{{"index", 0},
                                                   {"message", {{"role", "assistant"}, {"content", text}}},
                                                   {"finish_reason", reply.finish}}})},
                         {"usage", usage}};
    exchange.respond(200, answer.dump(), {{"Content-Type", "application/json"}});
    return;
  }

  bool include_usage = false;
  if (const auto options = body.find("stream_options"); options != body.end() && options->is_object()) {
    include_usage = options->value("include_usage", false);
  }
  const StreamStyle how = style();
  const std::string end = how.noise ? "\r\n" : "\n";
  int event_id = 0;
  const auto event = [&](const std::string& data) {
    std::string text;
    if (how.noise) {
      text += ": keep-alive" + end + end;
      text += "id: " + std::to_string(++event_id) + end;
      text += "event: message" + end;
      // The JSON over two data lines (joined with "\n" by the reader: still the same JSON).
      if (data.size() > 1 && data.front() == '{') {
        text += "data: {" + end + "data: " + data.substr(1) + end + end;
        return text;
      }
    }
    text += "data: " + data + end + end;
    return text;
  };
  const auto chunk = [&](const json& delta, const json& finish) {
    return json{{"id", id},
                {"object", "chat.completion.chunk"},
                {"created", kCreatedUnix},
                {"model", reply.model},
                {"choices", json::array({{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}})}};
  };

  exchange.send_head(200, {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}});
  StreamWriter writer(exchange, how.split_bytes, how.messages_per_chunk);
  writer.message(event(chunk({{"role", "assistant"}, {"content", ""}}, nullptr).dump()));
  for (std::size_t i = 0; i <= reply.tokens.size(); ++i) {
    const bool fault_now =
        mid_stream(kind) &&
        (i == static_cast<std::size_t>(std::max(0, fault->after_tokens)) || i == reply.tokens.size());
    if (fault_now) {
      switch (kind) {
        case LlmFault::kErrorLine:
          writer.message(event(
              R"({"error":{"message":"simulated failure: the model runner stopped","type":"server_error","code":500}})"));
          writer.finish();
          return;
        case LlmFault::kMalformedJson:
          writer.message(std::string(R"(data: {"id": "broken", "choices": [)").append(end).append(end));
          writer.finish();
          return;
        case LlmFault::kDropConnection:
          writer.flush();
          exchange.sleep(milliseconds(20));
          exchange.reset();
          return;
        default:  // kTruncate
          writer.finish();
          return;
      }
    }
    if (i == reply.tokens.size()) break;
    if (how.token_delay.count() > 0) {
      writer.flush();
      if (!exchange.sleep(how.token_delay)) return;
    }
    writer.message(event(chunk({{"content", reply.tokens[i]}}, nullptr).dump()));
    ++pieces_written_;
  }
  writer.message(event(chunk(json::object(), reply.finish).dump()));
  if (include_usage) {
    writer.message(event(json{
        {"id", id},
        {"object", "chat.completion.chunk"},
        {"created", kCreatedUnix},
        {"model", reply.model},
        {"choices", json::array()},
        {"usage", usage}}.dump()));
  }
  writer.message("data: [DONE]" + end + end);
  writer.finish();
}

}  // namespace personae::testing
