#include "adapters/http_client/retry.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/fake_http_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::outbound {
namespace {

using std::chrono::milliseconds;
using testing::FakeExchange;
using testing::FakeHandler;
using testing::FakeHttpServer;
using testing::FakeRequest;
using testing::respond_with;

/// Records the sleeps instead of sleeping, and draws fixed "random" values.
struct FakeEnvironment {
  std::vector<milliseconds> sleeps;
  double random_value = 0.5;

  RetryEnvironment make() {
    return RetryEnvironment{[this](milliseconds delay) { sleeps.push_back(delay); },
                            [this] { return random_value; }};
  }
};

RetryPolicy policy(int max_attempts, milliseconds base_delay = milliseconds(200),
                   milliseconds max_delay = milliseconds(10'000)) {
  RetryPolicy result;
  result.max_attempts = max_attempts;
  result.base_delay = base_delay;
  result.max_delay = max_delay;
  return result;
}

Request idempotent_get(const std::string& url) {
  Request request;
  request.url = url;
  request.timeout = milliseconds(5000);
  request.idempotent = true;
  return request;
}

TEST(BackoffDelay, IsFullJitterUnderAnExponentialCeiling) {
  const RetryPolicy bounds = policy(10, milliseconds(100), milliseconds(1000));
  EXPECT_EQ(backoff_delay(bounds, 1, 0.0), milliseconds(0));
  EXPECT_EQ(backoff_delay(bounds, 1, 0.5), milliseconds(50));
  EXPECT_EQ(backoff_delay(bounds, 2, 0.5), milliseconds(100));
  EXPECT_EQ(backoff_delay(bounds, 3, 0.5), milliseconds(200));
  EXPECT_EQ(backoff_delay(bounds, 4, 0.999), milliseconds(799));
  // The ceiling stops at max_delay however many retries.
  EXPECT_EQ(backoff_delay(bounds, 5, 0.5), milliseconds(500));
  EXPECT_EQ(backoff_delay(bounds, 1000, 0.5), milliseconds(500));
  for (int retry = 1; retry <= 64; ++retry) {
    for (const double r : {0.0, 0.1, 0.37, 0.5, 0.99, 0.999999}) {
      const auto delay = backoff_delay(bounds, retry, r);
      const auto ceiling = std::min<std::int64_t>(1000, 100LL << std::min(retry - 1, 20));
      EXPECT_GE(delay.count(), 0);
      EXPECT_LE(delay.count(), ceiling) << retry << " " << r;
    }
  }
}

TEST(BackoffDelay, RetryAfterIsALowerBound) {
  const RetryPolicy bounds = policy(5, milliseconds(100), milliseconds(1000));
  EXPECT_EQ(backoff_delay(bounds, 1, 0.5, milliseconds(3000)), milliseconds(3000));
  EXPECT_EQ(backoff_delay(bounds, 4, 0.9, milliseconds(10)), milliseconds(720));
}

TEST(Retrier, RetriesAServerErrorThenSucceeds) {
  FakeHttpServer server;
  server.set_sequence({respond_with(500, "oops"), respond_with(200, "fine")});
  HttpClient client;
  FakeEnvironment environment;
  const Retrier retrier(policy(3, milliseconds(100), milliseconds(1000)), environment.make());
  const auto response = retrier.send(client, idempotent_get(server.url("/x")));
  ASSERT_TRUE(response) << response.error().detail;
  EXPECT_EQ(response->body, "fine");
  EXPECT_EQ(server.request_count(), 2U);
  ASSERT_EQ(environment.sleeps.size(), 1U);
  EXPECT_EQ(environment.sleeps[0], milliseconds(50));
}

TEST(Retrier, WaitsAtLeastRetryAfterOnTooManyRequests) {
  FakeHttpServer server;
  server.set_sequence({respond_with(429, "", {{"Retry-After", "3"}}), respond_with(200, "fine")});
  HttpClient client;
  FakeEnvironment environment;
  const Retrier retrier(policy(3, milliseconds(100)), environment.make());
  const auto response = retrier.send(client, idempotent_get(server.url("/x")));
  ASSERT_TRUE(response);
  ASSERT_EQ(environment.sleeps.size(), 1U);
  EXPECT_EQ(environment.sleeps[0], milliseconds(3000));
  EXPECT_EQ(server.request_count(), 2U);
}

TEST(Retrier, ReturnsAtOnceWhenTheServerAsksForALongerWaitThanAllowed) {
  FakeHttpServer server(respond_with(429, "", {{"Retry-After", "600"}}));
  HttpClient client;
  FakeEnvironment environment;
  RetryPolicy limited = policy(5);
  limited.max_retry_after = milliseconds(30'000);
  const Retrier retrier(limited, environment.make());
  const auto result = retrier.send(client, idempotent_get(server.url("/x")));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(result.error().retry_after, milliseconds(600'000));
  EXPECT_TRUE(environment.sleeps.empty());
  EXPECT_EQ(server.request_count(), 1U);
}

TEST(Retrier, GivesUpAfterMaxAttemptsWithTheLastError) {
  FakeHttpServer server(respond_with(503, "down"));
  HttpClient client;
  FakeEnvironment environment;
  environment.random_value = 0.99;
  const Retrier retrier(policy(4, milliseconds(100), milliseconds(250)), environment.make());
  const auto result = retrier.send(client, idempotent_get(server.url("/x")));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(server.request_count(), 4U);
  EXPECT_EQ(environment.sleeps,
            (std::vector<milliseconds>{milliseconds(99), milliseconds(198), milliseconds(247)}));
}

TEST(Retrier, RetriesTimeoutsAndBrokenConnections) {
  FakeHttpServer server;
  server.set_sequence({[](const FakeRequest&, FakeExchange& exchange) { exchange.sleep(milliseconds(2000)); },
                       [](const FakeRequest&, FakeExchange& exchange) { exchange.reset(); },
                       respond_with(200, "fine")});
  HttpClient client;
  FakeEnvironment environment;
  const Retrier retrier(policy(3, milliseconds(1)), environment.make());
  Request request = idempotent_get(server.url("/x"));
  request.timeout = milliseconds(300);
  const auto response = retrier.send(client, request);
  ASSERT_TRUE(response) << response.error().detail;
  EXPECT_EQ(response->body, "fine");
  EXPECT_EQ(environment.sleeps.size(), 2U);
}

TEST(Retrier, DoesNotRetryWhatMayHaveReachedTheServerUnlessIdempotent) {
  FakeHttpServer server(respond_with(503, "down"));
  HttpClient client;
  FakeEnvironment environment;
  const Retrier retrier(policy(3), environment.make());
  Request post;
  post.method = "POST";
  post.url = server.url("/publish");
  post.body = std::string("{}");
  const auto result = retrier.send(client, post);
  ASSERT_FALSE(result);
  EXPECT_EQ(server.request_count(), 1U);
  EXPECT_TRUE(environment.sleeps.empty());
}

TEST(Retrier, RetriesARefusedConnectionEvenWhenNotIdempotent) {
  // A refused connection never carried the request: trying again cannot duplicate it.
  HttpClient client;
  FakeEnvironment environment;
  const Retrier retrier(policy(3), environment.make());
  Request post;
  post.method = "POST";
  post.url = "http://127.0.0.1:" + std::to_string(testing::free_tcp_port()) + "/publish";
  const auto result = retrier.send(client, post);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(environment.sleeps.size(), 2U);
}

TEST(Retrier, DoesNotRetryPermanentFailuresOrResponses) {
  FakeHttpServer server(respond_with(404, "missing"));
  HttpClient client;
  FakeEnvironment environment;
  const Retrier retrier(policy(3), environment.make());
  const auto response = retrier.send(client, idempotent_get(server.url("/x")));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(server.request_count(), 1U);

  Request oversize = idempotent_get(server.url("/x"));
  server.set_handler(respond_with(200, std::string(100, 'x')));
  oversize.max_response_bytes = 10;
  EXPECT_FALSE(retrier.send(client, oversize));
  EXPECT_EQ(server.request_count(), 2U);
  EXPECT_TRUE(environment.sleeps.empty());
}

TEST(Retrier, RunsAnyOperation) {
  FakeEnvironment environment;
  const Retrier retrier(policy(5, milliseconds(10)), environment.make());
  int calls = 0;
  const auto result = retrier.run<int>("counting", [&]() -> Outcome<int> {
    ++calls;
    if (calls < 3)
      return {tl::unexpected(Error{ErrorCode::kUnavailable, "later", "try " + std::to_string(calls)}), true};
    return {calls, false};
  });
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, 3);
  EXPECT_EQ(environment.sleeps.size(), 2U);

  calls = 0;
  const auto permanent = retrier.run<int>("refused", [&]() -> Outcome<int> {
    ++calls;
    return {tl::unexpected(Error{ErrorCode::kInvalidArgument, "no", ""}), false};
  });
  EXPECT_FALSE(permanent);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace personae::outbound
