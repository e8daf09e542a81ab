#include "http/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace personae::http {
namespace {

Handler answer(std::string text) {
  return [text](const Request&) { return Response::text(200, text, "text/plain"); };
}

std::string run(const RouteResult& result) {
  const auto* match = std::get_if<RouteMatch>(&result);
  if (match == nullptr) return "<no match>";
  return match->route->handler(Request{}).body;
}

TEST(Router, MatchesLiteralAndParameterSegments) {
  Router router;
  router.add(Method::kGet, "/api/v1/personas/{id}", RouteAccess::public_route(), answer("one"));
  router.add(Method::kGet, "/api/v1/personas/{id}/posts/{post_id}", RouteAccess::public_route(),
             answer("post"));
  const auto result = router.match(Method::kGet, "/api/v1/personas/42/posts/abc");
  ASSERT_TRUE(std::holds_alternative<RouteMatch>(result));
  const auto& match = std::get<RouteMatch>(result);
  EXPECT_EQ(match.route->pattern, "/api/v1/personas/{id}/posts/{post_id}");
  EXPECT_EQ(match.params.at("id"), "42");
  EXPECT_EQ(match.params.at("post_id"), "abc");
  EXPECT_EQ(run(router.match(Method::kGet, "/api/v1/personas/7")), "one");
}

TEST(Router, LiteralSegmentsWinOverParametersWhateverTheOrder) {
  Router router;
  router.add(Method::kGet, "/personas/{id}", RouteAccess::public_route(), answer("param"));
  router.add(Method::kGet, "/personas/me", RouteAccess::public_route(), answer("literal"));
  EXPECT_EQ(run(router.match(Method::kGet, "/personas/me")), "literal");
  EXPECT_EQ(run(router.match(Method::kGet, "/personas/you")), "param");
}

TEST(Router, UnknownPathIsNotFoundAndParametersNeverMatchEmptySegments) {
  Router router;
  router.add(Method::kGet, "/a/{id}", RouteAccess::public_route(), answer("a"));
  EXPECT_TRUE(std::holds_alternative<RouteNotFound>(router.match(Method::kGet, "/b")));
  EXPECT_TRUE(std::holds_alternative<RouteNotFound>(router.match(Method::kGet, "/a/")));
  EXPECT_TRUE(std::holds_alternative<RouteNotFound>(router.match(Method::kGet, "/a/1/2")));
  EXPECT_TRUE(std::holds_alternative<RouteNotFound>(router.match(Method::kGet, "/a")));
}

TEST(Router, WrongMethodIsMethodNotAllowedWithAllow) {
  Router router;
  router.add(Method::kGet, "/items", RouteAccess::public_route(), answer("list"));
  router.add(Method::kPost, "/items", RouteAccess::public_route(), answer("create"));
  const auto result = router.match(Method::kDelete, "/items");
  ASSERT_TRUE(std::holds_alternative<MethodNotAllowed>(result));
  EXPECT_EQ(std::get<MethodNotAllowed>(result).allow, "GET, HEAD, POST");
}

TEST(Router, GetAnswersHeadUnlessAHeadRouteExists) {
  Router router;
  router.add(Method::kGet, "/a", RouteAccess::public_route(), answer("get a"));
  router.add(Method::kGet, "/b", RouteAccess::public_route(), answer("get b"));
  router.add(Method::kHead, "/b", RouteAccess::public_route(), answer("head b"));
  EXPECT_EQ(run(router.match(Method::kHead, "/a")), "get a");
  EXPECT_EQ(run(router.match(Method::kHead, "/b")), "head b");
}

TEST(Router, RootPattern) {
  Router router;
  router.add(Method::kGet, "/", RouteAccess::public_route(), answer("root"));
  EXPECT_EQ(run(router.match(Method::kGet, "/")), "root");
  EXPECT_TRUE(std::holds_alternative<RouteNotFound>(router.match(Method::kGet, "/x")));
}

TEST(Router, DuplicateRoutesThrowEvenWithOtherParameterNames) {
  Router router;
  router.add(Method::kGet, "/a/{id}", RouteAccess::public_route(), answer("a"));
  EXPECT_THROW(router.add(Method::kGet, "/a/{id}", RouteAccess::public_route(), answer("b")),
               std::invalid_argument);
  EXPECT_THROW(router.add(Method::kGet, "/a/{other}", RouteAccess::public_route(), answer("b")),
               std::invalid_argument);
  EXPECT_NO_THROW(router.add(Method::kPost, "/a/{id}", RouteAccess::public_route(), answer("c")));
}

TEST(Router, MalformedPatternsThrow) {
  Router router;
  for (const char* pattern :
       {"", "a", "/a//b", "/a/", "/{}", "/{a-b}", "/x{id}", "/{id}x", "/{id}/{id}", "/a?b", "/a%2F"}) {
    EXPECT_THROW(router.add(Method::kGet, pattern, RouteAccess::public_route(), answer("x")),
                 std::invalid_argument)
        << pattern;
  }
  EXPECT_THROW(router.add(Method::kOther, "/a", RouteAccess::public_route(), answer("x")),
               std::invalid_argument);
  EXPECT_THROW(router.add(Method::kGet, "/a", RouteAccess::public_route(), Handler{}), std::invalid_argument);
}

}  // namespace
}  // namespace personae::http
