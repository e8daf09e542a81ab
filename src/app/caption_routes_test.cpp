// Captions, content settings and the jobs API through the real route table, services, job runner
// and LLM adapter, with the Ollama simulator of tests/fakes as the language model (SQLite here,
// PostgreSQL in personae_app_postgres_test): ordering -> job -> caption, the safety decision, human
// edits and approvals, and every failure path (no model, a failing model, bad input, conflicts).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/content_wiring.hpp"
#include "app/routes_test_fixture.hpp"
#include "services/captions/caption_generator.hpp"
#include "services/captions/caption_service.hpp"
#include "services/jobs/job_handler.hpp"
#include "tests/fakes/llm_simulator.hpp"

namespace personae {
namespace {

using http::Method;
using json = nlohmann::json;
using route_testing::body_json;
using route_testing::error_fields;
using route_testing::RouteHarness;
using route_testing::TestUser;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kModel = "captioner";

/// What the simulated model answers to the caption request (structured output).
/// What the simulated model answers to the caption request (structured output; the schema asks
/// for a title on Reddit only, and the gateway refuses an answer that departs from it).
json model_caption(std::string_view caption, bool with_title = false) {
  json answer = {{"caption", caption},
                 {"call_to_action", "Say hi in the comments"},
                 {"topic_hashtags", {"morninglight", "coffee"}}};
  if (with_title) answer["title"] = "Morning light";
  return answer;
}

LlmProviderConfig provider_for(const testing::LlmSimulator& simulator, std::string name) {
  LlmProviderConfig provider;
  provider.name = std::move(name);
  provider.type = simulator.protocol() == testing::LlmSimulator::Protocol::kOllama ? "ollama" : "openai";
  provider.url = simulator.base_url();
  provider.model = std::string(kModel);
  provider.timeout = std::chrono::seconds(10);
  return provider;
}

class CaptionRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ollama_ = std::make_unique<testing::OllamaSimulator>();
    harness_ =
        std::make_unique<RouteHarness>(true, route_testing::route_backend_under_test(),
                                       std::vector<LlmProviderConfig>{provider_for(*ollama_, "local")});
    harness_->create_tenant("Studio");
    manager_ = harness_->create_user("Studio", "manager@studio.example.com", Role::kManager);
    viewer_ = harness_->create_user("Studio", "viewer@studio.example.com", Role::kViewer);
    admin_ = harness_->create_user("Studio", "admin@studio.example.com", Role::kAdmin);
    admin_token_ = harness_->login(admin_).access_token;
    manager_token_ = harness_->login(manager_).access_token;
    viewer_token_ = harness_->login(viewer_).access_token;
    persona_id_ = make_persona("Lena", "automatic_with_gates", true);
  }

  static void TearDownTestSuite() {
    harness_.reset();
    ollama_.reset();
  }

  void SetUp() override {
    ollama_->clear_fault();
    ollama_->set_token_delay(std::chrono::milliseconds(0));
    ollama_->add_model(
        {.name = std::string(kModel),
         .structured_reply = model_caption("Slow coffee and golden light this morning").dump()});
  }

  void TearDown() override { stop_runner(); }

  static http::Response send(Method method, const std::string& target, const std::string& body = {},
                             const std::string& token = manager_token_, http::Headers headers = {}) {
    headers.set("Authorization", "Bearer " + token);
    return harness_->send(method, target, body, std::move(headers));
  }

  /// An active fictional persona with its own hashtags.
  static std::string make_persona(const std::string& name, const std::string& review_mode, bool activate) {
    json boundaries = json::array();
    for (const char* platform : {"x", "instagram", "reddit", "fanvue"}) {
      boundaries.push_back({{"platform", platform}, {"allowed_ratings", {"sfw", "suggestive"}}});
    }
    const json body = {{"display_name", name},
                       {"languages", {"en"}},
                       {"review_mode", review_mode},
                       {"boundaries", boundaries},
                       {"voice", {{"tone", "warm"}, {"hashtags", {"lenadaily"}}}}};
    const auto created = send(Method::kPost, "/api/v1/personas", body.dump());
    EXPECT_EQ(created.status, 201) << created.body;
    const std::string id = body_json(created).value("id", "");
    if (activate) {
      // Activation (the operator's attestation) is an owner's or admin's.
      const auto active = send(Method::kPost, "/api/v1/personas/" + id + "/activate",
                               R"({"attest_fictional_adult":true})", admin_token_);
      EXPECT_EQ(active.status, 200) << active.body;
    }
    return id;
  }

  static void start_runner() {
    start_job_runner(harness_->content(), harness_->config(), harness_->storage(), harness_->clock(),
                     nullptr);
  }

  static void stop_runner() {
    auto& content = harness_->content();
    if (content.runner) {
      content.runner->stop();
      content.runner.reset();
    }
  }

  /// Orders a caption and answers the 202's body.
  static json order(json body) {
    const auto response = send(Method::kPost, "/api/v1/captions", body.dump());
    EXPECT_EQ(response.status, 202) << response.body;
    return body_json(response);
  }

  /// Polls the job until `done` says so (or 30 s pass); answers its last view.
  static json wait_for_job(std::int64_t id, const std::function<bool(const json&)>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    json job;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto response = send(Method::kGet, "/api/v1/jobs/" + std::to_string(id));
      EXPECT_EQ(response.status, 200) << response.body;
      job = body_json(response);
      if (done(job)) return job;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ADD_FAILURE() << "the job did not get there in time: " << job.dump();
    return job;
  }

  static json wait_until_finished(std::int64_t id) {
    return wait_for_job(id, [](const json& job) {
      const auto state = job.value("state", "");
      return state == "succeeded" || state == "dead" || state == "cancelled";
    });
  }

  static std::vector<std::string> finding_rules(const json& caption) {
    std::vector<std::string> rules;
    if (caption["decision"].is_object()) {
      for (const auto& finding : caption["decision"]["findings"]) rules.push_back(finding["rule"]);
    }
    return rules;
  }

  static inline std::unique_ptr<testing::OllamaSimulator> ollama_;
  static inline std::unique_ptr<RouteHarness> harness_;
  static inline TestUser manager_;
  static inline TestUser viewer_;
  static inline TestUser admin_;
  static inline std::string admin_token_;
  static inline std::string manager_token_;
  static inline std::string viewer_token_;
  static inline std::string persona_id_;
};

TEST_F(CaptionRoutesTest, AnOrderAnswers202WithAJobThatWritesTheCaptionThroughTheModel) {
  const auto ordered =
      order({{"persona_id", persona_id_}, {"platform", "instagram"}, {"brief", "Morning coffee"}});
  EXPECT_EQ(ordered["status"], "queued");
  EXPECT_EQ(ordered["job_state"], "queued");
  EXPECT_EQ(ordered["text"], "");
  ASSERT_TRUE(ordered["job_id"].is_number_integer());

  start_runner();
  const auto job = wait_until_finished(ordered["job_id"].get<std::int64_t>());
  EXPECT_EQ(job["state"], "succeeded") << job.dump();
  EXPECT_EQ(job["kind"], "caption.generate");
  EXPECT_EQ(job["queue"], "captions");
  ASSERT_TRUE(job["caption"].is_object()) << job.dump();
  const auto& caption = job["caption"];
  EXPECT_EQ(caption["id"], ordered["id"]);
  EXPECT_EQ(caption["status"], "ready") << caption.dump();
  EXPECT_THAT(caption["text"].get<std::string>(), HasSubstr("Slow coffee and golden light this morning"));
  EXPECT_EQ(caption["call_to_action"], "Say hi in the comments");
  const auto hashtags = caption["hashtags"].get<std::vector<std::string>>();
  EXPECT_THAT(hashtags, Contains("lenadaily"));
  EXPECT_THAT(hashtags, Contains("morninglight"));
  EXPECT_THAT(caption["text"].get<std::string>(), HasSubstr("#lenadaily"));
  EXPECT_EQ(caption["model"], kModel);
  EXPECT_EQ(caption["provider"], "local");
  EXPECT_EQ(caption["decision"]["verdict"], "allow");
  EXPECT_FALSE(caption["template_only"].get<bool>());

  // The model was asked in the persona's voice, for structured output, with the platform named.
  const auto request = ollama_->last_body("/api/chat");
  ASSERT_TRUE(request.has_value());
  EXPECT_TRUE((*request)["format"].is_object()) << request->dump();
  EXPECT_EQ((*request)["model"], kModel);
  EXPECT_THAT(request->dump(), HasSubstr("Platform: instagram"));
  EXPECT_THAT(request->dump(), HasSubstr("warm"));

  const auto read = send(Method::kGet, "/api/v1/captions/" + ordered["id"].get<std::string>());
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(body_json(read)["status"], "ready");
  EXPECT_EQ(body_json(read)["job_state"], "succeeded");
}

TEST_F(CaptionRoutesTest, AModelCaptionTheSafetyEngineRefusesIsBlockedWithItsReason) {
  ollama_->add_model({.name = std::string(kModel),
                      .structured_reply = model_caption("New revenge porn set tonight").dump()});
  const auto ordered = order({{"persona_id", persona_id_}, {"platform", "x"}, {"brief", "Tonight"}});
  start_runner();
  const auto job = wait_until_finished(ordered["job_id"].get<std::int64_t>());
  EXPECT_EQ(job["state"], "succeeded");
  const auto& caption = job["caption"];
  EXPECT_EQ(caption["status"], "blocked") << caption.dump();
  EXPECT_EQ(caption["decision"]["verdict"], "block");
  ASSERT_FALSE(caption["decision"]["findings"].empty());
  EXPECT_THAT(caption["decision"]["findings"].dump(), HasSubstr("consent"));

  // A blocked caption cannot be approved; editing it clean makes it pass again.
  const std::string id = caption["id"];
  const auto refused = send(Method::kPost, "/api/v1/captions/" + id + "/approve");
  EXPECT_EQ(refused.status, 409);
  const auto edited = send(Method::kPatch, "/api/v1/captions/" + id, R"({"text":"A quiet evening at home"})");
  EXPECT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(body_json(edited)["status"], "ready");
  EXPECT_EQ(body_json(edited)["edited_by"], manager_.id);

  // Each decision, the model's and the edit's, is in the tenant's audit chain.
  const auto actions = harness_->audit_actions(manager_.tenant_id);
  EXPECT_GE(std::count(actions.begin(), actions.end(), "caption.safety_decision"), 2);
  EXPECT_THAT(actions, Contains("caption.requested"));
  EXPECT_THAT(actions, Contains("caption.edited"));
}

TEST_F(CaptionRoutesTest, ReviewAllPersonasWaitForAHumanApproval) {
  ollama_->add_model({.name = std::string(kModel),
                      .structured_reply = model_caption("Sunday reading in the park", true).dump()});
  const auto persona = make_persona("Mira", "review_all", true);
  const auto ordered = order({{"persona_id", persona}, {"platform", "reddit"}, {"brief", "Sunday"}});
  start_runner();
  const auto job = wait_until_finished(ordered["job_id"].get<std::int64_t>());
  const auto& caption = job["caption"];
  EXPECT_EQ(caption["status"], "needs_review") << caption.dump();
  EXPECT_THAT(finding_rules(caption), Contains("review.persona_mode"));
  EXPECT_THAT(caption["title"].get<std::string>(), HasSubstr("Morning light"));

  const std::string id = caption["id"];
  // A viewer may read, not approve.
  EXPECT_EQ(send(Method::kGet, "/api/v1/captions/" + id, "", viewer_token_).status, 200);
  EXPECT_EQ(send(Method::kPost, "/api/v1/captions/" + id + "/approve", "", viewer_token_).status, 403);
  const auto approved = send(Method::kPost, "/api/v1/captions/" + id + "/approve");
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(body_json(approved)["status"], "ready");
  EXPECT_EQ(body_json(approved)["approved_by"], manager_.id);
  // Approved once: a second approval has nothing to approve.
  EXPECT_EQ(send(Method::kPost, "/api/v1/captions/" + id + "/approve").status, 409);
}

TEST_F(CaptionRoutesTest, AFailingModelCallIsRetriedAndTheFailureStaysInTheHistory) {
  ollama_->set_fault({.fault = testing::LlmFault::kHttp500, .times = 1});
  const auto ordered = order({{"persona_id", persona_id_}, {"platform", "instagram"}, {"brief", "Beach"}});
  start_runner();
  const auto done = wait_until_finished(ordered["job_id"].get<std::int64_t>());
  EXPECT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["caption"]["status"], "ready");
  ASSERT_EQ(done["history"].size(), 2u) << done.dump();
  EXPECT_EQ(done["history"][0]["outcome"], "failed");
  EXPECT_THAT(done["history"][0]["error"].get<std::string>(), HasSubstr("language model"));
  EXPECT_EQ(done["history"][1]["outcome"], "succeeded");
}

/// On a harness of its own (other providers or configuration): a tenant's owner activates a
/// persona and orders one caption for X; a job runner runs until the job has finished (or 30 s)
/// and stops. Returns the job as GET /api/v1/jobs/{id} shows it.
json run_one_caption_job(RouteHarness& harness, const std::string& tenant) {
  harness.create_tenant(tenant);
  std::string domain = tenant;
  std::transform(domain.begin(), domain.end(), domain.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  const auto owner = harness.create_user(tenant, "owner@" + domain + ".example.com", Role::kOwner);
  const auto token = harness.login(owner).access_token;
  const auto call = [&](Method method, const std::string& target, const std::string& body = {}) {
    return harness.send(method, target, body, route_testing::bearer(token));
  };
  const auto persona = call(Method::kPost, "/api/v1/personas",
                            json{{"display_name", "Ada"},
                                 {"review_mode", "automatic_with_gates"},
                                 {"boundaries", {{{"platform", "x"}, {"allowed_ratings", {"sfw"}}}}}}
                                .dump());
  EXPECT_EQ(persona.status, 201) << persona.body;
  const std::string persona_id = body_json(persona).value("id", "");
  EXPECT_EQ(call(Method::kPost, "/api/v1/personas/" + persona_id + "/activate",
                 R"({"attest_fictional_adult":true})")
                .status,
            200);
  const auto ordered = call(Method::kPost, "/api/v1/captions",
                            json{{"persona_id", persona_id}, {"platform", "x"}, {"brief", "Evening"}}.dump());
  EXPECT_EQ(ordered.status, 202) << ordered.body;
  const auto job_path = "/api/v1/jobs/" + std::to_string(body_json(ordered).value("job_id", std::int64_t{0}));

  start_job_runner(harness.content(), harness.config(), harness.storage(), harness.clock(), nullptr);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  json job;
  while (std::chrono::steady_clock::now() < deadline) {
    job = body_json(call(Method::kGet, job_path));
    if (job.value("state", "") != "queued" && job.value("state", "") != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  harness.content().runner->stop();
  harness.content().runner.reset();
  return job;
}

TEST_F(CaptionRoutesTest, RetriesFollowTheJobsConfigurationUntilTheJobIsDead) {
  // jobs.max_attempts and the retry delays come from the configuration: two quick attempts, then
  // a dead job whose last error says it will not retry by itself.
  testing::OllamaSimulator failing;
  failing.add_model({.name = std::string(kModel), .structured_reply = model_caption("never").dump()});
  failing.set_fault({.fault = testing::LlmFault::kHttp500, .times = 1'000});
  RouteHarness harness(true, route_testing::route_backend_under_test(), {provider_for(failing, "local")},
                       [](Config& config) {
                         config.jobs.max_attempts = 2;
                         config.jobs.retry_base = std::chrono::milliseconds(100);
                         config.jobs.retry_cap = std::chrono::milliseconds(100);
                         config.jobs.poll_interval = std::chrono::milliseconds(50);
                       });
  const json job = run_one_caption_job(harness, "Retries");
  ASSERT_EQ(job["state"], "dead") << job.dump();
  EXPECT_EQ(job["max_attempts"], 2);
  ASSERT_EQ(job["history"].size(), 2u) << job.dump();
  EXPECT_THAT(job["history"][0]["error"].get<std::string>(), HasSubstr("the job retries by itself"));
  EXPECT_THAT(job["last_error"].get<std::string>(), HasSubstr("last attempt"));
  EXPECT_EQ(job["caption"]["status"], "failed");
}

TEST_F(CaptionRoutesTest, AMemberLimitedToSomePersonasSeesOnlyTheirCaptions) {
  const std::string other_persona = make_persona("Sera Out Of Scope", "automatic_with_gates", true);
  const auto mine = order({{"persona_id", persona_id_}, {"platform", "x"}, {"brief", "Mine"}});
  const auto theirs = order({{"persona_id", other_persona}, {"platform", "x"}, {"brief", "Theirs"}});
  const auto scoped = harness_->create_user("Studio", "caption-scoped@studio.example.com", Role::kManager);
  ASSERT_TRUE(
      harness_->accounts().team->update_member(RouteHarness::principal_of(admin_), scoped.id, Role::kManager,
                                               {ResourceScope{"persona", {persona_id_}}}, ClientInfo{}));
  const std::string token = harness_->login(scoped).access_token;

  const auto listed = send(Method::kGet, "/api/v1/captions?limit=200", "", token);
  ASSERT_EQ(listed.status, 200) << listed.body;
  const auto items = body_json(listed)["items"];
  ASSERT_FALSE(items.empty());
  for (const auto& item : items) EXPECT_EQ(item["persona_id"], persona_id_) << item.dump();
  EXPECT_TRUE(
      std::any_of(items.begin(), items.end(), [&](const json& item) { return item["id"] == mine["id"]; }));
  EXPECT_EQ(send(Method::kGet, "/api/v1/captions/" + theirs["id"].get<std::string>(), "", token).status, 404);
  EXPECT_EQ(send(Method::kGet, "/api/v1/captions/" + mine["id"].get<std::string>(), "", token).status, 200);
  EXPECT_TRUE(
      body_json(send(Method::kGet, "/api/v1/captions?persona_id=" + other_persona, "", token))["items"]
          .empty());
  // Nor can they order one for the other persona.
  EXPECT_EQ(send(Method::kPost, "/api/v1/captions",
                 json{{"persona_id", other_persona}, {"platform", "x"}, {"brief", "No"}}.dump(), token)
                .status,
            404);
  // The suite's later tests expect an empty captions queue.
  start_runner();
  for (const json& ordered : {mine, theirs}) wait_until_finished(ordered["job_id"].get<std::int64_t>());
}

TEST_F(CaptionRoutesTest, AModelAnswerOfTheWrongShapeIsAFailureNotACaption) {
  ollama_->set_fault({.fault = testing::LlmFault::kWrongSchema, .times = 1});
  const auto ordered = order({{"persona_id", persona_id_}, {"platform", "x"}, {"brief", "Rain"}});
  start_runner();
  const auto done = wait_until_finished(ordered["job_id"].get<std::int64_t>());
  ASSERT_GE(done["history"].size(), 2u) << done.dump();
  EXPECT_EQ(done["history"][0]["outcome"], "failed");
  EXPECT_EQ(done["caption"]["status"], "ready");
  EXPECT_THAT(done["caption"]["text"].get<std::string>(), Not(HasSubstr("unexpected")));
}

TEST_F(CaptionRoutesTest, AStreamCutAfterItsFirstTokensFallsBackToTheNextProviderInTheSameAttempt) {
  // The generator needs only the final content, so the gateway may retry elsewhere even after the
  // first provider streamed part of the caption (with a token callback it would refuse to).
  testing::OllamaSimulator first;
  testing::OpenAiSimulator second;
  first.add_model({.name = std::string(kModel), .structured_reply = model_caption("From the first").dump()});
  first.set_fault({.fault = testing::LlmFault::kDropConnection, .after_tokens = 3});
  second.add_model({.name = std::string(kModel),
                    .structured_reply = model_caption("Golden hour from the second server").dump()});
  RouteHarness harness(true, route_testing::route_backend_under_test(),
                       {provider_for(first, "first"), provider_for(second, "second")});
  const json job = run_one_caption_job(harness, "Fallback");

  EXPECT_GE(first.pieces_written(), 3) << "the first server streamed part of the caption";
  EXPECT_EQ(first.requests_to("/api/chat").size(), 1u);
  ASSERT_EQ(job["state"], "succeeded") << job.dump();
  ASSERT_EQ(job["history"].size(), 1u) << "no failed attempt, no retry: " << job.dump();
  EXPECT_EQ(job["caption"]["provider"], "second");
  EXPECT_THAT(job["caption"]["text"].get<std::string>(), HasSubstr("Golden hour from the second server"));
}

TEST_F(CaptionRoutesTest, ACancelledJobStopsWhileTheModelIsStillSilent) {
  // A model that loads for a long time: the head of the stream, then no token for 20 s.
  ollama_->set_token_delay(std::chrono::milliseconds(20'000));
  const auto ordered = order({{"persona_id", persona_id_}, {"platform", "x"}, {"brief", "Slow"}});
  Job job;
  job.id = ordered["job_id"].get<std::int64_t>();
  job.tenant_id = manager_.tenant_id;
  job.kind = std::string(kCaptionJobKind);
  job.queue = "captions";
  job.payload_json = json{{"caption_id", ordered["id"]}}.dump();
  job.attempts = 1;
  job.attempt_number = 1;
  JobContext context(1, 1, "test-worker");
  const auto requests_before = ollama_->requests_to("/api/chat").size();
  const auto count_before = ollama_->request_count();
  std::thread canceller([&] {
    // Once the model was asked, as the runner's heartbeat would on an operator's cancel.
    ollama_->wait_for_requests(count_before + 1, std::chrono::seconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    context.cancel(CancelReason::kCancelled);
  });
  const auto started = std::chrono::steady_clock::now();
  const auto outcome = harness_->content().generator->run(job, context);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  canceller.join();
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(outcome.error().message, "the generation was cancelled");
  EXPECT_EQ(ollama_->requests_to("/api/chat").size(), requests_before + 1);
  EXPECT_LT(elapsed, std::chrono::seconds(5)) << "not at the first token (20 s)";
  // The caption is left as it was (no failure recorded for a cancelled attempt).
  const auto caption = body_json(send(Method::kGet, "/api/v1/captions/" + ordered["id"].get<std::string>()));
  EXPECT_EQ(caption["status"], "queued") << caption.dump();
  if (caption.contains("error") && caption["error"].is_string()) {
    EXPECT_EQ(caption["error"], "") << caption.dump();
  }
  EXPECT_EQ(send(Method::kPost, "/api/v1/jobs/" + std::to_string(job.id) + "/cancel").status, 200);
}

TEST_F(CaptionRoutesTest, NoProviderConfiguredFailsWithTheReasonAndATemplateOnlyDraftStillWorks) {
  RouteHarness bare;
  bare.create_tenant("Bare");
  const auto owner = bare.create_user("Bare", "owner@bare.example.com", Role::kOwner);
  const auto token = bare.login(owner).access_token;
  const auto call = [&](Method method, const std::string& target, const std::string& body = {}) {
    return bare.send(method, target, body, route_testing::bearer(token));
  };
  const auto persona =
      call(Method::kPost, "/api/v1/personas",
           R"({"display_name":"Nova","voice":{"hashtags":["novanights"]},"review_mode":"automatic_with_gates",
                                "boundaries":[{"platform":"x","allowed_ratings":["sfw"]}]})");
  const std::string persona_id = body_json(persona)["id"];
  ASSERT_EQ(call(Method::kPost, "/api/v1/personas/" + persona_id + "/activate",
                 R"({"attest_fictional_adult":true})")
                .status,
            200);
  EXPECT_EQ(body_json(call(Method::kGet, "/api/v1/llm/models"))["providers"], json::array());

  // A tenant's first settings save matches revision 0 ("nothing saved yet"), once.
  auto first_save = route_testing::bearer(token);
  first_save.set("If-Match", "\"0\"");
  const auto saved =
      bare.send(Method::kPut, "/api/v1/content-settings", R"({"banned_terms":["spam"]})", first_save);
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(body_json(saved)["revision"], 1);
  auto stale = route_testing::bearer(token);
  stale.set("If-Match", "W/\"0\"");
  EXPECT_EQ(bare.send(Method::kPut, "/api/v1/content-settings", "{}", stale).status, 412);
  auto negative = route_testing::bearer(token);
  negative.set("If-Match", "\"-1\"");
  EXPECT_EQ(bare.send(Method::kPut, "/api/v1/content-settings", "{}", negative).status, 400);

  const auto ai = call(Method::kPost, "/api/v1/captions",
                       json{{"persona_id", persona_id}, {"platform", "x"}, {"brief", "Night"}}.dump());
  ASSERT_EQ(ai.status, 202);
  const auto draft =
      call(Method::kPost, "/api/v1/captions",
           json{{"persona_id", persona_id}, {"platform", "x"}, {"brief", "Night"}, {"template_only", true}}
               .dump());
  ASSERT_EQ(draft.status, 202);
  start_job_runner(bare.content(), bare.config(), bare.storage(), bare.clock(), nullptr);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  json ai_job;
  json draft_job;
  while (std::chrono::steady_clock::now() < deadline) {
    ai_job = body_json(
        call(Method::kGet, "/api/v1/jobs/" + std::to_string(body_json(ai)["job_id"].get<std::int64_t>())));
    draft_job = body_json(
        call(Method::kGet, "/api/v1/jobs/" + std::to_string(body_json(draft)["job_id"].get<std::int64_t>())));
    if (ai_job["attempts"].get<int>() >= 1 && ai_job["retrying"] == true && draft_job["state"] == "succeeded")
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  bare.content().runner->stop();
  bare.content().runner.reset();
  // Retryable, with the reason; nothing was made up meanwhile.
  EXPECT_EQ(ai_job["state"], "queued") << ai_job.dump();
  EXPECT_TRUE(ai_job["retrying"].get<bool>());
  EXPECT_THAT(ai_job["last_error"].get<std::string>(), HasSubstr("[[llm.providers]]")) << ai_job.dump();
  EXPECT_THAT(ai_job["last_error"].get<std::string>(), HasSubstr("the job retries by itself"));
  EXPECT_EQ(ai_job["caption"]["text"], "");
  EXPECT_EQ(ai_job["caption"]["hashtags"], json::array());
  // Its last attempt does not promise a retry that will not come.
  {
    const auto stored = bare.storage().database->read([&](Transaction& tx) {
      return bare.content().queue->get(tx, JobScope::system(), ai_job["id"].get<std::int64_t>());
    });
    ASSERT_TRUE(stored.has_value());
    JobContext last(stored->max_attempts, stored->max_attempts, "w-test");
    const auto outcome = bare.content().generator->run(*stored, last);
    ASSERT_FALSE(outcome.has_value());
    EXPECT_THAT(outcome.error().message, HasSubstr("last attempt"));
    EXPECT_THAT(outcome.error().message, Not(HasSubstr("retries by itself")));
  }

  // An operator cancels the job, then replays it (a dead or cancelled job goes back to the queue).
  const auto job_id = std::to_string(ai_job["id"].get<std::int64_t>());
  const auto cancelled = call(Method::kPost, "/api/v1/jobs/" + job_id + "/cancel");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(body_json(cancelled)["state"], "cancelled");
  EXPECT_EQ(call(Method::kPost, "/api/v1/jobs/" + job_id + "/cancel").status, 409);
  EXPECT_EQ(call(Method::kPost, "/api/v1/jobs/" + job_id + "/retry").status, 409);
  const auto replayed = call(Method::kPost, "/api/v1/jobs/" + job_id + "/replay");
  ASSERT_EQ(replayed.status, 200) << replayed.body;
  EXPECT_EQ(body_json(replayed)["state"], "queued");
  EXPECT_EQ(body_json(replayed)["attempts"], 0);
  EXPECT_FALSE(body_json(replayed)["history"].empty()) << "the failed attempts stay in the history";
  ASSERT_EQ(draft_job["state"], "succeeded") << draft_job.dump();
  const auto& caption = draft_job["caption"];
  EXPECT_TRUE(caption["template_only"].get<bool>());
  EXPECT_EQ(caption["status"], "needs_review");
  EXPECT_THAT(finding_rules(caption), Contains("review.draft"));
  EXPECT_THAT(caption["hashtags"].get<std::vector<std::string>>(), Contains("novanights"));
  EXPECT_EQ(caption["model"], "");
}

TEST_F(CaptionRoutesTest, EditsAreCheckedAgainAndConditionalOnTheRevision) {
  const auto ordered = order({{"persona_id", persona_id_}, {"platform", "instagram"}, {"brief", "Books"}});
  start_runner();
  const auto job = wait_until_finished(ordered["job_id"].get<std::int64_t>());
  const std::string id = job["caption"]["id"];
  const auto current = send(Method::kGet, "/api/v1/captions/" + id);
  const auto etag = current.headers.get("ETag");
  ASSERT_TRUE(etag.has_value());

  // The tenant bans a word; an edit that uses it is saved as blocked, naming it.
  const auto settings =
      send(Method::kPut, "/api/v1/content-settings", R"({"banned_terms":["giveaway"]})", admin_token_);
  ASSERT_EQ(settings.status, 200) << settings.body;
  http::Headers if_match;
  if_match.set("If-Match", std::string(*etag));
  const auto edited = send(Method::kPatch, "/api/v1/captions/" + id, R"({"text":"Huge giveaway today"})",
                           manager_token_, if_match);
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(body_json(edited)["status"], "blocked");
  EXPECT_THAT(body_json(edited)["decision"]["findings"].dump(), HasSubstr("giveaway"));

  // The old ETag is stale now.
  const auto stale = send(Method::kPatch, "/api/v1/captions/" + id, R"({"text":"Reading all day"})",
                          manager_token_, if_match);
  EXPECT_EQ(stale.status, 412) << stale.body;
  http::Headers bad_match;
  bad_match.set("If-Match", "yesterday");
  EXPECT_EQ(
      send(Method::kPatch, "/api/v1/captions/" + id, R"({"text":"x"})", manager_token_, bad_match).status,
      400);
  // Bad input names its field; a viewer may not edit; nothing changed meanwhile.
  const auto wrong = send(Method::kPatch, "/api/v1/captions/" + id, R"({"hashtags":"notalist"})");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_THAT(error_fields(wrong), Contains("hashtags"));
  EXPECT_EQ(send(Method::kPatch, "/api/v1/captions/" + id, R"({"text":"viewer"})", viewer_token_).status,
            403);
  EXPECT_EQ(body_json(send(Method::kGet, "/api/v1/captions/" + id))["text"], body_json(edited)["text"]);
  ASSERT_EQ(send(Method::kPut, "/api/v1/content-settings", "{}", admin_token_).status, 200);
}

TEST_F(CaptionRoutesTest, OrdersThatCannotBeServedAreRefusedWithTheReason) {
  const auto missing = send(Method::kPost, "/api/v1/captions", R"({"platform":"x"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_THAT(error_fields(missing), Contains("persona_id"));
  const auto platform = send(Method::kPost, "/api/v1/captions",
                             json{{"persona_id", persona_id_}, {"platform", "myspace"}}.dump());
  EXPECT_EQ(platform.status, 400);
  EXPECT_THAT(error_fields(platform), Contains("platform"));
  const auto nothing =
      send(Method::kPost, "/api/v1/captions", json{{"persona_id", persona_id_}, {"platform", "x"}}.dump());
  EXPECT_EQ(nothing.status, 400);
  EXPECT_THAT(error_fields(nothing), Contains("media_id"));
  const auto unknown =
      send(Method::kPost, "/api/v1/captions", R"({"persona_id":"nobody","platform":"x","brief":"Hi"})");
  EXPECT_EQ(unknown.status, 404);
  const auto draft = make_persona("Draft", "review_all", false);
  const auto inactive = send(Method::kPost, "/api/v1/captions",
                             json{{"persona_id", draft}, {"platform", "x"}, {"brief", "Hi"}}.dump());
  EXPECT_EQ(inactive.status, 409);
  EXPECT_THAT(inactive.body, HasSubstr("not active"));
  const auto media = send(Method::kPost, "/api/v1/captions",
                          json{{"persona_id", persona_id_}, {"platform", "x"}, {"media_id", "nope"}}.dump());
  EXPECT_EQ(media.status, 404);
  const auto long_brief =
      send(Method::kPost, "/api/v1/captions",
           json{{"persona_id", persona_id_}, {"platform", "x"}, {"brief", std::string(2001, 'a')}}.dump());
  EXPECT_EQ(long_brief.status, 400);
  EXPECT_THAT(error_fields(long_brief), Contains("brief"));
  const auto extra = send(Method::kPost, "/api/v1/captions",
                          json{{"persona_id", persona_id_}, {"platform", "x"}, {"colour", "red"}}.dump());
  EXPECT_EQ(extra.status, 400);
  EXPECT_EQ(send(Method::kPost, "/api/v1/captions", "{not json").status, 400);
  EXPECT_EQ(send(Method::kPost, "/api/v1/captions",
                 json{{"persona_id", persona_id_}, {"platform", "x"}, {"brief", "Hi"}}.dump(), viewer_token_)
                .status,
            403);
  // None of these queued anything.
  const auto jobs = body_json(send(Method::kGet, "/api/v1/jobs?state=queued,running"));
  EXPECT_EQ(jobs["items"], json::array()) << jobs.dump();
}

TEST_F(CaptionRoutesTest, ContentSettingsAreVersionedAndValidated) {
  const auto first = send(Method::kGet, "/api/v1/content-settings");
  ASSERT_EQ(first.status, 200);
  const auto revision = body_json(first)["revision"].get<std::int64_t>();
  http::Headers match;
  match.set("If-Match", "\"" + std::to_string(revision) + "\"");
  const json body = {{"banned_hashtags", {"#spam"}},
                     {"preferred_hashtags", {"#studiolife"}},
                     {"real_person_names", {"Jane Realperson"}},
                     {"templates", {{"x", {{"text", "{{caption}} {{hashtags}}"}}}}}};
  const auto saved = send(Method::kPut, "/api/v1/content-settings", body.dump(), admin_token_, match);
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(body_json(saved)["revision"], revision + 1);
  EXPECT_EQ(body_json(saved)["preferred_hashtags"], json::array({"#studiolife"}));
  EXPECT_EQ(send(Method::kPut, "/api/v1/content-settings", body.dump(), admin_token_, match).status, 412);

  const auto bad_platform = send(Method::kPut, "/api/v1/content-settings",
                                 R"({"templates":{"myspace":{"text":"x"}}})", admin_token_);
  EXPECT_EQ(bad_platform.status, 400);
  const auto bad_template = send(Method::kPut, "/api/v1/content-settings",
                                 R"({"templates":{"x":{"text":"{{#open"}}})", admin_token_);
  EXPECT_EQ(bad_template.status, 400) << bad_template.body;
  EXPECT_EQ(send(Method::kPut, "/api/v1/content-settings", R"({"banned_terms":"one"})", admin_token_).status,
            400);
  // Managers read the settings but do not change them; viewers do neither.
  EXPECT_EQ(send(Method::kPut, "/api/v1/content-settings", "{}").status, 403);
  EXPECT_EQ(send(Method::kGet, "/api/v1/content-settings", "", viewer_token_).status, 403);
  // The refused writes left the saved settings as they were.
  EXPECT_EQ(body_json(send(Method::kGet, "/api/v1/content-settings"))["revision"], revision + 1);
  ASSERT_EQ(send(Method::kPut, "/api/v1/content-settings", "{}", admin_token_).status, 200);
}

TEST_F(CaptionRoutesTest, TheJobsApiListsFiltersAndCountsQueues) {
  const auto ordered = order({{"persona_id", persona_id_}, {"platform", "fanvue"}, {"brief", "Hello"}});
  const auto queued =
      body_json(send(Method::kGet, "/api/v1/jobs?state=queued&queue=captions&kind=caption.generate"));
  ASSERT_FALSE(queued["items"].empty()) << queued.dump();
  EXPECT_EQ(queued["items"][0]["id"], ordered["job_id"]);
  const auto queues = body_json(send(Method::kGet, "/api/v1/jobs/queues"));
  bool found = false;
  for (const auto& queue : queues["items"]) {
    if (queue["queue"] != "captions") continue;
    found = true;
    EXPECT_GE(queue["available"].get<int>(), 1);
    EXPECT_TRUE(queue["oldest_available_age_ms"].is_number());
  }
  EXPECT_TRUE(found) << queues.dump();

  const auto id = std::to_string(ordered["job_id"].get<std::int64_t>());
  EXPECT_EQ(send(Method::kPost, "/api/v1/jobs/" + id + "/retry").status, 200);
  EXPECT_EQ(send(Method::kPost, "/api/v1/jobs/" + id + "/replay").status, 409);
  EXPECT_EQ(send(Method::kPost, "/api/v1/jobs/" + id + "/cancel", "", viewer_token_).status, 403);
  EXPECT_EQ(send(Method::kGet, "/api/v1/jobs?state=finished").status, 400);
  EXPECT_EQ(send(Method::kGet, "/api/v1/jobs?limit=0").status, 400);
  EXPECT_EQ(send(Method::kGet, "/api/v1/jobs?cursor=abc").status, 400);
  EXPECT_EQ(send(Method::kGet, "/api/v1/jobs/abc").status, 404);
  EXPECT_EQ(send(Method::kGet, "/api/v1/jobs/999999999").status, 404);
  start_runner();
  EXPECT_EQ(wait_until_finished(ordered["job_id"].get<std::int64_t>())["state"], "succeeded");
  const auto succeeded = body_json(send(Method::kGet, "/api/v1/jobs?state=succeeded&limit=1"));
  EXPECT_EQ(succeeded["items"].size(), 1u);
  EXPECT_THAT(succeeded["items"][0].dump(), Not(HasSubstr("history")));
}

}  // namespace
}  // namespace personae
