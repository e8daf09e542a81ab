#include "adapters/db/database_url.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace personae {
namespace {

std::string config_error(std::string_view url) {
  try {
    DatabaseUrl::parse(url);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "no error";
}

TEST(DatabaseUrlTest, ParsesSqlitePaths) {
  const auto absolute = DatabaseUrl::parse("sqlite:///var/lib/personae/personae.db");
  EXPECT_EQ(absolute.dialect(), Dialect::kSqlite);
  EXPECT_EQ(absolute.sqlite_path(), "/var/lib/personae/personae.db");
  EXPECT_EQ(absolute.redacted(), "sqlite:///var/lib/personae/personae.db");
  EXPECT_FALSE(absolute.has_password());
  EXPECT_EQ(DatabaseUrl::parse("sqlite://./var/personae.db").sqlite_path(), "./var/personae.db");
  EXPECT_EQ(DatabaseUrl::parse("sqlite://data/p.db").sqlite_path(), "data/p.db");
  EXPECT_EQ(DatabaseUrl::parse("sqlite:///tmp/with space/p.db").sqlite_path(), "/tmp/with space/p.db");
}

TEST(DatabaseUrlTest, RejectsBadSqliteUrls) {
  EXPECT_NE(config_error("sqlite://").find("empty SQLite path"), std::string::npos);
  EXPECT_NE(config_error("sqlite::memory:").find("in-memory"), std::string::npos);
  EXPECT_NE(config_error("sqlite:p.db").find("must name a file"), std::string::npos);
  EXPECT_NE(config_error("sqlite://./var/").find("names a folder"), std::string::npos);
  EXPECT_NE(config_error("sqlite://p.db?mode=ro").find("no parameters"), std::string::npos);
}

TEST(DatabaseUrlTest, RejectsUnknownSchemesAndNonUrls) {
  EXPECT_NE(config_error("").find("is empty"), std::string::npos);
  EXPECT_NE(config_error("mysql://u@h/db").find("unknown scheme \"mysql\""), std::string::npos);
  EXPECT_NE(config_error("personae.db").find("is not a URL"), std::string::npos);
  EXPECT_NE(config_error("mysql://u@h/db").find("postgresql://"), std::string::npos);
}

TEST(DatabaseUrlTest, ParsesPostgresqlUrls) {
  for (const char* text : {"postgresql://personae@db.internal:5433/personae?sslmode=require",
                           "postgres://personae@localhost/personae", "postgresql://localhost",
                           "postgresql://u:p%40ss@[::1]:5432/db"}) {
    const auto url = DatabaseUrl::parse(text);
    EXPECT_EQ(url.dialect(), Dialect::kPostgresql) << text;
  }
  EXPECT_EQ(DatabaseUrl::parse("postgresql://personae@db:5432/p").redacted(),
            "postgresql://personae@db:5432/p");
}

TEST(DatabaseUrlTest, RedactsPasswords) {
  const auto url = DatabaseUrl::parse("postgresql://personae:s3cret@db:5432/personae?sslmode=require");
  EXPECT_TRUE(url.has_password());
  EXPECT_EQ(url.redacted(), "postgresql://personae:***@db:5432/personae?sslmode=require");
  const auto query = DatabaseUrl::parse("postgresql://db/personae?user=u&password=hunter2&sslmode=disable");
  EXPECT_TRUE(query.has_password());
  EXPECT_EQ(query.redacted(), "postgresql://db/personae?user=u&password=***&sslmode=disable");
  // A password with an unencoded '@' is still hidden entirely.
  EXPECT_EQ(DatabaseUrl::parse("postgresql://u:a@b@db/p").redacted().find("a@b"), std::string::npos);
}

TEST(DatabaseUrlTest, MalformedPostgresqlUrlsNeverEchoThePassword) {
  const std::string message = config_error("postgresql://u:topsecret@db/p?nosuchoption=1");
  EXPECT_NE(message.find("not a valid PostgreSQL connection URL"), std::string::npos) << message;
  EXPECT_NE(message.find("nosuchoption"), std::string::npos) << message;
  EXPECT_EQ(message.find("topsecret"), std::string::npos) << message;
  const std::string encoding = config_error("postgresql://u:top%zzsecret@db/p");
  EXPECT_NE(encoding.find("not a valid PostgreSQL connection URL"), std::string::npos) << encoding;
  EXPECT_EQ(encoding.find("secret"), std::string::npos) << encoding;
  EXPECT_NE(config_error("postgresql://db/p?=x").find("parameter without a name"), std::string::npos);
}

TEST(DatabaseUrlTest, AddsParametersPercentEncoded) {
  const auto url = DatabaseUrl::parse("postgresql://personae@db/p");
  EXPECT_EQ(url.postgres_uri({{"password", "p@ss w&rd"}, {"application_name", "personae"}}),
            "postgresql://personae@db/p?password=p%40ss%20w%26rd&application_name=personae");
  const auto with_query = DatabaseUrl::parse("postgresql://db/p?connect_timeout=9");
  EXPECT_EQ(with_query.postgres_uri({{"connect_timeout", "5"}, {"application_name", "x"}}),
            "postgresql://db/p?connect_timeout=9&application_name=x");
}

}  // namespace
}  // namespace personae
