#include "tests/deploy/deploy_support.hpp"

#include <unistd.h>

#include <cctype>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/integration/personae_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::deploy_test {

std::filesystem::path source_dir() {
  return PERSONAE_SOURCE_DIR;
}

std::filesystem::path repo_path(const std::string& relative) {
  return source_dir() / relative;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  out << text;
}

std::optional<std::string> find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream folders(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string folder;
  while (std::getline(folders, folder, ':')) {
    if (folder.empty()) continue;
    const auto candidate = std::filesystem::path(folder) / name;
    std::error_code ignored;
    if (std::filesystem::is_regular_file(candidate, ignored) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate.string();
    }
  }
  return std::nullopt;
}

testing::CommandResult run(std::vector<std::string> arguments, const std::string& package,
                           const std::map<std::string, std::string>& environment,
                           const std::filesystem::path& working_directory,
                           std::chrono::milliseconds timeout) {
  if (arguments.empty()) throw std::invalid_argument("run: no program");
  if (arguments[0].find('/') == std::string::npos) {
    const auto found = find_program(arguments[0]);
    if (!found) {
      throw std::runtime_error(arguments[0] + " is not installed (Debian package " + package +
                               "; scripts/bootstrap test installs it)");
    }
    arguments[0] = *found;
  }
  testing::ChildProcess::Options options;
  options.arguments = std::move(arguments);
  options.environment = environment;
  options.working_directory = working_directory;
  return testing::run_command(std::move(options), timeout);
}

// --- YAML -----------------------------------------------------------------------------------------

std::string scalar(const YAML::Node& map, const std::string& key) {
  if (!map.IsMap()) return {};
  const YAML::Node value = map[key];
  if (!value || !value.IsScalar()) return {};
  return value.Scalar();
}

bool has_key(const YAML::Node& map, const std::string& key) {
  if (!map.IsMap()) return false;
  const YAML::Node value = map[key];
  return static_cast<bool>(value);
}

YAML::Node resolve_merge_keys(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      YAML::Node out(YAML::NodeType::Map);
      std::set<std::string> keys;
      for (const auto& entry : node) {
        const auto key = entry.first.Scalar();
        if (key == "<<") continue;
        out[key] = resolve_merge_keys(entry.second);
        keys.insert(key);
      }
      const YAML::Node merged = node["<<"];
      if (merged) {
        std::vector<YAML::Node> sources;
        if (merged.IsSequence()) {
          for (const auto& source : merged) sources.push_back(source);
        } else {
          sources.push_back(merged);
        }
        for (const auto& source : sources) {
          if (!source.IsMap())
            throw std::runtime_error("a YAML merge key (<<) names something that is not a map");
          const YAML::Node resolved = resolve_merge_keys(source);
          for (const auto& entry : resolved) {
            const auto key = entry.first.Scalar();
            if (keys.insert(key).second) out[key] = entry.second;
          }
        }
      }
      return out;
    }
    case YAML::NodeType::Sequence: {
      YAML::Node out(YAML::NodeType::Sequence);
      for (const auto& element : node) out.push_back(resolve_merge_keys(element));
      return out;
    }
    default: return YAML::Clone(node);
  }
}

namespace {

bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_';
}
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

struct Reference {
  std::string name;
  std::string operation;  // "", ":-", "-", ":?", "?"
  std::string argument;
  std::size_t end = 0;  // one past the reference
};

// Parses the reference starting at text[at] == '$' (not "$$"); nullopt when it is no reference.
std::optional<Reference> parse_reference(const std::string& text, std::size_t at) {
  Reference reference;
  std::size_t i = at + 1;
  if (i < text.size() && text[i] == '{') {
    const auto close = text.find('}', i);
    if (close == std::string::npos) throw std::runtime_error("unterminated ${ in: " + text);
    const std::string inside = text.substr(i + 1, close - i - 1);
    std::size_t n = 0;
    while (n < inside.size() && is_name_char(inside[n])) ++n;
    reference.name = inside.substr(0, n);
    if (reference.name.empty() || !is_name_start(reference.name[0])) {
      throw std::runtime_error("bad variable reference ${" + inside + "} in: " + text);
    }
    const std::string rest = inside.substr(n);
    for (const char* operation : {":-", ":?", "-", "?"}) {
      if (rest.rfind(operation, 0) == 0) {
        reference.operation = operation;
        reference.argument = rest.substr(std::string(operation).size());
        break;
      }
    }
    if (reference.operation.empty() && !rest.empty()) {
      throw std::runtime_error("unsupported variable form ${" + inside + "} in: " + text);
    }
    reference.end = close + 1;
    return reference;
  }
  if (i < text.size() && is_name_start(text[i])) {
    std::size_t n = i;
    while (n < text.size() && is_name_char(text[n])) ++n;
    reference.name = text.substr(i, n - i);
    reference.end = n;
    return reference;
  }
  return std::nullopt;
}

}  // namespace

std::string interpolate(const std::string& text, const std::map<std::string, std::string>& variables,
                        std::set<std::string>* missing) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] != '$') {
      out += text[i++];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      i += 2;
      continue;
    }
    const auto reference = parse_reference(text, i);
    if (!reference) {
      out += text[i++];
      continue;
    }
    const auto found = variables.find(reference->name);
    const bool set = found != variables.end();
    const bool empty = !set || found->second.empty();
    if (reference->operation == ":-") {
      out += empty ? reference->argument : found->second;
    } else if (reference->operation == "-") {
      out += set ? found->second : reference->argument;
    } else {
      if (!set && missing != nullptr) missing->insert(reference->name);
      if (set) out += found->second;
    }
    i = reference->end;
  }
  return out;
}

YAML::Node interpolate_node(const YAML::Node& node, const std::map<std::string, std::string>& variables,
                            std::set<std::string>* missing) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      YAML::Node out(YAML::NodeType::Map);
      for (const auto& entry : node) {
        out[interpolate(entry.first.Scalar(), variables, missing)] =
            interpolate_node(entry.second, variables, missing);
      }
      return out;
    }
    case YAML::NodeType::Sequence: {
      YAML::Node out(YAML::NodeType::Sequence);
      for (const auto& element : node) out.push_back(interpolate_node(element, variables, missing));
      return out;
    }
    case YAML::NodeType::Scalar: return YAML::Node(interpolate(node.Scalar(), variables, missing));
    default: return YAML::Clone(node);
  }
}

std::map<std::string, std::optional<std::string>> referenced_variables(const std::string& text) {
  std::map<std::string, std::optional<std::string>> found;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    // Comments are not interpolated.
    const auto first = line.find_first_not_of(' ');
    if (first != std::string::npos && line[first] == '#') continue;
    for (std::size_t i = 0; i < line.size();) {
      if (line[i] != '$') {
        ++i;
        continue;
      }
      if (i + 1 < line.size() && line[i + 1] == '$') {
        i += 2;
        continue;
      }
      const auto reference = parse_reference(line, i);
      if (!reference) {
        ++i;
        continue;
      }
      auto& entry = found[reference->name];
      if (reference->operation == ":-" || reference->operation == "-") entry = reference->argument;
      i = reference->end;
    }
  }
  return found;
}

std::map<std::string, std::string> parse_dotenv(const std::string& text) {
  std::map<std::string, std::string> values;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto equals = line.find('=');
    if (equals == std::string::npos) throw std::runtime_error(".env line without '=': " + line);
    values[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return values;
}

// --- PromQL ---------------------------------------------------------------------------------------

namespace {

bool is_metric_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' || c == ':';
}
bool is_metric_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == ':';
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Index one past the bracket matching text[at] (an opening '(', '{' or '['), skipping strings.
std::size_t skip_group(std::string_view text, std::size_t at) {
  const char open = text[at];
  const char close = open == '(' ? ')' : open == '{' ? '}' : ']';
  int depth = 0;
  for (std::size_t i = at; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"' || c == '\'' || c == '`') {
      const char quote = c;
      for (++i; i < text.size() && text[i] != quote; ++i) {
        if (text[i] == '\\' && quote != '`') ++i;
      }
      continue;
    }
    if (c == open) ++depth;
    if (c == close && --depth == 0) return i + 1;
  }
  throw std::runtime_error("unbalanced '" + std::string(1, open) + "' in PromQL: " + std::string(text));
}

}  // namespace

std::set<std::string> promql_metric_names(std::string_view text) {
  static const std::set<std::string> grouping = {"by",       "without",    "on",
                                                 "ignoring", "group_left", "group_right"};
  // Keywords, and aggregation operators (they may be followed by "by (...)" instead of "(").
  static const std::set<std::string> keywords = {
      "and",          "or",      "unless", "bool",     "offset", "atan2",      "inf",    "nan",
      "sum",          "min",     "max",    "avg",      "group",  "stddev",     "stdvar", "count",
      "count_values", "bottomk", "topk",   "quantile", "limitk", "limit_ratio"};
  std::set<std::string> names;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
    } else if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '"' || c == '\'' || c == '`') {
      const char quote = c;
      for (++i; i < text.size() && text[i] != quote; ++i) {
        if (text[i] == '\\' && quote != '`') ++i;
      }
      ++i;
    } else if (c == '{' || c == '[') {
      i = skip_group(text, i);  // label matchers, ranges and subqueries
    } else if (c == '$') {
      // A Grafana variable: $name or ${name}.
      ++i;
      if (i < text.size() && text[i] == '{') {
        i = skip_group(text, i);
      } else {
        while (i < text.size() && is_metric_char(text[i])) ++i;
      }
    } else if (std::isdigit(static_cast<unsigned char>(c)) != 0 ||
               (c == '.' && i + 1 < text.size() &&
                std::isdigit(static_cast<unsigned char>(text[i + 1])) != 0)) {
      while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) != 0 || text[i] == '.'))
        ++i;
    } else if (is_metric_start(c)) {
      std::size_t end = i;
      while (end < text.size() && is_metric_char(text[end])) ++end;
      const std::string word(text.substr(i, end - i));
      std::size_t next = end;
      while (next < text.size() && std::isspace(static_cast<unsigned char>(text[next])) != 0) ++next;
      const bool called = next < text.size() && text[next] == '(';
      const std::string word_lower = lower(word);
      if (grouping.contains(word_lower)) {
        i = called ? skip_group(text, next) : end;  // the label list after by/without/on/...
      } else if (called || keywords.contains(word_lower)) {
        i = end;  // a function or aggregation (its arguments are read next), or a keyword
      } else {
        names.insert(word);
        i = end;
      }
    } else {
      ++i;
    }
  }
  return names;
}

MetricFamilies parse_metric_families(const std::string& exposition) {
  MetricFamilies families;
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream fields(line.substr(7));
      std::string name;
      std::string type;
      fields >> name >> type;
      if (!name.empty()) families[name] = type;
    } else if (!line.empty() && line[0] != '#') {
      std::size_t end = 0;
      while (end < line.size() && is_metric_char(line[end])) ++end;
      const std::string name = line.substr(0, end);
      bool covered = families.contains(name);
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string s(suffix);
        if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0 &&
            families.contains(name.substr(0, name.size() - s.size()))) {
          covered = true;
        }
      }
      if (!covered && !name.empty()) families[name] = "untyped";
    }
  }
  return families;
}

std::string check_metric_name(const std::string& name, const MetricFamilies& families) {
  if (const auto found = families.find(name); found != families.end()) {
    if (found->second == "histogram" || found->second == "summary") {
      return name + " is a " + found->second + ": query " + name + "_bucket, _sum or _count";
    }
    return {};
  }
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s(suffix);
    if (name.size() <= s.size() || name.compare(name.size() - s.size(), s.size(), s) != 0) continue;
    const auto base = families.find(name.substr(0, name.size() - s.size()));
    if (base == families.end()) continue;
    if (base->second == "histogram") return {};
    if (base->second == "summary" && s != "_bucket") return {};
    return name + ": " + base->first + " is a " + base->second + ", it has no " + s + " series";
  }
  return name + " is not exported";
}

namespace {

// The settings the compose file gives every Personae process that matter to /metrics (the
// provider's address is unreachable on purpose: registering the gateway makes no call).
std::map<std::string, std::string> deployment_environment() {
  return {{"PERSONAE_LLM_PROVIDERS",
           R"([{name = "ollama", type = "ollama", url = "http://127.0.0.1:9", model = "llama3.2:3b"}])"},
          {"PERSONAE_LOGGING_FORMAT", "json"}};
}

std::string get_metrics(int port) {
  const auto response = testing::http_request(port, "GET", "/metrics", {});
  if (response.status != 200) {
    throw std::runtime_error("GET /metrics answered " + std::to_string(response.status) + ": " +
                             response.body);
  }
  return response.body;
}

std::string worker_metrics(const std::filesystem::path& data_dir) {
  testing::ChildProcess::Options options;
  options.arguments = {PERSONAE_BINARY, "worker", "--listen", "127.0.0.1:0", "--data-dir", data_dir.string()};
  options.environment = deployment_environment();
  options.working_directory = data_dir.parent_path();
  testing::ChildProcess worker(std::move(options));
  // Its JSON log names the address of its probes: "probes":"127.0.0.1:PORT".
  static const std::regex probes(R"re("probes":"127\.0\.0\.1:(\d+)")re");
  std::smatch match;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::string log;
  while (std::chrono::steady_clock::now() < deadline) {
    log = worker.standard_error();
    if (std::regex_search(log, match, probes)) break;
    if (!worker.running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (match.empty()) throw std::runtime_error("personae worker did not start:\n" + log);
  std::string body = get_metrics(std::stoi(match[1]));
  worker.signal(SIGTERM);
  if (!worker.wait(std::chrono::seconds(30))) throw std::runtime_error("personae worker did not stop");
  return body;
}

}  // namespace

const LiveMetrics& live_metrics() {
  static const LiveMetrics bodies = [] {
    static testing::TempDir folder;
    LiveMetrics metrics;
    {
      testing::ServeProcess::Options options;
      options.data_dir = folder.path() / "data";
      options.environment = deployment_environment();
      options.environment["PERSONAE_JOBS_IN_PROCESS"] = "false";
      testing::ServeProcess server(std::move(options));
      metrics.api = get_metrics(server.port());
      server.terminate();
    }
    // The database serve migrated (SQLite migrates itself; the stack runs `personae migrate`).
    metrics.worker = worker_metrics(folder.path() / "data");
    return metrics;
  }();
  return bodies;
}

MetricFamilies live_metric_families() {
  MetricFamilies families = parse_metric_families(live_metrics().api);
  for (const auto& [name, type] : parse_metric_families(live_metrics().worker)) families.emplace(name, type);
  return families;
}

// --- Dockerfile -----------------------------------------------------------------------------------

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"' || c == '\'') {
      const char quote = c;
      for (++i; i < text.size() && text[i] != quote; ++i) {
        if (text[i] == '\\' && quote == '"' && i + 1 < text.size()) ++i;
        word += text[i];
      }
      in_word = true;
    } else if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

Dockerfile parse_dockerfile(const std::string& text) {
  Dockerfile file;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  std::string pending;
  int pending_line = 0;
  auto finish = [&](const std::string& instruction, int at) {
    const auto space = instruction.find_first_of(" \t");
    std::string keyword = instruction.substr(0, space);
    for (auto& ch : keyword) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    std::string arguments = space == std::string::npos ? "" : instruction.substr(space + 1);
    const auto first = arguments.find_first_not_of(" \t");
    arguments = first == std::string::npos ? "" : arguments.substr(first);
    if (keyword == "FROM") {
      const auto words = split_words(arguments);
      DockerStage stage;
      for (std::size_t i = 0; i < words.size(); ++i) {
        if (words[i].rfind("--", 0) == 0) continue;
        if (stage.image.empty()) {
          stage.image = interpolate(words[i], file.global_arguments);
        } else if ((words[i] == "AS" || words[i] == "as") && i + 1 < words.size()) {
          stage.name = words[++i];
        }
      }
      file.stages.push_back(stage);
    } else if (file.stages.empty()) {
      if (keyword == "ARG") {
        const auto equals = arguments.find('=');
        file.global_arguments[arguments.substr(0, equals)] =
            equals == std::string::npos ? "" : arguments.substr(equals + 1);
      }
    } else {
      file.stages.back().instructions.push_back({keyword, arguments, at});
    }
  };
  while (std::getline(lines, line)) {
    ++number;
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    if (line[first] == '#') continue;  // comments (also inside continued instructions)
    std::string content = line.substr(first);
    const bool continued = !content.empty() && content.back() == '\\';
    if (continued) content.pop_back();
    if (pending.empty()) pending_line = number;
    pending += (pending.empty() ? "" : " ") + content;
    if (!continued) {
      finish(pending, pending_line);
      pending.clear();
    }
  }
  if (!pending.empty()) finish(pending, pending_line);
  return file;
}

std::map<std::string, std::string> stage_environment(const DockerStage& stage) {
  std::map<std::string, std::string> environment;
  for (const auto& instruction : stage.instructions) {
    if (instruction.keyword != "ENV") continue;
    const auto words = split_words(instruction.arguments);
    if (words.size() >= 2 && words[0].find('=') == std::string::npos) {
      std::string value;
      for (std::size_t i = 1; i < words.size(); ++i) value += (i > 1 ? " " : "") + words[i];
      environment[words[0]] = value;
      continue;
    }
    for (const auto& word : words) {
      const auto equals = word.find('=');
      if (equals != std::string::npos) environment[word.substr(0, equals)] = word.substr(equals + 1);
    }
  }
  return environment;
}

}  // namespace personae::deploy_test
