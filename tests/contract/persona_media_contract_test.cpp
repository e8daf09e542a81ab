// The persona and media-vault repositories, unchanged on SQLite and PostgreSQL (as an ordinary
// role, so row-level security applies).
#include <soci/soci.h>

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/sql_media_repository.hpp"
#include "adapters/db/sql_persona_repository.hpp"
#include "adapters/db/tenant_scope.hpp"
#include "tests/contract/accounts_fixture.hpp"

namespace personae::testing {
namespace {

class PersonaMediaContractTest : public AccountsTest {
 protected:
  void SetUp() override {
    AccountsTest::SetUp();
    acme_ = create_tenant("Acme");
    beta_ = create_tenant("Beta");
  }

  Persona persona(const Tenant& tenant, const std::string& id, const std::string& name) const {
    Persona p;
    p.id = id;
    p.tenant_id = tenant.id;
    p.display_name = name;
    p.bio = "bio of " + name;
    p.boundaries = {{Platform::kX, {Rating::kSfw}, {}}};
    p.created_at_unix_ms = clock_.now_unix_ms();
    p.updated_at_unix_ms = p.created_at_unix_ms;
    return p;
  }

  MediaItem item(const Tenant& tenant, const std::string& id, std::int64_t created_at,
                 std::optional<std::string> persona_id = std::nullopt) const {
    MediaItem m;
    m.id = id;
    m.tenant_id = tenant.id;
    m.persona_id = std::move(persona_id);
    m.mime_type = "image/jpeg";
    m.original_name = id + ".jpg";
    m.size_bytes = 1234;
    m.width = 800;
    m.height = 1200;
    m.sha256 = std::string(64, 'a');
    m.category = "lingerie";
    m.rating = Rating::kSuggestive;
    m.perceptual_hash = 0x8000'0000'0000'0001ULL;  // the high bit survives a signed BIGINT
    m.tags = {"beach", "red"};
    m.variants = {{"original", tenant.id + "/" + std::string(64, 'b'), "image/jpeg", 800, 1200, 1000},
                  {"thumbnail", tenant.id + "/" + std::string(64, 'c'), "image/jpeg", 213, 320, 100}};
    m.created_by = "u-ann";
    m.created_at_unix_ms = created_at;
    m.updated_at_unix_ms = created_at;
    return m;
  }

  Tenant acme_;
  Tenant beta_;
  SqlPersonaRepository personas_;
  SqlMediaRepository media_;
};

TEST_P(PersonaMediaContractTest, PersonasRoundTripAndNamesAreUniquePerTenantIgnoringCase) {
  Persona luna = persona(acme_, "p-1", "Luna Vale");
  luna.character.first_message = "Hi there";
  database_->write([&](Transaction& tx) { personas_.insert(tx, luna); });
  const auto found = database_->read([&](Transaction& tx) { return personas_.find(tx, acme_.id, "p-1"); });
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, luna);
  EXPECT_EQ(error_code_of([&] {
              database_->write(
                  [&](Transaction& tx) { personas_.insert(tx, persona(acme_, "p-2", "  LUNA VALE ")); });
            }),
            ErrorCode::kConflict);
  // Another tenant may use the name, and does not see Acme's persona.
  database_->write([&](Transaction& tx) { personas_.insert(tx, persona(beta_, "p-3", "Luna Vale")); });
  database_->read([&](Transaction& tx) {
    EXPECT_FALSE(personas_.find(tx, beta_.id, "p-1"));
    EXPECT_EQ(personas_.list(tx, acme_.id).size(), 1U);
    EXPECT_EQ(personas_.count(tx, beta_.id), 1);
  });
}

TEST_P(PersonaMediaContractTest, UpdatesAreGuardedByTheRevision) {
  Persona luna = persona(acme_, "p-1", "Luna");
  database_->write([&](Transaction& tx) { personas_.insert(tx, luna); });
  Persona changed = luna;
  changed.bio = "new";
  changed.revision = 2;
  EXPECT_TRUE(database_->write([&](Transaction& tx) { return personas_.update(tx, changed, 1); }));
  changed.bio = "stale writer";
  changed.revision = 2;
  EXPECT_FALSE(database_->write([&](Transaction& tx) { return personas_.update(tx, changed, 1); }));
  EXPECT_EQ(database_->read([&](Transaction& tx) { return personas_.find(tx, acme_.id, "p-1")->bio; }),
            "new");
  Persona ghost = persona(acme_, "p-404", "Ghost");
  EXPECT_EQ(
      error_code_of([&] { database_->write([&](Transaction& tx) { personas_.update(tx, ghost, 1); }); }),
      ErrorCode::kNotFound);
  Persona other_tenant = changed;
  other_tenant.tenant_id = beta_.id;
  EXPECT_EQ(error_code_of(
                [&] { database_->write([&](Transaction& tx) { personas_.update(tx, other_tenant, 2); }); }),
            ErrorCode::kNotFound);
  EXPECT_EQ(error_code_of(
                [&] { database_->write([&](Transaction& tx) { personas_.remove(tx, beta_.id, "p-1"); }); }),
            ErrorCode::kNotFound);
  database_->write([&](Transaction& tx) { personas_.remove(tx, acme_.id, "p-1"); });
  EXPECT_FALSE(database_->read([&](Transaction& tx) { return personas_.find(tx, acme_.id, "p-1"); }));
}

TEST_P(PersonaMediaContractTest, MediaItemsRoundTripWithTagsAndVariants) {
  database_->write([&](Transaction& tx) { personas_.insert(tx, persona(acme_, "p-1", "Luna")); });
  const MediaItem stored = item(acme_, "m-1", 100, "p-1");
  database_->write([&](Transaction& tx) { media_.insert(tx, stored); });
  const auto found = database_->read([&](Transaction& tx) { return media_.find(tx, acme_.id, "m-1"); });
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, stored);
  EXPECT_FALSE(database_->read([&](Transaction& tx) { return media_.find(tx, beta_.id, "m-1"); }));

  MediaItem edited = stored;
  edited.tags = {"night"};
  edited.rating = Rating::kExplicit;
  edited.category.reset();
  edited.persona_id.reset();
  edited.description = "by the sea";
  edited.updated_at_unix_ms = 200;
  database_->write([&](Transaction& tx) { media_.update_metadata(tx, edited); });
  EXPECT_EQ(*database_->read([&](Transaction& tx) { return media_.find(tx, acme_.id, "m-1"); }), edited);

  EXPECT_EQ(database_->read([&](Transaction& tx) {
    return media_.count_blob_references(tx, acme_.id, stored.variants[0].blob_key);
  }),
            1);
  database_->write([&](Transaction& tx) { media_.remove(tx, acme_.id, "m-1"); });
  database_->read([&](Transaction& tx) {
    EXPECT_FALSE(media_.find(tx, acme_.id, "m-1"));
    EXPECT_EQ(media_.count_blob_references(tx, acme_.id, stored.variants[0].blob_key), 0);
  });
  EXPECT_EQ(
      error_code_of([&] { database_->write([&](Transaction& tx) { media_.remove(tx, acme_.id, "m-1"); }); }),
      ErrorCode::kNotFound);
}

TEST_P(PersonaMediaContractTest, ListingFiltersAndPagesNewestFirst) {
  database_->write([&](Transaction& tx) {
    personas_.insert(tx, persona(acme_, "p-1", "Luna"));
    personas_.insert(tx, persona(acme_, "p-2", "Nova"));
    for (int i = 0; i < 7; ++i) {
      MediaItem m = item(acme_, "m-" + std::to_string(i), 100 + (i / 2), i % 2 == 0 ? "p-1" : "p-2");
      if (i == 3) {
        m.tags = {"gold"};
        m.rating = Rating::kExplicit;
        m.category = "feet";
      }
      media_.insert(tx, m);
    }
    media_.insert(tx, item(beta_, "m-beta", 500));
  });
  const auto ids = [](const MediaPage& page) {
    std::vector<std::string> out;
    for (const auto& m : page.items) out.push_back(m.id);
    return out;
  };
  MediaFilter filter;
  filter.limit = 3;
  auto page = database_->read([&](Transaction& tx) { return media_.list(tx, acme_.id, filter); });
  EXPECT_EQ(ids(page), (std::vector<std::string>{"m-6", "m-5", "m-4"}));
  ASSERT_TRUE(page.next);
  filter.after = page.next;
  page = database_->read([&](Transaction& tx) { return media_.list(tx, acme_.id, filter); });
  EXPECT_EQ(ids(page), (std::vector<std::string>{"m-3", "m-2", "m-1"}));
  filter.after = page.next;
  page = database_->read([&](Transaction& tx) { return media_.list(tx, acme_.id, filter); });
  EXPECT_EQ(ids(page), (std::vector<std::string>{"m-0"}));
  EXPECT_FALSE(page.next);

  const auto only = [&](MediaFilter f) {
    f.limit = 50;
    return ids(database_->read([&](Transaction& tx) { return media_.list(tx, acme_.id, f); }));
  };
  EXPECT_EQ(only({.persona_id = "p-2"}), (std::vector<std::string>{"m-5", "m-3", "m-1"}));
  EXPECT_EQ(only({.tag = "gold"}), std::vector<std::string>{"m-3"});
  EXPECT_EQ(only({.category = "feet"}), std::vector<std::string>{"m-3"});
  EXPECT_EQ(only({.rating = Rating::kExplicit}), std::vector<std::string>{"m-3"});
  EXPECT_EQ(only({.reachable_personas = std::vector<std::string>{"p-1"}}),
            (std::vector<std::string>{"m-6", "m-4", "m-2", "m-0"}));
  EXPECT_TRUE(only({.reachable_personas = std::vector<std::string>{}}).empty());
  EXPECT_TRUE(only({.unassigned_only = true}).empty());
  EXPECT_EQ(only({.kind = MediaKind::kImage}).size(), 7U);

  const auto folders = database_->read([&](Transaction& tx) { return media_.folders(tx, acme_.id); });
  std::int64_t total = 0;
  for (const auto& folder : folders) total += folder.count;
  EXPECT_EQ(total, 7);
  EXPECT_EQ(database_->read([&](Transaction& tx) { return media_.count_for_persona(tx, acme_.id, "p-1"); }),
            4);
  EXPECT_EQ(database_->read([&](Transaction& tx) { return media_.count_in_category(tx, acme_.id, "feet"); }),
            1);
  const auto prints = database_->read([&](Transaction& tx) { return media_.fingerprints(tx, acme_.id); });
  ASSERT_EQ(prints.size(), 7U);
  EXPECT_EQ(prints[0].perceptual_hash, 0x8000'0000'0000'0001ULL);
}

TEST_P(PersonaMediaContractTest, CategoriesAreSeededOnceAndEditable) {
  const auto defaults = default_media_categories();
  database_->write([&](Transaction& tx) { media_.seed_categories(tx, acme_.id, defaults, 1); });
  EXPECT_EQ(database_->read([&](Transaction& tx) { return media_.categories(tx, acme_.id); }).size(),
            defaults.size());
  database_->write([&](Transaction& tx) { media_.remove_category(tx, acme_.id, "feet"); });
  database_->write([&](Transaction& tx) { media_.seed_categories(tx, acme_.id, defaults, 2); });  // no-op now
  const auto categories = database_->read([&](Transaction& tx) { return media_.categories(tx, acme_.id); });
  EXPECT_EQ(categories.size(), defaults.size() - 1);
  database_->write([&](Transaction& tx) { media_.add_category(tx, acme_.id, {"studio", "Studio"}, 3); });
  EXPECT_EQ(
      error_code_of([&] {
        database_->write([&](Transaction& tx) { media_.add_category(tx, acme_.id, {"studio", "Again"}, 4); });
      }),
      ErrorCode::kConflict);
  EXPECT_TRUE(database_->read([&](Transaction& tx) { return media_.categories(tx, beta_.id); }).empty());
  EXPECT_FALSE(database_->read([&](Transaction& tx) { return media_.categories_seeded(tx, beta_.id); }));
}

TEST_P(PersonaMediaContractTest, RowLevelSecurityHidesOtherTenantsVaultRows) {
  if (GetParam() != Backend::kPostgresql) GTEST_SKIP() << "SQLite has no row-level security";
  database_->write([&](Transaction& tx) {
    personas_.insert(tx, persona(acme_, "p-1", "Luna"));
    personas_.insert(tx, persona(beta_, "p-2", "Nova"));
    media_.insert(tx, item(acme_, "m-1", 1, "p-1"));
    media_.insert(tx, item(beta_, "m-2", 1, "p-2"));
  });
  database_->read([&](Transaction& tx) {
    for (const char* table : {"personas", "media_items", "media_tags", "media_variants"}) {
      long long visible = -1;
      soci_session(tx) << std::string("SELECT COUNT(*) FROM ") + table, soci::into(visible);
      EXPECT_EQ(visible, 0) << table << " without a tenant scope";
    }
    scope_to_tenant(tx, acme_.id);
    std::vector<std::string> tenants(16);
    soci_session(tx) << "SELECT tenant_id FROM media_variants", soci::into(tenants);
    EXPECT_EQ(tenants, (std::vector<std::string>{acme_.id, acme_.id}));
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, PersonaMediaContractTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql), backend_name);

}  // namespace
}  // namespace personae::testing
