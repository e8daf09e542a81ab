// Personas and the media vault through the real route table and services (SQLite here,
// PostgreSQL in personae_app_postgres_test): the flows a user goes through, and their failure
// paths.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "app/routes_test_fixture.hpp"
#include "services/media/media_service.hpp"

namespace personae {
namespace {

using http::Method;
using json = nlohmann::json;
using route_testing::bearer;
using route_testing::body_json;
using route_testing::error_fields;
using route_testing::RouteHarness;
using route_testing::TestUser;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

const std::string& portrait_png() {
  static const std::string bytes = read_file(PERSONAE_SOURCE_DIR "/tests/fixtures/media/portrait.png");
  return bytes;
}

/// A multipart/form-data body with the given text fields and, when `file` is set, a file part.
std::string multipart(const std::vector<std::pair<std::string, std::string>>& fields,
                      const std::optional<std::string>& file, const std::string& filename = "photo.png",
                      const std::string& file_type = "image/png") {
  std::string body;
  for (const auto& [name, value] : fields) {
    body += "--B0undary\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  }
  if (file) {
    body += "--B0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename +
            "\"\r\nContent-Type: " + file_type + "\r\n\r\n" + *file + "\r\n";
  }
  return body + "--B0undary--\r\n";
}

class VaultRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    harness_ = std::make_unique<RouteHarness>();
    harness_->create_tenant("Studio");
    owner_ = harness_->create_user("Studio", "owner@studio.example.com", Role::kOwner);
    manager_ = harness_->create_user("Studio", "manager@studio.example.com", Role::kManager);
    chatter_ = harness_->create_user("Studio", "chatter@studio.example.com", Role::kChatter);
    owner_token_ = harness_->login(owner_).access_token;
    manager_token_ = harness_->login(manager_).access_token;
  }
  static void TearDownTestSuite() { harness_.reset(); }

  static http::Response send(Method method, const std::string& target, const std::string& token,
                             const std::string& body = {}, http::Headers headers = {}) {
    headers.set("Authorization", "Bearer " + token);
    return harness_->send(method, target, body, std::move(headers));
  }

  static http::Response upload(const std::string& token, const std::string& body) {
    http::Headers headers;
    headers.set("Content-Type", "multipart/form-data; boundary=B0undary");
    return send(Method::kPost, "/api/v1/media", token, body, std::move(headers));
  }

  static json create_persona(const std::string& name, json extra = json::object()) {
    extra["display_name"] = name;
    const auto response = send(Method::kPost, "/api/v1/personas", manager_token_, extra.dump());
    EXPECT_EQ(response.status, 201) << response.body;
    return body_json(response);
  }

  static std::string detail_of(const http::Response& response) {
    const auto body = body_json(response);
    return body.is_object() ? body.value("detail", "") : "";
  }

  static inline std::unique_ptr<RouteHarness> harness_;
  static inline TestUser owner_;
  static inline TestUser manager_;
  static inline TestUser chatter_;
  static inline std::string owner_token_;
  static inline std::string manager_token_;
};

TEST_F(VaultRoutesTest, APersonaIsCreatedAsADraftWithDefaultsAndEveryAiDisclosure) {
  const auto persona = create_persona("Luna Vale", {{"bio", "Painter, 27."}, {"timezone", "Europe/Paris"}});
  EXPECT_EQ(persona["status"], "draft");
  EXPECT_EQ(persona["kind"], "fictional");
  EXPECT_EQ(persona["languages"], json::array({"en"}));
  EXPECT_EQ(persona["review_mode"], "review_all");
  EXPECT_EQ(persona["disclosures"].size(), 5U);
  EXPECT_NE(persona["activation_blocker"].get<std::string>().find("attestation"), std::string::npos);
  const auto fetched =
      send(Method::kGet, "/api/v1/personas/" + persona["id"].get<std::string>(), owner_token_);
  EXPECT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.headers.get("ETag").value_or(""), "\"1\"");
}

TEST_F(VaultRoutesTest, BadPersonaFieldsAreAllNamedInOne400) {
  const auto response = send(
      Method::kPost, "/api/v1/personas", manager_token_,
      json{{"display_name", ""},
           {"timezone", "Mars/Olympus"},
           {"languages", {"French"}},
           {"status", "active"},
           {"boundaries",
            {{{"platform", "x"}, {"allowed_ratings", {"sfw"}}, {"allowed_categories", {"not_a_category"}}}}}}
          .dump());
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_EQ(error_fields(response), std::vector<std::string>{"status"}) << response.body;
  const auto semantic = send(
      Method::kPost, "/api/v1/personas", manager_token_,
      json{{"display_name", "Nova"},
           {"timezone", "Mars/Olympus"},
           {"boundaries",
            {{{"platform", "x"}, {"allowed_ratings", {"sfw"}}, {"allowed_categories", {"not_a_category"}}}}}}
          .dump());
  EXPECT_EQ(semantic.status, 400) << semantic.body;
  EXPECT_EQ(error_fields(semantic),
            (std::vector<std::string>{"timezone", "boundaries[0].allowed_categories[0]"}));
  create_persona("Twin Name");
  const auto duplicate =
      send(Method::kPost, "/api/v1/personas", manager_token_, json{{"display_name", "  TWIN name "}}.dump());
  EXPECT_EQ(duplicate.status, 409) << duplicate.body;
}

TEST_F(VaultRoutesTest, EditsAreConditionalOnTheETag) {
  const auto persona = create_persona("Iris");
  const std::string path = "/api/v1/personas/" + persona["id"].get<std::string>();
  http::Headers if_match;
  if_match.set("If-Match", "\"1\"");
  const auto first = send(Method::kPatch, path, manager_token_, json{{"bio", "first"}}.dump(), if_match);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.headers.get("ETag").value_or(""), "\"2\"");
  const auto stale = send(Method::kPatch, path, manager_token_, json{{"bio", "second"}}.dump(), if_match);
  EXPECT_EQ(stale.status, 412) << stale.body;
  http::Headers garbage;
  garbage.set("If-Match", "yesterday");
  EXPECT_EQ(send(Method::kPatch, path, manager_token_, json{{"bio", "x"}}.dump(), garbage).status, 400);
  EXPECT_EQ(body_json(send(Method::kGet, path, owner_token_))["bio"], "first");
}

TEST_F(VaultRoutesTest, ActivationNeedsTheAttestationAndIsAudited) {
  const auto persona = create_persona("Selene", {{"bio", "Astronomer, 31."}});
  const std::string path = "/api/v1/personas/" + persona["id"].get<std::string>();
  // A manager prepares personas but cannot put them live.
  EXPECT_EQ(
      send(Method::kPost, path + "/activate", manager_token_, R"({"attest_fictional_adult":true})").status,
      403);
  const auto refused = send(Method::kPost, path + "/activate", owner_token_, "{}");
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(detail_of(refused).find("attestation"), std::string::npos) << refused.body;
  const auto activated =
      send(Method::kPost, path + "/activate", owner_token_, R"({"attest_fictional_adult":true})");
  ASSERT_EQ(activated.status, 200) << activated.body;
  const auto body = body_json(activated);
  EXPECT_EQ(body["status"], "active");
  EXPECT_EQ(body["attestation"]["attested_by"], owner_.id);
  EXPECT_NE(body["attestation"]["statement"].get<std::string>().find("adult"), std::string::npos);
  // An active persona refuses a change that would break its rules, and cannot be deleted.
  const auto minor = send(Method::kPatch, path, manager_token_, json{{"bio", "She is 16 years old."}}.dump());
  EXPECT_EQ(minor.status, 409) << minor.body;
  EXPECT_NE(detail_of(minor).find("16 years old"), std::string::npos);
  EXPECT_EQ(send(Method::kDelete, path, manager_token_).status, 409);
  EXPECT_EQ(send(Method::kPost, path + "/deactivate", owner_token_).status, 200);
  EXPECT_EQ(send(Method::kDelete, path, manager_token_).status, 204);
  EXPECT_EQ(send(Method::kGet, path, owner_token_).status, 404);

  // Activation, deactivation and deletion are in the tenant's tamper-evident chain.
  const auto actions = harness_->audit_actions(owner_.tenant_id);
  for (const char* expected :
       {"persona.created", "persona.activated", "persona.deactivated", "persona.deleted"}) {
    EXPECT_NE(std::find(actions.begin(), actions.end(), expected), actions.end()) << expected;
  }
  EXPECT_TRUE(harness_->storage().audit->verify(owner_.tenant_id).intact);
}

TEST_F(VaultRoutesTest, ARealPersonNeedsConsentWithADocumentFromTheVault) {
  const auto persona = create_persona("Jane Real", {{"kind", "real_adult_with_consent"}});
  const std::string path = "/api/v1/personas/" + persona["id"].get<std::string>();
  EXPECT_NE(persona["activation_blocker"].get<std::string>().find("consent"), std::string::npos);
  const auto document =
      upload(manager_token_, multipart({{"description", "signed release"}}, portrait_png()));
  ASSERT_EQ(document.status, 201) << document.body;
  const std::string document_id = body_json(document)["id"];
  const auto now_ms = harness_->clock().now_unix_ms();
  const json consent = {{"subject_name", "Jane Real"},
                        {"signed_at_unix_ms", now_ms - 86'400'000},
                        {"scope", "Images and captions on Fanvue"},
                        {"document_media_id", document_id},
                        {"expires_at_unix_ms", now_ms + 365LL * 86'400'000}};
  json missing_document = consent;
  missing_document["document_media_id"] = "nope";
  const auto bad = send(Method::kPut, path + "/consent", owner_token_, missing_document.dump());
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_fields(bad), std::vector<std::string>{"document_media_id"});
  ASSERT_EQ(send(Method::kPut, path + "/consent", owner_token_, consent.dump()).status, 200);
  ASSERT_EQ(send(Method::kPost, path + "/activate", owner_token_, "{}").status, 200);
  // The document cannot be deleted while the persona relies on it.
  EXPECT_EQ(send(Method::kDelete, "/api/v1/media/" + document_id, manager_token_).status, 409);
  // Withdrawing the consent deactivates the persona.
  const auto withdrawn = send(Method::kDelete, path + "/consent", owner_token_);
  ASSERT_EQ(withdrawn.status, 200);
  EXPECT_EQ(body_json(withdrawn)["status"], "inactive");
  EXPECT_TRUE(body_json(withdrawn)["consent"].is_null());
  const auto actions = harness_->audit_actions(owner_.tenant_id);
  for (const char* expected : {"persona.consent_recorded", "persona.consent_withdrawn", "media.added"}) {
    EXPECT_NE(std::find(actions.begin(), actions.end(), expected), actions.end()) << expected;
  }
}

TEST_F(VaultRoutesTest, AnUploadBecomesVariantsWithProvenanceAndADuplicateIsFlagged) {
  const auto persona = create_persona("Vera");
  const auto first = upload(manager_token_, multipart({{"persona_id", persona["id"]},
                                                       {"category", "portrait"},
                                                       {"rating", "suggestive"},
                                                       {"tags", "Studio, red"},
                                                       {"tags", "night"}},
                                                      portrait_png()));
  ASSERT_EQ(first.status, 201) << first.body;
  const auto item = body_json(first);
  EXPECT_EQ(item["mime_type"], "image/png");
  EXPECT_EQ(item["width"], 240);
  EXPECT_EQ(item["tags"], json::array({"night", "red", "studio"}));
  std::set<std::string> variants;
  for (const auto& variant : item["variants"]) variants.insert(variant["name"]);
  EXPECT_EQ(variants, (std::set<std::string>{"original", "thumbnail", "instagram_portrait", "instagram_story",
                                             "x_landscape", "reddit", "fanvue"}));

  const std::string id = item["id"];
  const auto download =
      send(Method::kGet, "/api/v1/media/" + id + "/variants/instagram_portrait", manager_token_);
  ASSERT_EQ(download.status, 200);
  EXPECT_EQ(download.headers.get("Content-Type").value_or(""), "image/jpeg");
  EXPECT_NE(download.body.find("trainedAlgorithmicMedia"), std::string::npos)
      << "no provenance in the variant";
  http::Headers cached;
  cached.set("If-None-Match", std::string(download.headers.get("ETag").value_or("")));
  EXPECT_EQ(
      send(Method::kGet, "/api/v1/media/" + id + "/variants/instagram_portrait", manager_token_, "", cached)
          .status,
      304);

  const auto second = upload(manager_token_, multipart({{"persona_id", persona["id"]}}, portrait_png()));
  ASSERT_EQ(second.status, 201) << second.body;
  // The same picture uploaded again is flagged (other tests of the suite upload it too).
  bool flagged = false;
  const auto second_item = body_json(second);
  for (const auto& duplicate : second_item["near_duplicates"]) {
    if (duplicate["media_id"] == id) flagged = duplicate["identical"] == true && duplicate["distance"] == 0;
  }
  EXPECT_TRUE(flagged) << second.body;
}

TEST_F(VaultRoutesTest, UnsupportedMismatchedOrBrokenUploadsAreRefusedAndLeaveNothing) {
  const auto count = [] {
    MediaFilter filter;
    filter.limit = 200;
    return harness_->vault().media->list(RouteHarness::principal_of(owner_), filter)->items.size();
  };
  const auto before = count();
  const auto gif =
      upload(manager_token_,
             multipart({}, std::string("GIF89a\x01\x00\x01\x00\x00\x00\x00;", 13), "anim.gif", "image/gif"));
  EXPECT_EQ(gif.status, 400);
  EXPECT_NE(detail_of(gif).find("GIF"), std::string::npos) << gif.body;
  const auto mismatched = upload(manager_token_, multipart({}, portrait_png(), "photo.jpg", "image/jpeg"));
  EXPECT_EQ(mismatched.status, 400) << mismatched.body;
  const auto truncated =
      upload(manager_token_, multipart({}, portrait_png().substr(0, portrait_png().size() / 2)));
  EXPECT_EQ(truncated.status, 400) << truncated.body;
  const auto no_file = upload(manager_token_, multipart({{"rating", "sfw"}}, std::nullopt));
  EXPECT_EQ(no_file.status, 400);
  EXPECT_EQ(error_fields(no_file), std::vector<std::string>{"file"});
  const auto bad_fields =
      upload(manager_token_, multipart({{"rating", "spicy"}, {"mood", "x"}}, portrait_png()));
  EXPECT_EQ(error_fields(bad_fields), (std::vector<std::string>{"rating", "mood"}));
  // A body cut off before its closing boundary: an upload interrupted mid-way.
  const std::string whole = multipart({}, portrait_png());
  const auto cut = upload(manager_token_, whole.substr(0, whole.size() - 40));
  EXPECT_EQ(cut.status, 400);
  EXPECT_NE(detail_of(cut).find("cut off"), std::string::npos) << cut.body;
  http::Headers json_type;
  json_type.set("Content-Type", "application/json");
  EXPECT_EQ(send(Method::kPost, "/api/v1/media", manager_token_, "{}", json_type).status, 415);
  EXPECT_EQ(count(), before);
}

TEST_F(VaultRoutesTest, SignedLinksServeTheFileUntilTheyExpireAndNeverForAnotherObject) {
  const auto added = upload(manager_token_, multipart({}, portrait_png()));
  ASSERT_EQ(added.status, 201) << added.body;
  const std::string id = body_json(added)["id"];
  const auto link = send(Method::kPost, "/api/v1/media/" + id + "/links", manager_token_,
                         json{{"variant", "thumbnail"}, {"ttl_seconds", 60}}.dump());
  ASSERT_EQ(link.status, 201) << link.body;
  const std::string url = body_json(link)["url"];
  const auto fetched = harness_->send(Method::kGet, url);
  EXPECT_EQ(fetched.status, 200) << fetched.body;
  EXPECT_EQ(fetched.headers.get("Content-Type").value_or(""), "image/jpeg");
  // Another variant with the same signature, an altered signature, a later expiry: all 404.
  std::string other_variant = url;
  other_variant.replace(other_variant.find("/thumbnail?"), 11, "/original?");
  EXPECT_EQ(harness_->send(Method::kGet, other_variant).status, 404);
  std::string altered = url;
  altered.back() = altered.back() == '0' ? '1' : '0';
  EXPECT_EQ(harness_->send(Method::kGet, altered).status, 404);
  const auto expires_at = url.find("expires=") + 8;
  std::string stretched = url;
  stretched.replace(expires_at, 1, "9");
  EXPECT_EQ(harness_->send(Method::kGet, stretched).status, 404);
  EXPECT_EQ(send(Method::kPost, "/api/v1/media/" + id + "/links", manager_token_,
                 json{{"variant", "thumbnail"}, {"ttl_seconds", 100'000'000}}.dump())
                .status,
            400);
  harness_->clock().advance(std::chrono::seconds(61));
  EXPECT_EQ(harness_->send(Method::kGet, url).status, 404);
}

TEST_F(VaultRoutesTest, ListingFiltersPagesAndDeletionCollectsUnusedBlobs) {
  const auto persona = create_persona("Paging");
  const std::string persona_id = persona["id"];
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    const auto added =
        upload(manager_token_, multipart({{"persona_id", persona_id}, {"tags", "page"}}, portrait_png()));
    ASSERT_EQ(added.status, 201) << added.body;
    ids.push_back(body_json(added)["id"]);
  }
  const auto page = send(Method::kGet, "/api/v1/media?persona_id=" + persona_id + "&limit=2", owner_token_);
  ASSERT_EQ(page.status, 200);
  const auto first = body_json(page);
  ASSERT_EQ(first["items"].size(), 2U);
  EXPECT_EQ(first["items"][0]["id"], ids[2]);
  const auto rest = send(
      Method::kGet,
      "/api/v1/media?persona_id=" + persona_id + "&limit=2&cursor=" + first["next_cursor"].get<std::string>(),
      owner_token_);
  EXPECT_EQ(body_json(rest)["items"].size(), 1U);
  EXPECT_TRUE(body_json(rest)["next_cursor"].is_null());
  EXPECT_EQ(send(Method::kGet, "/api/v1/media?cursor=garbage", owner_token_).status, 400);
  EXPECT_EQ(send(Method::kGet, "/api/v1/media?rating=spicy", owner_token_).status, 400);

  // The same bytes three times share their blobs: they go with the last item that uses them.
  const auto item = harness_->vault().media->get(RouteHarness::principal_of(owner_), ids[0]);
  ASSERT_TRUE(item);
  const auto key = BlobKey::parse(item->item.variant("original")->blob_key);
  ASSERT_TRUE(key);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    EXPECT_TRUE(harness_->vault().blobs->stat(*key).has_value()) << "before deleting item " << i;
    EXPECT_EQ(send(Method::kDelete, "/api/v1/media/" + ids[i], manager_token_).status, 204);
  }
  EXPECT_FALSE(harness_->vault().blobs->stat(*key).has_value());
  // And the persona, now without items, can be deleted.
  EXPECT_EQ(send(Method::kDelete, "/api/v1/personas/" + persona_id, manager_token_).status, 204);
}

TEST_F(VaultRoutesTest, CategoriesAreSeededAndGuarded) {
  const auto listed = body_json(send(Method::kGet, "/api/v1/media/categories", owner_token_));
  std::set<std::string> names;
  for (const auto& category : listed["items"]) names.insert(category["name"]);
  for (const char* expected : {"lingerie", "feet", "artistic_nude"})
    EXPECT_TRUE(names.contains(expected)) << expected;
  EXPECT_EQ(send(Method::kPost, "/api/v1/media/categories", manager_token_,
                 json{{"name", "Bad Name"}, {"label", "x"}}.dump())
                .status,
            400);
  ASSERT_EQ(send(Method::kPost, "/api/v1/media/categories", manager_token_,
                 json{{"name", "studio"}, {"label", "Studio"}}.dump())
                .status,
            201);
  const auto used = upload(manager_token_, multipart({{"category", "studio"}}, portrait_png()));
  ASSERT_EQ(used.status, 201);
  EXPECT_EQ(send(Method::kDelete, "/api/v1/media/categories/studio", manager_token_).status, 409);
  EXPECT_EQ(send(Method::kDelete, "/api/v1/media/" + body_json(used)["id"].get<std::string>(), manager_token_)
                .status,
            204);
  EXPECT_EQ(send(Method::kDelete, "/api/v1/media/categories/studio", manager_token_).status, 204);
  EXPECT_EQ(send(Method::kDelete, "/api/v1/media/categories/studio", manager_token_).status, 404);
}

TEST_F(VaultRoutesTest, AMemberLimitedToOnePersonaSeesOnlyItAndItsMedia) {
  const auto mine = create_persona("Scoped Mine");
  const auto other = create_persona("Scoped Other");
  const std::string mine_id = mine["id"];
  const std::string other_id = other["id"];
  const auto in_mine = upload(manager_token_, multipart({{"persona_id", mine_id}}, portrait_png()));
  const auto in_other = upload(manager_token_, multipart({{"persona_id", other_id}}, portrait_png()));
  const auto unassigned = upload(manager_token_, multipart({}, portrait_png()));
  ASSERT_EQ(in_mine.status, 201);
  ASSERT_EQ(in_other.status, 201);
  ASSERT_EQ(unassigned.status, 201);
  const auto scoped = harness_->create_user("Studio", "scoped@studio.example.com", Role::kChatter);
  ASSERT_TRUE(harness_->accounts().team->update_member(RouteHarness::principal_of(owner_), scoped.id,
                                                       Role::kChatter, {ResourceScope{"persona", {mine_id}}},
                                                       ClientInfo{}));
  const std::string token = harness_->login(scoped).access_token;

  const auto listed = body_json(send(Method::kGet, "/api/v1/personas", token));
  ASSERT_EQ(listed["items"].size(), 1U) << listed.dump();
  EXPECT_EQ(listed["items"][0]["id"], mine_id);
  EXPECT_EQ(send(Method::kGet, "/api/v1/personas/" + other_id, token).status, 404);

  const auto media = body_json(send(Method::kGet, "/api/v1/media?limit=200", token));
  ASSERT_FALSE(media["items"].empty());
  for (const auto& item : media["items"]) EXPECT_EQ(item["persona_id"], mine_id) << item.dump();
  EXPECT_EQ(send(Method::kGet, "/api/v1/media/" + body_json(in_other)["id"].get<std::string>(), token).status,
            404);
  EXPECT_EQ(
      send(Method::kGet, "/api/v1/media/" + body_json(unassigned)["id"].get<std::string>(), token).status,
      404);
  EXPECT_EQ(send(Method::kGet, "/api/v1/media/" + body_json(in_mine)["id"].get<std::string>(), token).status,
            200);
  EXPECT_TRUE(body_json(send(Method::kGet, "/api/v1/media?persona_id=" + other_id, token))["items"].empty());
  const auto folders = body_json(send(Method::kGet, "/api/v1/media/folders", token));
  for (const auto& folder : folders["folders"]) EXPECT_EQ(folder["persona_id"], mine_id);
}

TEST_F(VaultRoutesTest, ACardRoundTripsThroughExportAndImport) {
  const auto persona = create_persona(
      "Card Star", {{"bio", "Illustrator, 29."},
                    {"handles", {{"x", "card_star"}}},
                    {"character",
                     {{"description", "A cheerful illustrator."},
                      {"first_message", "Hi! Want to see my sketches?"},
                      {"lorebook",
                       {{"name", "World"},
                        {"entries", {{{"keys", {"studio"}}, {"content", "Her studio is in Lyon."}}}}}}}}});
  const std::string id = persona["id"];
  const auto exported =
      send(Method::kGet, "/api/v1/personas/" + id + "/card?format=json&version=v2", manager_token_);
  ASSERT_EQ(exported.status, 200) << exported.body;
  EXPECT_NE(exported.headers.get("Content-Disposition").value_or("").find("Card-Star.v2.json"),
            std::string::npos);
  const auto card = json::parse(exported.body);
  EXPECT_EQ(card["spec"], "chara_card_v2");
  EXPECT_EQ(card["data"]["first_mes"], "Hi! Want to see my sketches?");
  EXPECT_EQ(card["data"]["character_book"]["entries"][0]["content"], "Her studio is in Lyon.");
  EXPECT_EQ(exported.body.find(id), std::string::npos) << "the persona's id must not leave";

  http::Headers json_type;
  json_type.set("Content-Type", "application/json");
  const auto imported =
      send(Method::kPost, "/api/v1/personas/import", manager_token_, exported.body, json_type);
  ASSERT_EQ(imported.status, 201) << imported.body;
  const auto copy = body_json(imported);
  EXPECT_EQ(copy["card_version"], "v2");
  EXPECT_EQ(copy["persona"]["display_name"], "Card Star (2)");  // the name was taken
  EXPECT_EQ(copy["persona"]["status"], "draft");
  EXPECT_EQ(copy["persona"]["bio"], "Illustrator, 29.");
  EXPECT_EQ(copy["persona"]["handles"]["x"], "card_star");
  EXPECT_EQ(copy["persona"]["character"]["lorebook"]["entries"][0]["keys"], json::array({"studio"}));

  const auto png = send(Method::kGet, "/api/v1/personas/" + id + "/card?format=png", manager_token_);
  ASSERT_EQ(png.status, 200) << png.body;
  EXPECT_EQ(png.headers.get("Content-Type").value_or(""), "image/png");
  EXPECT_EQ(png.body.substr(1, 3), "PNG");
  http::Headers png_type;
  png_type.set("Content-Type", "image/png");
  const auto from_png = send(Method::kPost, "/api/v1/personas/import", manager_token_, png.body, png_type);
  ASSERT_EQ(from_png.status, 201) << from_png.body;
  EXPECT_EQ(body_json(from_png)["card_version"], "v3");
  EXPECT_EQ(body_json(from_png)["persona"]["character"]["first_message"], "Hi! Want to see my sketches?");
}

TEST_F(VaultRoutesTest, APngCardCarriesTheFirstReferenceImage) {
  const auto added = upload(manager_token_, multipart({}, portrait_png()));
  ASSERT_EQ(added.status, 201);
  const auto persona =
      create_persona("Portrait Card", {{"visual", {{"reference_media_ids", {body_json(added)["id"]}}}}});
  const auto png =
      send(Method::kGet, "/api/v1/personas/" + persona["id"].get<std::string>() + "/card?format=png",
           manager_token_);
  ASSERT_EQ(png.status, 200) << png.body;
  // 512x768 from the IHDR chunk (big-endian width then height at bytes 16-23).
  const auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned char>(png.body[at]) << 24) |
           (static_cast<unsigned char>(png.body[at + 1]) << 16) |
           (static_cast<unsigned char>(png.body[at + 2]) << 8) | static_cast<unsigned char>(png.body[at + 3]);
  };
  EXPECT_EQ(be32(16), 512U);
  EXPECT_EQ(be32(20), 768U);
}

TEST_F(VaultRoutesTest, MalformedCardsAreRefusedWithTheirPath) {
  http::Headers json_type;
  json_type.set("Content-Type", "application/json");
  const auto no_name =
      send(Method::kPost, "/api/v1/personas/import", manager_token_,
           R"({"spec":"chara_card_v2","spec_version":"2.0","data":{"description":"x"}})", json_type);
  EXPECT_EQ(no_name.status, 400);
  EXPECT_NE(detail_of(no_name).find("data.name"), std::string::npos) << no_name.body;
  const auto minor_card = send(
      Method::kPost, "/api/v1/personas/import", manager_token_,
      R"({"spec":"chara_card_v2","spec_version":"2.0","data":{"name":"Kid","description":"She is 15 years old."}})",
      json_type);
  // Imported as a draft, but it can never be activated.
  ASSERT_EQ(minor_card.status, 201) << minor_card.body;
  EXPECT_NE(body_json(minor_card)["persona"]["activation_blocker"].get<std::string>().find("15 years old"),
            std::string::npos);
  http::Headers png_type;
  png_type.set("Content-Type", "image/png");
  const auto plain_png =
      send(Method::kPost, "/api/v1/personas/import", manager_token_, portrait_png(), png_type);
  EXPECT_EQ(plain_png.status, 400);
  EXPECT_NE(detail_of(plain_png).find("no character card"), std::string::npos) << plain_png.body;
  http::Headers text_type;
  text_type.set("Content-Type", "text/plain");
  EXPECT_EQ(send(Method::kPost, "/api/v1/personas/import", manager_token_, "name: x", text_type).status, 415);
  const auto persona = create_persona("Format Check");
  const auto bad_format = send(
      Method::kGet, "/api/v1/personas/" + persona["id"].get<std::string>() + "/card?format=gif&version=v9",
      manager_token_);
  EXPECT_EQ(bad_format.status, 400);
  EXPECT_EQ(error_fields(bad_format), (std::vector<std::string>{"format", "version"}));
}

}  // namespace
}  // namespace personae
