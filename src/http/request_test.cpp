#include "http/request.hpp"

#include <gtest/gtest.h>

#include "http/problem.hpp"

namespace personae::http {
namespace {

Request with_target(std::string target) {
  Request request;
  request.target = std::move(target);
  decode_target(request);
  return request;
}

int status_of_target(std::string target) {
  try {
    with_target(std::move(target));
  } catch (const HttpError& error) {
    return error.problem().status;
  }
  return 0;
}

TEST(Methods, ParseIsCaseSensitiveAndRoundTrips) {
  EXPECT_EQ(parse_method("GET"), Method::kGet);
  EXPECT_EQ(parse_method("DELETE"), Method::kDelete);
  EXPECT_EQ(parse_method("get"), Method::kOther);
  EXPECT_EQ(parse_method("TRACE"), Method::kOther);
  EXPECT_EQ(to_string(Method::kPatch), "PATCH");
  EXPECT_EQ(to_string(Method::kOther), "OTHER");
}

TEST(RequestTarget, SplitsAndDecodesThePath) {
  const auto request = with_target("/api/v1/personas/caf%C3%A9%20x?limit=5&q=a+b");
  EXPECT_EQ(request.path, "/api/v1/personas/café x");
  EXPECT_EQ(request.query, "limit=5&q=a+b");
  EXPECT_EQ(with_target("/a+b").path, "/a+b");
  EXPECT_EQ(with_target("/").path, "/");
  EXPECT_EQ(with_target("http://example.com/x/y?z=1").path, "/x/y");
  EXPECT_EQ(with_target("http://example.com").path, "/");
}

TEST(RequestTarget, RejectsWhatCouldConfuseRoutingOrHandlers) {
  EXPECT_EQ(status_of_target("/a%2Fb"), 400);  // an encoded slash is not a segment boundary
  EXPECT_EQ(status_of_target("/a%2fb"), 400);
  EXPECT_EQ(status_of_target("/a%00b"), 400);
  EXPECT_EQ(status_of_target("/a/%2E%2E/b"), 400);
  EXPECT_EQ(status_of_target("/a/../b"), 400);
  EXPECT_EQ(status_of_target("/a/./b"), 400);
  EXPECT_EQ(status_of_target("/a%zz"), 400);
  EXPECT_EQ(status_of_target("/a%2"), 400);
  EXPECT_EQ(status_of_target("*"), 400);
  EXPECT_EQ(status_of_target("a/b"), 400);
  EXPECT_EQ(status_of_target("/a#frag"), 400);
  EXPECT_EQ(status_of_target("/a/..b"), 0);
}

TEST(QueryParams, DecodesAndReturnsNulloptWhenAbsent) {
  const auto request = with_target("/x?name=J%C3%BCrgen+M&empty=&flag&limit=5");
  EXPECT_EQ(request.query_param("name"), "Jürgen M");
  EXPECT_EQ(request.query_param("empty"), "");
  EXPECT_EQ(request.query_param("flag"), "");
  EXPECT_EQ(request.query_param("limit"), "5");
  EXPECT_FALSE(request.query_param("missing").has_value());
}

TEST(QueryParams, RejectsDuplicatesAndBadEncoding) {
  const auto duplicated = with_target("/x?a=1&b=2&a=3");
  EXPECT_EQ(duplicated.query_param("b"), "2");
  try {
    duplicated.query_param("a");
    FAIL() << "expected HttpError";
  } catch (const HttpError& error) {
    EXPECT_EQ(error.problem().status, 400);
    EXPECT_NE(error.problem().detail.find("more than once"), std::string::npos);
  }
  // The same name spelt with an escape is still the same parameter.
  EXPECT_THROW(with_target("/x?a=1&%61=2").query_param("a"), HttpError);
  EXPECT_THROW(with_target("/x?a=%G1").query_param("a"), HttpError);
}

TEST(PathParams, MissingNameIsEmpty) {
  Request request;
  request.path_params.emplace("id", "42");
  EXPECT_EQ(request.path_param("id"), "42");
  EXPECT_EQ(request.path_param("other"), "");
}

}  // namespace
}  // namespace personae::http
