#include "http/json_body.hpp"

#include <gtest/gtest.h>

#include "http/problem.hpp"

namespace personae::http {
namespace {

Request json_request(std::string body, std::string content_type = "application/json") {
  Request request;
  request.method = Method::kPost;
  request.headers.set("Content-Type", content_type);
  request.body = std::move(body);
  return request;
}

Problem problem_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const HttpError& error) {
    return error.problem();
  } catch (const AppError& error) {
    return problem_for(error.error());  // what HttpService::invoke answers
  }
  ADD_FAILURE() << "expected HttpError or AppError";
  return {};
}

TEST(ParseJsonBody, ParsesWithCharsetParameter) {
  const auto json = parse_json_body(json_request(R"({"a": [1, 2]})", "Application/JSON; charset=utf-8"));
  EXPECT_EQ(json["a"][1], 2);
}

TEST(ParseJsonBody, RequiresJsonContentType) {
  EXPECT_EQ(problem_of([] { parse_json_body(json_request("{}", "text/plain")); }).status, 415);
  Request missing = json_request("{}");
  missing.headers.remove("Content-Type");
  EXPECT_EQ(problem_of([&] { parse_json_body(missing); }).status, 415);
  EXPECT_EQ(problem_of([] { parse_json_body(json_request("{}", "application/jsonx")); }).status, 415);
}

TEST(ParseJsonBody, InvalidJsonNamesLineAndColumn) {
  const auto problem = problem_of([] { parse_json_body(json_request("{\n  \"a\": tru\n}")); });
  EXPECT_EQ(problem.status, 400);
  EXPECT_NE(problem.detail.find("line 2"), std::string::npos) << problem.detail;
  EXPECT_NE(problem.detail.find("column"), std::string::npos) << problem.detail;
  EXPECT_EQ(problem_of([] { parse_json_body(json_request("")); }).status, 400);
}

TEST(ParseJsonBody, LimitsNestingDepth) {
  const std::string ok = std::string(64, '[') + std::string(64, ']');
  EXPECT_NO_THROW(parse_json_body(json_request(ok)));
  const std::string deep = std::string(65, '[') + std::string(65, ']');
  const auto problem = problem_of([&] { parse_json_body(json_request(deep)); });
  EXPECT_EQ(problem.status, 400);
  EXPECT_NE(problem.detail.find("deeper"), std::string::npos);
  // Far deeper than any stack would like: rejected early, without recursion.
  const std::string abusive = std::string(100000, '[');
  EXPECT_EQ(problem_of([&] { parse_json_body(json_request(abusive)); }).status, 400);
}

TEST(ParseJsonBody, RejectsRepeatedKeys) {
  const auto problem =
      problem_of([] { parse_json_body(json_request(R"({"role": "user", "role": "admin"})")); });
  EXPECT_EQ(problem.status, 400);
  EXPECT_NE(problem.detail.find("role"), std::string::npos);
  EXPECT_NO_THROW(parse_json_body(json_request(R"({"a": {"x": 1}, "b": {"x": 2}})")));
}

TEST(JsonReader, ReadsTypedFields) {
  const auto json = nlohmann::json::parse(
      R"({"name": "Ava", "age": 25, "score": 1.5, "active": true, "tags": ["a", "b"],
          "address": {"city": "Lyon"}, "extra": null, "raw": {"k": [1]}})");
  JsonReader body(json);
  EXPECT_EQ(body.required<std::string>("name"), "Ava");
  EXPECT_EQ(body.required<int>("age"), 25);
  EXPECT_EQ(body.required<double>("score"), 1.5);
  EXPECT_EQ(body.required<bool>("active"), true);
  EXPECT_EQ(body.required<std::vector<std::string>>("tags"), (std::vector<std::string>{"a", "b"}));
  auto address = body.object("address");
  EXPECT_EQ(address.required<std::string>("city"), "Lyon");
  EXPECT_FALSE(body.optional<std::string>("extra").has_value());
  EXPECT_FALSE(body.optional<std::string>("missing").has_value());
  EXPECT_EQ(body.required<nlohmann::json>("raw")["k"][0], 1);
  EXPECT_NO_THROW(body.finish());
}

TEST(JsonReader, ReportsEveryProblemWithItsFieldPath) {
  const auto json = nlohmann::json::parse(
      R"({"name": 5, "age": 1.5, "tags": ["a", 3], "address": {"city": "Lyon", "zip": 1}, "admin": true,
          "big": 3000000000})");
  JsonReader body(json);
  body.required<std::string>("name");
  body.required<std::int64_t>("age");
  body.required<std::vector<std::string>>("tags");
  body.required<std::string>("email");
  body.optional<int>("big");
  auto address = body.object("address");
  address.required<std::string>("city");
  const auto problem = problem_of([&] { body.finish(); });
  EXPECT_EQ(problem.status, 400);
  std::map<std::string, std::string> errors;
  for (const auto& error : problem.extensions["errors"]) errors[error["field"]] = error["message"];
  EXPECT_EQ(errors["name"], "must be a string, not an integer");
  EXPECT_EQ(errors["age"], "must be an integer, not a number");
  EXPECT_EQ(errors["tags[1]"], "must be a string, not an integer");
  EXPECT_EQ(errors["email"], "is required");
  EXPECT_EQ(errors["big"], "is out of range");
  EXPECT_EQ(errors["address.zip"], "is not a known field");
  EXPECT_EQ(errors["admin"], "is not a known field");
  EXPECT_EQ(errors.size(), 7u);
}

TEST(JsonReader, RootMustBeAnObject) {
  EXPECT_EQ(problem_of([] { JsonReader reader(nlohmann::json::array()); }).status, 400);
  const auto json = nlohmann::json::parse(R"({"address": "Lyon"})");
  JsonReader body(json);
  body.object("address").required<std::string>("city");
  const auto problem = problem_of([&] { body.finish(); });
  EXPECT_EQ(problem.extensions["errors"][0]["field"], "address");
  EXPECT_EQ(problem.extensions["errors"][0]["message"], "must be an object, not a string");
}

TEST(JsonReader, ReadsOptionalObjectsArraysOfObjectsAndMaps) {
  const auto json = nlohmann::json::parse(R"({
      "voice": {"tone": "warm"},
      "boundaries": [{"platform": "x"}, {"platform": 3}, "nope"],
      "handles": {"x": "luna", "fanvue": 7},
      "missing_object": null})");
  JsonReader body(json);
  const auto voice = body.optional_object("voice");
  ASSERT_TRUE(voice);
  EXPECT_EQ(voice->path(), "voice");
  EXPECT_FALSE(body.optional_object("missing_object"));
  EXPECT_FALSE(body.optional_object("absent"));
  auto boundaries = body.objects("boundaries");
  ASSERT_EQ(boundaries.size(), 2U);
  EXPECT_EQ(boundaries[0].required<std::string>("platform"), "x");
  boundaries[1].required<std::string>("platform");
  auto handles = body.optional_object("handles");
  std::map<std::string, std::string> read;
  for (const auto& key : handles->keys()) read[key] = handles->required<std::string>(key);
  EXPECT_TRUE(body.has("voice"));
  EXPECT_FALSE(body.has("missing_object"));
  body.invalid("handles", "names an unknown platform");
  const auto problem = problem_of([&] { body.finish(); });
  std::map<std::string, std::string> errors;
  for (const auto& error : problem.extensions["errors"]) errors[error["field"]] = error["message"];
  EXPECT_EQ(errors["boundaries[1].platform"], "must be a string, not an integer");
  EXPECT_EQ(errors["boundaries[2]"], "must be an object, not a string");
  EXPECT_EQ(errors["handles.fanvue"], "must be a string, not an integer");
  EXPECT_EQ(errors["handles"], "names an unknown platform");
  EXPECT_EQ(errors["voice.tone"], "is not a known field");
  EXPECT_EQ(errors.size(), 5U);
}

}  // namespace
}  // namespace personae::http
