// personae_llm_simulator: an Ollama or OpenAI-compatible server with deterministic replies, for
// manual runs and browser tests. Prints "personae_llm_simulator listening on http://127.0.0.1:PORT"
// and runs until SIGINT or SIGTERM.
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fakes/llm_simulator.hpp"

namespace {

using personae::testing::LlmFault;
using personae::testing::LlmSimulator;

constexpr std::string_view kUsage =
    "usage: personae_llm_simulator --protocol ollama|openai [--model NAME]... [--reply TEXT]\n"
    "         [--structured-reply JSON]\n"
    "         [--token-delay-ms N] [--api-key KEY] [--port-file PATH]\n"
    "         [--fault "
    "error-line|malformed-json|http-500|http-429|drop|truncate|wrong-schema|invalid-json|hang]\n"
    "         [--fault-after N]\n"
    "The port is chosen by the kernel: read it from the first line of output or from --port-file.\n";

int usage_error(std::string_view message) {
  std::cerr << "personae_llm_simulator: " << message << "\n" << kUsage;
  return 2;
}

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = i;
    while (end < text.size() && text[end] == ' ') ++end;
    while (end < text.size() && text[end] != ' ') ++end;
    words.push_back(text.substr(i, end - i));
    i = end;
  }
  return words;
}

}  // namespace

int main(int argc, char** argv) {
  const std::map<std::string, LlmFault, std::less<>> faults = {
      {"error-line", LlmFault::kErrorLine},
      {"malformed-json", LlmFault::kMalformedJson},
      {"http-500", LlmFault::kHttp500},
      {"http-429", LlmFault::kHttp429},
      {"drop", LlmFault::kDropConnection},
      {"truncate", LlmFault::kTruncate},
      {"wrong-schema", LlmFault::kWrongSchema},
      {"invalid-json", LlmFault::kInvalidStructuredJson},
      {"hang", LlmFault::kHang}};
  std::string protocol;
  std::vector<std::string> models;
  std::string reply;
  std::string structured_reply;
  std::string api_key;
  std::string port_file;
  int token_delay_ms = 0;
  personae::testing::LlmFaultPlan fault;
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& flag = arguments[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= arguments.size()) return usage_error("missing value after " + flag);
    const std::string& value = arguments[++i];
    try {
      if (flag == "--protocol") {
        protocol = value;
      } else if (flag == "--model") {
        models.push_back(value);
      } else if (flag == "--reply") {
        reply = value;
      } else if (flag == "--structured-reply") {
        structured_reply = value;
      } else if (flag == "--token-delay-ms") {
        token_delay_ms = std::stoi(value);
      } else if (flag == "--api-key") {
        api_key = value;
      } else if (flag == "--port-file") {
        port_file = value;
      } else if (flag == "--fault") {
        const auto found = faults.find(value);
        if (found == faults.end()) return usage_error("unknown fault " + value);
        fault.fault = found->second;
      } else if (flag == "--fault-after") {
        fault.after_tokens = std::stoi(value);
      } else {
        return usage_error("unknown option " + flag);
      }
    } catch (const std::exception&) {
      return usage_error("invalid value for " + flag);
    }
  }
  if (protocol != "ollama" && protocol != "openai") return usage_error("--protocol must be ollama or openai");
  if (token_delay_ms < 0) return usage_error("--token-delay-ms must not be negative");

  // Block the signals before the server's threads start, so that they inherit the mask and only
  // sigwait() below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  LlmSimulator simulator(protocol == "ollama" ? LlmSimulator::Protocol::kOllama
                                              : LlmSimulator::Protocol::kOpenAi);
  if (!reply.empty() || !structured_reply.empty()) {
    personae::testing::SimulatedModel model;
    model.name = std::string(LlmSimulator::kDefaultModel);
    model.tokens = reply.empty() ? LlmSimulator::default_reply() : words_of(reply);
    if (!structured_reply.empty()) model.structured_reply = structured_reply;
    simulator.add_model(model);
  }
  for (const auto& name : models) {
    personae::testing::SimulatedModel model;
    model.name = name;
    model.tokens = reply.empty() ? LlmSimulator::default_reply() : words_of(reply);
    if (!structured_reply.empty()) model.structured_reply = structured_reply;
    simulator.add_model(std::move(model));
  }
  simulator.set_token_delay(std::chrono::milliseconds(token_delay_ms));
  simulator.set_api_key(api_key);
  if (fault.fault != LlmFault::kNone) simulator.set_fault(fault);

  if (!port_file.empty()) {
    std::ofstream out(port_file, std::ios::trunc);
    out << simulator.port() << "\n";
    if (!out) {
      std::cerr << "personae_llm_simulator: cannot write " << port_file << "\n";
      return 1;
    }
  }
  std::cout << "personae_llm_simulator listening on " << simulator.base_url() << " (" << protocol
            << "; models:";
  for (const auto& name : simulator.model_names()) std::cout << " " << name;
  std::cout << ")" << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  simulator.stop();
  return 0;
}
