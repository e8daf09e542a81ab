#include "adapters/http_client/http_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "observability/log.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/fake_http_server.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::outbound {
namespace {

using std::chrono::milliseconds;
using testing::FakeExchange;
using testing::FakeHttpServer;
using testing::FakeRequest;
using testing::respond_with;

HttpClientOptions proxy_options(const std::string& proxy) {
  HttpClientOptions options;
  options.proxy = proxy;
  return options;
}

HttpClientOptions trusting_options(const std::filesystem::path& ca_bundle) {
  HttpClientOptions options;
  options.ca_bundle = ca_bundle;
  return options;
}

testing::ChildProcess::Options command(std::vector<std::string> arguments) {
  testing::ChildProcess::Options options;
  options.arguments = std::move(arguments);
  return options;
}

Request get(const std::string& url) {
  Request request;
  request.url = url;
  request.timeout = milliseconds(5000);
  request.idempotent = true;
  return request;
}

TEST(HttpClient, ReturnsStatusHeadersAndBodyAndSendsTheRequestAsGiven) {
  FakeHttpServer server(respond_with(200, "hello", {{"X-Answer", "42"}, {"Content-Type", "text/plain"}}));
  HttpClient client;
  Request request = get(server.url("/v1/things?limit=2"));
  request.headers = {{"Accept", "application/json"}, {"X-Custom", "value"}};
  const auto response = client.send(request);
  ASSERT_TRUE(response) << response.error().detail;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(response->header("x-answer"), "42");
  EXPECT_EQ(response->header("X-ANSWER"), "42");
  EXPECT_FALSE(response->header("missing"));
  EXPECT_FALSE(response->cancelled);

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, "/v1/things");
  EXPECT_EQ(requests[0].query, "limit=2");
  EXPECT_EQ(requests[0].header("Accept"), "application/json");
  EXPECT_EQ(requests[0].header("X-Custom"), "value");
  EXPECT_EQ(requests[0].header("User-Agent"), "personae");
  EXPECT_FALSE(requests[0].has_header("Expect"));
}

TEST(HttpClient, SendsStringBodiesFileRangesAndEmptyBodiesWithTheirLength) {
  FakeHttpServer server(respond_with(201, ""));
  HttpClient client;

  Request post = get(server.url("/post"));
  post.method = "POST";
  post.body = std::string("{\"a\":1}\0tail", 12);
  ASSERT_TRUE(client.send(post));

  testing::TempDir folder;
  const auto path = folder.path() / "body.bin";
  std::string content;
  for (int i = 0; i < 300'000; ++i) content.push_back(static_cast<char>(i % 251));
  std::ofstream(path, std::ios::binary) << content;
  Request put = get(server.url("/put"));
  put.method = "PUT";
  put.body = FileRange{path, 1000, 200'000};
  ASSERT_TRUE(client.send(put));

  Request empty = get(server.url("/empty"));
  empty.method = "POST";
  ASSERT_TRUE(client.send(empty));

  Request remove = get(server.url("/thing"));
  remove.method = "DELETE";
  ASSERT_TRUE(client.send(remove));

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4U);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].body, std::string("{\"a\":1}\0tail", 12));
  EXPECT_EQ(requests[0].header("Content-Length"), "12");
  EXPECT_FALSE(requests[0].has_header("Expect"));
  EXPECT_EQ(requests[1].method, "PUT");
  EXPECT_EQ(requests[1].body, content.substr(1000, 200'000));
  EXPECT_EQ(requests[1].header("Content-Length"), "200000");
  EXPECT_EQ(requests[2].method, "POST");
  EXPECT_EQ(requests[2].header("Content-Length"), "0");
  EXPECT_EQ(requests[2].body, "");
  EXPECT_EQ(requests[3].method, "DELETE");
}

TEST(HttpClient, AFileShorterThanItsRangeFailsInsteadOfSendingAShortBody) {
  FakeHttpServer server(respond_with(200, "ok"));
  HttpClient client;
  testing::TempDir folder;
  const auto path = folder.path() / "short.bin";
  std::ofstream(path, std::ios::binary) << std::string(100, 'x');
  Request put = get(server.url("/put"));
  put.method = "PUT";
  put.body = FileRange{path, 0, 5000};
  const auto result = client.send(put);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInternal);

  put.body = FileRange{folder.path() / "missing.bin", 0, 10};
  const auto missing = client.send(put);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kInternal);
  for (const auto& request : server.requests()) EXPECT_NE(request.body.size(), 100U);
}

TEST(HttpClient, ARefusedConnectionIsUnavailableTransientAndUnsent) {
  const int port = testing::free_tcp_port();
  HttpClient client;
  const auto attempt = client.attempt(get("http://127.0.0.1:" + std::to_string(port) + "/x"));
  ASSERT_FALSE(attempt.result);
  EXPECT_EQ(attempt.result.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(attempt.transient);
  EXPECT_FALSE(attempt.sent);
  EXPECT_EQ(attempt.result.error().message, "The upstream service is unavailable.");
  EXPECT_NE(attempt.result.error().detail.find("GET 127.0.0.1:" + std::to_string(port) + "/x"),
            std::string::npos)
      << attempt.result.error().detail;
}

TEST(HttpClient, ASlowServerTimesOutWithinTheRequestTimeout) {
  FakeHttpServer server([](const FakeRequest&, FakeExchange& exchange) {
    if (exchange.sleep(milliseconds(5000))) exchange.respond(200, "late");
  });
  HttpClient client;
  Request request = get(server.url("/slow"));
  request.timeout = milliseconds(300);
  const auto started = std::chrono::steady_clock::now();
  const auto attempt = client.attempt(request);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(attempt.result);
  EXPECT_EQ(attempt.result.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_TRUE(attempt.transient);
  EXPECT_TRUE(attempt.sent);
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, milliseconds(2000));
}

TEST(HttpClient, AStalledStreamFailsAfterTheIdleTimeout) {
  FakeHttpServer server([](const FakeRequest&, FakeExchange& exchange) {
    exchange.send_head(200, {{"Content-Type", "application/x-ndjson"}});
    exchange.send_chunk("{\"token\":\"a\"}\n");
    exchange.sleep(milliseconds(10'000));
  });
  HttpClient client;
  Request request = get(server.url("/stream"));
  request.timeout = milliseconds(20'000);
  request.idle_timeout = milliseconds(1000);
  std::string streamed;
  request.on_body = [&](std::string_view chunk) {
    streamed.append(chunk);
    return true;
  };
  const auto started = std::chrono::steady_clock::now();
  const auto result = client.send(request);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(streamed, "{\"token\":\"a\"}\n");
  EXPECT_LT(elapsed, milliseconds(5000));
}

TEST(HttpClient, AnAbortPredicateStopsASilentTransferLongBeforeItsTimeout) {
  FakeHttpServer server([](const FakeRequest& request, FakeExchange& exchange) {
    if (request.path == "/ok") {
      exchange.respond(200, "whole");
      return;
    }
    // A model still loading: the head (or not even that), then nothing for a long time.
    if (request.path == "/head") exchange.send_head(200, {{"Content-Type", "application/x-ndjson"}});
    exchange.sleep(milliseconds(15'000));
  });
  HttpClient client;
  std::atomic<bool> give_up{false};
  const auto with_predicate = [&](const std::string& path) {
    Request request = get(server.url(path));
    request.timeout = milliseconds(20'000);
    request.on_body = [](std::string_view) { return true; };
    request.should_abort = [&] { return give_up.load(); };
    return request;
  };

  // A predicate that stays false changes nothing.
  std::string streamed;
  Request ok = with_predicate("/ok");
  ok.on_body = [&](std::string_view chunk) {
    streamed.append(chunk);
    return true;
  };
  const auto whole = client.send(ok);
  ASSERT_TRUE(whole) << whole.error().detail;
  EXPECT_FALSE(whole->cancelled);
  EXPECT_EQ(streamed, "whole");

  for (const std::string path : {"/head", "/no-head"}) {
    SCOPED_TRACE(path);
    give_up = false;
    std::thread aborter([&] {
      std::this_thread::sleep_for(milliseconds(300));
      give_up = true;
    });
    const auto started = std::chrono::steady_clock::now();
    const auto response = client.send(with_predicate(path));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    aborter.join();
    ASSERT_TRUE(response) << response.error().detail;
    EXPECT_TRUE(response->cancelled);
    EXPECT_EQ(response->status, path == "/head" ? 200 : 0);
    EXPECT_TRUE(response->body.empty());
    // libcurl polls about once a second while nothing moves: well before the 20 s timeout.
    EXPECT_GE(elapsed, milliseconds(250));
    EXPECT_LT(elapsed, milliseconds(3'000));
  }
}

TEST(HttpClient, ServerErrorsAreUnavailableAndCarryRetryAfter) {
  FakeHttpServer server(respond_with(503, "busy", {{"Retry-After", "7"}}));
  HttpClient client;
  const auto attempt = client.attempt(get(server.url("/x")));
  ASSERT_FALSE(attempt.result);
  EXPECT_EQ(attempt.result.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(attempt.transient);
  EXPECT_EQ(attempt.result.error().retry_after, milliseconds(7000));
  EXPECT_NE(attempt.result.error().detail.find("HTTP 503"), std::string::npos);
}

TEST(HttpClient, TooManyRequestsIsResourceExhaustedWithRetryAfterSecondsOrDate) {
  FakeHttpServer server(respond_with(429, "", {{"Retry-After", "12"}}));
  HttpClient client;
  const auto seconds = client.send(get(server.url("/x")));
  ASSERT_FALSE(seconds);
  EXPECT_EQ(seconds.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(seconds.error().retry_after, milliseconds(12'000));

  server.set_handler(respond_with(429, "", {{"Retry-After", "Fri, 01 Jan 2100 00:00:00 GMT"}}));
  const auto date = client.send(get(server.url("/x")));
  ASSERT_FALSE(date);
  ASSERT_TRUE(date.error().retry_after);
  // Far in the future: capped at a day.
  EXPECT_EQ(*date.error().retry_after, milliseconds(86'400'000));
}

TEST(HttpClient, ClientErrorsAreResponsesForTheCallerToMap) {
  FakeHttpServer server(respond_with(404, "<Error><Code>NoSuchKey</Code></Error>"));
  HttpClient client;
  const auto response = client.send(get(server.url("/missing")));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->body, "<Error><Code>NoSuchKey</Code></Error>");
}

TEST(HttpClient, RedirectsAreReturnedNotFollowed) {
  FakeHttpServer target(respond_with(200, "internal secret"));
  FakeHttpServer server(respond_with(302, "", {{"Location", target.url("/internal")}}));
  HttpClient client;
  const auto response = client.send(get(server.url("/start")));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 302);
  EXPECT_EQ(response->header("Location"), target.url("/internal"));
  EXPECT_EQ(server.request_count(), 1U);
  EXPECT_EQ(target.request_count(), 0U);
}

TEST(HttpClient, OnlyHttpAndHttpsAreSpoken) {
  HttpClient client;
  for (const std::string url : {"file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://127.0.0.1/x",
                                "dict://127.0.0.1:11211/stat", "not a url", ""}) {
    const auto result = client.send(get(url));
    ASSERT_FALSE(result) << url;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument) << url;
  }
}

TEST(HttpClient, EveryRequestHasADeadline) {
  FakeHttpServer server(respond_with(200, "ok"));
  HttpClient client;
  Request request = get(server.url("/x"));
  request.timeout = milliseconds(0);
  const auto result = client.send(request);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(server.request_count(), 0U);
}

TEST(HttpClient, HeaderValuesCannotInjectLines) {
  FakeHttpServer server(respond_with(200, "ok"));
  HttpClient client;
  Request request = get(server.url("/x"));
  request.headers = {{"X-Name", "a\r\nX-Injected: yes"}};
  const auto result = client.send(request);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  request.headers = {{"X-Bad\r\nName", "a"}};
  EXPECT_FALSE(client.send(request));
  EXPECT_EQ(server.request_count(), 0U);
}

TEST(HttpClient, AnOversizeResponseIsRefusedWhetherItsLengthIsDeclaredOrNot) {
  const std::string big(5000, 'x');
  FakeHttpServer declared(respond_with(200, big));
  FakeHttpServer chunked([&](const FakeRequest&, FakeExchange& exchange) {
    exchange.send_head(200);
    for (int i = 0; i < 10; ++i) exchange.send_chunk(std::string(500, 'y'));
    exchange.finish_chunks();
  });
  HttpClient client;
  for (FakeHttpServer* server : {&declared, &chunked}) {
    Request request = get(server->url("/big"));
    request.max_response_bytes = 1000;
    const auto attempt = client.attempt(request);
    ASSERT_FALSE(attempt.result);
    EXPECT_EQ(attempt.result.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(attempt.result.error().message, "the upstream response is larger than 1000 bytes");
    EXPECT_FALSE(attempt.transient);
  }
  // Exactly at the cap is fine.
  Request request = get(declared.url("/big"));
  request.max_response_bytes = 5000;
  const auto fits = client.send(request);
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->body.size(), 5000U);
}

TEST(HttpClient, HeadIsNotRefusedForTheSizeOfTheBodyItDescribes) {
  FakeHttpServer server([](const FakeRequest&, FakeExchange& exchange) {
    exchange.send_head(200, {{"ETag", "\"abc\""}}, 50'000'000);
  });
  HttpClient client;
  Request request = get(server.url("/object"));
  request.method = "HEAD";
  request.max_response_bytes = 1000;
  const auto response = client.send(request);
  ASSERT_TRUE(response) << response.error().detail;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("Content-Length"), "50000000");
}

TEST(HttpClient, HeadAndGetShareAKeptAliveConnection) {
  FakeHttpServer server(respond_with(200, "the body", {{"X-Kind", "object"}}));
  HttpClient client;
  Request head = get(server.url("/object"));
  head.method = "HEAD";
  const auto headed = client.send(head);
  ASSERT_TRUE(headed);
  EXPECT_EQ(headed->header("Content-Length"), "8");
  EXPECT_TRUE(headed->body.empty());
  const auto got = client.send(get(server.url("/object")));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, "the body");
  EXPECT_EQ(server.connections_accepted(), 1);
}

TEST(HttpClient, AMalformedResponseIsUnavailableAndNotRetried) {
  FakeHttpServer server([](const FakeRequest&, FakeExchange& exchange) {
    exchange.send_raw("this is not HTTP\r\n\r\n");
    exchange.close();
  });
  HttpClient client;
  const auto attempt = client.attempt(get(server.url("/x")));
  ASSERT_FALSE(attempt.result);
  EXPECT_EQ(attempt.result.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(attempt.transient);
}

TEST(HttpClient, AConnectionClosedOrResetMidResponseIsUnavailableAndTransient) {
  FakeHttpServer closed([](const FakeRequest&, FakeExchange& exchange) {
    exchange.send_head(200, {}, 1000);
    exchange.send_raw(std::string(100, 'a'));
    exchange.close();
  });
  FakeHttpServer reset([](const FakeRequest&, FakeExchange& exchange) {
    exchange.send_head(200, {}, 1000);
    exchange.send_raw(std::string(100, 'a'));
    exchange.sleep(milliseconds(50));
    exchange.reset();
  });
  FakeHttpServer silent([](const FakeRequest&, FakeExchange& exchange) { exchange.close(); });
  HttpClient client;
  for (FakeHttpServer* server : {&closed, &reset, &silent}) {
    const auto attempt = client.attempt(get(server->url("/x")));
    ASSERT_FALSE(attempt.result);
    EXPECT_EQ(attempt.result.error().code, ErrorCode::kUnavailable) << attempt.result.error().detail;
    EXPECT_TRUE(attempt.transient) << attempt.result.error().detail;
  }
}

TEST(HttpClient, StreamsChunksAsTheyArriveAndCanCancel) {
  FakeHttpServer server([](const FakeRequest&, FakeExchange& exchange) {
    exchange.send_head(200, {{"Content-Type", "text/event-stream"}});
    for (int i = 0; i < 20; ++i) {
      exchange.send_chunk("data: " + std::to_string(i) + "\n\n");
      if (!exchange.sleep(milliseconds(100))) return;
    }
    exchange.finish_chunks();
  });
  HttpClient client;
  Request request = get(server.url("/events"));
  std::vector<std::string> chunks;
  request.on_body = [&](std::string_view chunk) {
    chunks.emplace_back(chunk);
    return chunks.size() < 3;
  };
  const auto started = std::chrono::steady_clock::now();
  const auto response = client.send(request);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(response) << response.error().detail;
  EXPECT_TRUE(response->cancelled);
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(response->body.empty());
  ASSERT_EQ(chunks.size(), 3U);
  EXPECT_EQ(chunks[0], "data: 0\n\n");
  EXPECT_EQ(chunks[2], "data: 2\n\n");
  // Cancelled long before the 2 s the whole stream takes.
  EXPECT_LT(elapsed, milliseconds(1500));
}

TEST(HttpClient, StreamsTheWholeBodyWhenNotCancelledAndBuffersErrorBodies) {
  FakeHttpServer server([](const FakeRequest& request, FakeExchange& exchange) {
    if (request.path == "/error") {
      exchange.respond(400, R"({"error":"bad"})");
      return;
    }
    exchange.send_head(200);
    for (int i = 0; i < 5; ++i) exchange.send_chunk("line " + std::to_string(i) + "\n");
    exchange.finish_chunks();
  });
  HttpClient client;
  Request request = get(server.url("/ok"));
  std::string streamed;
  request.on_body = [&](std::string_view chunk) {
    streamed.append(chunk);
    return true;
  };
  const auto response = client.send(request);
  ASSERT_TRUE(response);
  EXPECT_FALSE(response->cancelled);
  EXPECT_EQ(streamed, "line 0\nline 1\nline 2\nline 3\nline 4\n");
  EXPECT_TRUE(response->body.empty());

  streamed.clear();
  request.url = server.url("/error");
  const auto error = client.send(request);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->status, 400);
  EXPECT_EQ(error->body, R"({"error":"bad"})");
  EXPECT_TRUE(streamed.empty());
}

TEST(HttpClient, ReusesConnections) {
  FakeHttpServer server(respond_with(200, "ok"));
  HttpClient client;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client.send(get(server.url("/x"))));
  EXPECT_EQ(server.request_count(), 5U);
  EXPECT_EQ(server.connections_accepted(), 1);
}

TEST(HttpClient, NeverResendsANonIdempotentRequestOnItsOwn) {
  // The server acts on the POST, then drops the connection without answering. On a reused
  // connection libcurl would quietly send the POST again; the client must not let it.
  FakeHttpServer server;
  server.set_sequence({respond_with(200, "warm-up"),
                       [](const FakeRequest&, FakeExchange& exchange) { exchange.close(); },
                       respond_with(200, "second copy")});
  HttpClient client;
  ASSERT_TRUE(client.send(get(server.url("/warm-up"))));
  Request post = get(server.url("/posts"));
  post.method = "POST";
  post.body = std::string(R"({"text":"hello"})");
  post.idempotent = false;
  const auto result = client.send(post);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(server.request_count(), 2U);
}

TEST(HttpClient, IsSafeToShareBetweenThreads) {
  FakeHttpServer server(
      [](const FakeRequest& request, FakeExchange& exchange) { exchange.respond(200, request.path); });
  HttpClient client;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        const auto response = client.send(get(server.url(path)));
        if (response && response->body == path) ++good;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(good.load(), 160);
  // Connections were pooled rather than opened per request.
  EXPECT_LE(server.connections_accepted(), 40);
}

TEST(HttpClient, IgnoresProxyVariablesFromTheEnvironment) {
  FakeHttpServer proxy(respond_with(200, "from the proxy"));
  FakeHttpServer target(respond_with(200, "direct"));
  const std::string proxy_url = proxy.url("");
  ::setenv("http_proxy", proxy_url.c_str(), 1);
  ::setenv("HTTP_PROXY", proxy_url.c_str(), 1);
  ::setenv("ALL_PROXY", proxy_url.c_str(), 1);
  ::unsetenv("no_proxy");
  ::unsetenv("NO_PROXY");
  HttpClient client;
  const auto response = client.send(get(target.url("/x")));
  ::unsetenv("http_proxy");
  ::unsetenv("HTTP_PROXY");
  ::unsetenv("ALL_PROXY");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "direct");
  EXPECT_EQ(proxy.request_count(), 0U);
}

TEST(HttpClient, UsesAConfiguredProxy) {
  FakeHttpServer proxy(respond_with(200, "from the proxy"));
  HttpClient client(proxy_options(proxy.url("")));
  const auto response = client.send(get("http://upstream.invalid/x"));
  ASSERT_TRUE(response) << response.error().detail;
  EXPECT_EQ(response->body, "from the proxy");
  ASSERT_EQ(proxy.request_count(), 1U);
  EXPECT_EQ(proxy.requests()[0].target, "http://upstream.invalid/x");
}

/// `openssl s_server -www` with a self-signed certificate for `names` (the subjectAltName).
class TlsServer {
 public:
  TlsServer(const testing::TempDir& folder, const std::string& names) {
    cert_ = folder.path() / "cert.pem";
    const auto key = folder.path() / "key.pem";
    const auto made = testing::run_command(command(
        {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.string(), "-out",
         cert_.string(), "-days", "1", "-subj", "/CN=personae-test", "-addext", "subjectAltName=" + names}));
    if (made.exit_status != 0) throw std::runtime_error("openssl req failed: " + made.standard_error);
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = testing::free_tcp_port();
      process_ = std::make_unique<testing::ChildProcess>(
          command({"/usr/bin/openssl", "s_server", "-accept", std::to_string(port_), "-cert", cert_.string(),
                   "-key", key.string(), "-www", "-quiet"}));
      if (wait_until_listening()) return;
    }
    throw std::runtime_error("openssl s_server did not start");
  }

  int port() const { return port_; }
  const std::filesystem::path& certificate() const { return cert_; }

 private:
  bool wait_until_listening() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline && process_->running()) {
      try {
        testing::HttpConnection probe(port_);
        return true;
      } catch (const std::exception&) {
        std::this_thread::sleep_for(milliseconds(20));
      }
    }
    return false;
  }

  std::filesystem::path cert_;
  int port_ = 0;
  std::unique_ptr<testing::ChildProcess> process_;
};

TEST(HttpClient, VerifiesTlsCertificatesAndHostNames) {
  testing::TempDir folder;
  TlsServer server(folder, "IP:127.0.0.1");
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/";

  // Self-signed: refused by default, and the refusal is not worth retrying.
  HttpClient untrusting;
  const auto refused = untrusting.attempt(get(url));
  ASSERT_FALSE(refused.result);
  EXPECT_EQ(refused.result.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(refused.transient);
  EXPECT_NE(refused.result.error().detail.find("TLS"), std::string::npos) << refused.result.error().detail;

  // Trusted through the CA bundle option: accepted.
  HttpClient trusting(trusting_options(server.certificate()));
  const auto accepted = trusting.send(get(url));
  ASSERT_TRUE(accepted) << accepted.error().detail;
  EXPECT_EQ(accepted->status, 200);
}

TEST(HttpClient, RefusesACertificateForAnotherHostEvenWhenItsIssuerIsTrusted) {
  testing::TempDir folder;
  TlsServer server(folder, "DNS:other.example");
  HttpClient client(trusting_options(server.certificate()));
  const auto result = client.send(get("https://127.0.0.1:" + std::to_string(server.port()) + "/"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
}

TEST(HttpClient, NeverPutsCredentialsOrQueriesInErrorsOrLogs) {
  const std::string secret = "wJalrXUtnFEMI-K7MDENG-SECRET-CANARY";
  FakeHttpServer server(respond_with(500, "internal"));
  HttpClient client;
  Request request = get(server.url("/bucket/key?X-Amz-Signature=deadbeefcanary&uploadId=u1"));
  request.headers = {{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  request.aws_sigv4 = AwsSigV4{"us-east-1", "s3", "AKIDEXAMPLE", secret};

  ::testing::internal::CaptureStderr();
  log::configure(log::Level::kDebug, log::Format::kJson);
  const auto result = client.send(request);
  log::flush();
  const std::string logs = ::testing::internal::GetCapturedStderr();
  log::configure(log::Level::kInfo, log::Format::kJson);

  ASSERT_FALSE(result);
  const auto& error = result.error();
  ASSERT_EQ(server.request_count(), 1U);
  const std::string authorization = server.requests()[0].header("Authorization");
  ASSERT_NE(authorization.find("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"), std::string::npos);
  const std::string signature = authorization.substr(authorization.find("Signature=") + 10);
  EXPECT_NE(logs.find("\"path\":\"/bucket/key\""), std::string::npos) << logs;
  for (const std::string& text : {error.message, error.detail, logs}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << text;
    EXPECT_EQ(text.find(signature), std::string::npos) << text;
    EXPECT_EQ(text.find("deadbeefcanary"), std::string::npos) << text;
    EXPECT_EQ(text.find("uploadId"), std::string::npos) << text;
  }
}

TEST(RetryAfter, ParsesSecondsAndHttpDates) {
  const auto now = std::chrono::system_clock::from_time_t(1'700'000'000);  // 2023-11-14T22:13:20Z
  EXPECT_EQ(parse_retry_after("0", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after(" 120 ", now), milliseconds(120'000));
  EXPECT_EQ(parse_retry_after("99999999999999999999", now), milliseconds(86'400'000));
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now), milliseconds(10'000));
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now), milliseconds(0));
  EXPECT_FALSE(parse_retry_after("", now));
  EXPECT_FALSE(parse_retry_after("-5", now));
  EXPECT_FALSE(parse_retry_after("soon", now));
}

TEST(LoggableUrl, KeepsHostAndPathOnly) {
  const auto parts =
      loggable_url("https://user:pass@s3.example.com:9000/bucket/a%20b?X-Amz-Signature=abc#frag");
  EXPECT_EQ(parts.scheme, "https");
  EXPECT_EQ(parts.host, "s3.example.com:9000");
  EXPECT_EQ(parts.path, "/bucket/a%20b");
  EXPECT_EQ(loggable_url("::nonsense").host, "");
}

}  // namespace
}  // namespace personae::outbound
