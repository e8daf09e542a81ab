#include "http/problem.hpp"

#include <gtest/gtest.h>

namespace personae::http {
namespace {

TEST(ProblemResponse, HasTheRfc9457ShapeAndExtensions) {
  Problem problem;
  problem.status = 409;
  problem.type = "https://personae.dev/problems/slug-taken";
  problem.title = "Slug taken";
  problem.detail = "the slug 'ava' is used by another persona";
  problem.extensions = {{"errors", {{{"field", "slug"}, {"message", "is taken"}}}}, {"status", 1}};
  const Response response = problem_response(problem, "req-1");
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.headers.get("Content-Type"), "application/problem+json; charset=utf-8");
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["type"], "https://personae.dev/problems/slug-taken");
  EXPECT_EQ(body["title"], "Slug taken");
  EXPECT_EQ(body["status"], 409);  // an extension cannot overwrite a standard member
  EXPECT_EQ(body["detail"], "the slug 'ava' is used by another persona");
  EXPECT_EQ(body["instance"], "req-1");
  EXPECT_EQ(body["errors"][0]["field"], "slug");
}

TEST(ProblemResponse, DefaultsTitleAndOmitsEmptyDetail) {
  Problem problem;
  problem.status = 404;
  const auto body = nlohmann::json::parse(problem_response(problem, "id").body);
  EXPECT_EQ(body["type"], "about:blank");
  EXPECT_EQ(body["title"], "Not Found");
  EXPECT_FALSE(body.contains("detail"));
}

TEST(StatusFor, MapsEveryErrorCode) {
  EXPECT_EQ(status_for(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(status_for(ErrorCode::kNotFound), 404);
  EXPECT_EQ(status_for(ErrorCode::kConflict), 409);
  EXPECT_EQ(status_for(ErrorCode::kFailedPrecondition), 409);
  EXPECT_EQ(status_for(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(status_for(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(status_for(ErrorCode::kResourceExhausted), 429);
  EXPECT_EQ(status_for(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(status_for(ErrorCode::kDeadlineExceeded), 504);
  EXPECT_EQ(status_for(ErrorCode::kInternal), 500);
}

TEST(ProblemFor, ShowsTheMessageButNeverTheDetail) {
  const Problem problem =
      problem_for(Error{ErrorCode::kNotFound, "no such persona", "SELECT * FROM personas"});
  EXPECT_EQ(problem.status, 404);
  EXPECT_EQ(problem.title, "Not Found");
  EXPECT_EQ(problem.detail, "no such persona");
  const Problem internal = problem_for(Error{ErrorCode::kInternal, "pool exhausted on db-1", "stack"});
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.detail, "");
}

TEST(ProblemFor, SendsTheErrorsRetryAfterInWholeSecondsAndChallengesOn401) {
  Error limited{ErrorCode::kResourceExhausted, "too many attempts", "rate limited"};
  limited.retry_after = std::chrono::milliseconds(2'100);
  const Problem throttled = problem_for(limited);
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.headers.get("Retry-After"), "3");
  EXPECT_EQ(throttled.detail.find("rate limited"), std::string::npos);
  // Without a hint the client is still told when to come back.
  EXPECT_EQ(problem_for(Error{ErrorCode::kUnavailable, "database busy", ""}).headers.get("Retry-After"), "1");
  EXPECT_FALSE(problem_for(Error{ErrorCode::kNotFound, "gone", ""}).headers.contains("Retry-After"));
  EXPECT_EQ(problem_for(Error{ErrorCode::kUnauthenticated, "who?", ""}).headers.get("WWW-Authenticate"),
            "Bearer realm=\"personae\"");
}

TEST(HttpErrorType, CarriesItsProblem) {
  const HttpError error(422, "Unprocessable Content", "bad");
  EXPECT_EQ(error.problem().status, 422);
  EXPECT_STREQ(error.what(), "Unprocessable Content");
}

}  // namespace
}  // namespace personae::http
