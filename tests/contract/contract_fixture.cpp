#include "tests/contract/contract_fixture.hpp"

#include <soci/soci.h>

#include "adapters/db/soci_transaction.hpp"
#include "tests/support/postgres_server.hpp"

namespace personae::testing {

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgresql";
}

void BackendTest::SetUp() {
  if (GetParam() == Backend::kSqlite) {
    url_ = "sqlite://" + (temp_dir_.path() / "db" / "personae.db").string();
  } else {
    url_ = shared_postgres_server().create_unique_database();
  }
}

std::unique_ptr<SociDatabase> BackendTest::open(SociDatabaseOptions options) const {
  if (options.url.empty()) options.url = url_;
  return std::make_unique<SociDatabase>(std::move(options));
}

void BackendTest::execute(Database& database, const std::string& sql) {
  database.write([&](Transaction& tx) { soci_session(tx) << sql; });
}

long long BackendTest::query_number(Database& database, const std::string& sql) {
  return database.read([&](Transaction& tx) {
    long long value = 0;
    soci_session(tx) << sql, soci::into(value);
    return value;
  });
}

}  // namespace personae::testing
