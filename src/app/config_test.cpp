#include "app/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ConfigTest : public ::testing::Test {
 protected:
  std::string write_file(const std::string& name, const std::string& contents) {
    const auto path = (dir_.path() / name).string();
    std::ofstream(path) << contents;
    return path;
  }

  ConfigSources sources_with_file(const std::string& toml) {
    ConfigSources sources;
    sources.file = write_file("personae.toml", toml);
    sources.default_file = (dir_.path() / "absent.toml").string();
    return sources;
  }

  std::string error_for(const ConfigSources& sources) {
    try {
      load_config(sources);
    } catch (const ConfigError& error) {
      return error.what();
    }
    ADD_FAILURE() << "expected a ConfigError";
    return {};
  }

  testing::TempDir dir_;
};

TEST_F(ConfigTest, DefaultsNeedNoFile) {
  ConfigSources sources;
  sources.default_file = (dir_.path() / "absent.toml").string();
  const Config config = load_config(sources);
  EXPECT_EQ(config.server.host, "127.0.0.1");
  EXPECT_EQ(config.server.port, 8080);
  EXPECT_EQ(config.data_dir, "./var");
  EXPECT_EQ(config.database.url, "sqlite://./var/personae.db");
  EXPECT_FALSE(config.database.auto_migrate.has_value());
  EXPECT_TRUE(config.source_file.empty());
}

TEST_F(ConfigTest, ReadsEveryKindOfValueFromTheFile) {
  const Config config = load_config(sources_with_file(R"(
data_dir = "/srv/personae"
[server]
listen = "[::1]:9000"
max_body_bytes = "2MiB"
header_timeout = "250ms"
cors_allowed_origins = ["https://app.example"]
hsts = true
[database]
url = "postgresql://personae@db:5432/personae"
auto_migrate = true
pool_size = 12
[logging]
level = "debug"
format = "text"
)"));
  EXPECT_EQ(config.data_dir, "/srv/personae");
  EXPECT_EQ(config.server.host, "::1");
  EXPECT_EQ(config.server.port, 9000);
  EXPECT_EQ(config.server.max_body_bytes, 2u * 1024 * 1024);
  EXPECT_EQ(config.server.header_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(config.server.cors_allowed_origins, std::vector<std::string>{"https://app.example"});
  EXPECT_TRUE(config.server.hsts);
  EXPECT_EQ(config.database.url, "postgresql://personae@db:5432/personae");
  EXPECT_EQ(config.database.auto_migrate, true);
  EXPECT_EQ(config.database.pool_size, 12);
  EXPECT_EQ(config.logging.level, log::Level::kDebug);
  EXPECT_EQ(config.logging.format, log::Format::kText);
}

TEST_F(ConfigTest, DatabaseUrlDefaultFollowsTheDataDir) {
  ConfigSources sources = sources_with_file("data_dir = \"/data\"\n");
  EXPECT_EQ(load_config(sources).database.url, "sqlite:///data/personae.db");
}

TEST_F(ConfigTest, EnvironmentOverridesFileAndOptionsOverrideEnvironment) {
  ConfigSources sources = sources_with_file("[server]\nlisten = \"127.0.0.1:7000\"\nworker_threads = 3\n");
  sources.environment = {{"PERSONAE_LISTEN", "127.0.0.1:7001"}, {"PERSONAE_SERVER_WORKER_THREADS", "5"}};
  Config config = load_config(sources);
  EXPECT_EQ(config.server.port, 7001);
  EXPECT_EQ(config.server.worker_threads, 5);

  sources.overrides = {{"server.listen", "127.0.0.1:7002"}};
  config = load_config(sources);
  EXPECT_EQ(config.server.port, 7002);
}

TEST_F(ConfigTest, UnknownKeyNamesThePathLineAndASuggestion) {
  const auto message = error_for(sources_with_file("[server]\n\nlisen = \"127.0.0.1:1\"\n"));
  EXPECT_THAT(message, HasSubstr("personae.toml:3: server.lisen: unknown key"));
  EXPECT_THAT(message, HasSubstr("did you mean \"server.listen\"?"));
}

TEST_F(ConfigTest, UnknownSectionIsRefused) {
  EXPECT_THAT(error_for(sources_with_file("[sever]\nlisten = \"x\"\n")), HasSubstr("sever: unknown key"));
}

TEST_F(ConfigTest, WrongTypeNamesWhatWasExpected) {
  const auto message = error_for(sources_with_file("[server]\nworker_threads = \"eight\"\n"));
  EXPECT_THAT(message, HasSubstr("server.worker_threads"));
  EXPECT_THAT(message, HasSubstr("expected an integer from 1 to 1024, got a string"));
}

TEST_F(ConfigTest, OutOfRangeAndMalformedValuesAreRefused) {
  EXPECT_THAT(error_for(sources_with_file("[server]\nworker_threads = 0\n")), HasSubstr("got 0"));
  EXPECT_THAT(error_for(sources_with_file("[server]\nlisten = \"localhost\"\n")), HasSubstr("HOST:PORT"));
  EXPECT_THAT(error_for(sources_with_file("[server]\nlisten = \"127.0.0.1:99999\"\n")),
              HasSubstr("port from 0 to 65535"));
  EXPECT_THAT(error_for(sources_with_file("[server]\nheader_timeout = \"10 seconds\"\n")),
              HasSubstr("expected a duration"));
  EXPECT_THAT(error_for(sources_with_file("[server]\nmax_body_bytes = \"12XB\"\n")),
              HasSubstr("expected a size"));
  EXPECT_THAT(error_for(sources_with_file("[logging]\nlevel = \"loud\"\n")),
              HasSubstr("expected one of \"debug\", \"info\", \"warn\", \"error\""));
  EXPECT_THAT(error_for(sources_with_file("server = 3\n")), HasSubstr("expected a table"));
  EXPECT_THAT(error_for(sources_with_file("[server]\ncors_allowed_origins = [1]\n")),
              HasSubstr("an element that is an integer"));
}

TEST_F(ConfigTest, MalformedDatabaseUrlIsRefusedAtLoadNamingTheKey) {
  const auto message = error_for(sources_with_file("[database]\nurl = \"mysql://db/personae\"\n"));
  EXPECT_THAT(message, HasSubstr("database.url: "));
  EXPECT_THAT(
      error_for(sources_with_file("[database]\nurl = \"postgresql://ann:hunter2@db/p?nosuchoption=1\"\n")),
      Not(HasSubstr("hunter2")));
}

TEST_F(ConfigTest, MediaPresetsAreAListOfTablesInTheFileOrTheEnvironment) {
  EXPECT_EQ(load_config(sources_with_file("")).media.presets, default_media_presets());
  const Config config = load_config(sources_with_file(R"(
[[media.presets]]
name = "square"
width = 1080
height = 1080
fit = "contain"
format = "webp"
quality = 70
watermark = false
)"));
  ASSERT_EQ(config.media.presets.size(), 1U);
  EXPECT_EQ(config.media.presets[0], (MediaPresetConfig{"square", 1080, 1080, "contain", "webp", 70, false}));

  ConfigSources from_environment = sources_with_file("");
  from_environment.environment["PERSONAE_MEDIA_PRESETS"] = R"([{name = "tiny", width = 64, height = 64}])";
  const Config environment = load_config(from_environment);
  ASSERT_EQ(environment.media.presets.size(), 1U);
  EXPECT_EQ(environment.media.presets[0].fit, "cover");

  EXPECT_THAT(error_for(sources_with_file("[[media.presets]]\nname = \"a\"\nwidth = 10\nheight = 100\n")),
              HasSubstr("media.presets[0].width: expected an integer from 16 to 8192, got 10"));
  EXPECT_THAT(error_for(sources_with_file("[[media.presets]]\nname = \"a\"\nwidth = 100\nhieght = 100\n")),
              HasSubstr("media.presets[0].hieght: unknown key (did you mean \"height\"?)"));
  EXPECT_THAT(error_for(sources_with_file("[[media.presets]]\nname = \"a\"\nwidth = 100\n")),
              HasSubstr("media.presets[0].height: is required"));
  EXPECT_THAT(error_for(sources_with_file(
                  "[[media.presets]]\nname = \"a\"\nwidth = 100\nheight = 100\nfit = \"fill\"\n")),
              HasSubstr("expected one of \"cover\", \"contain\""));
  EXPECT_THAT(
      error_for(sources_with_file("[[media.presets]]\nname = \"thumbnail\"\nwidth = 100\nheight = 100\n")),
      HasSubstr("reserved"));
  EXPECT_THAT(
      error_for(sources_with_file("[[media.presets]]\nname = \"a\"\nwidth = 100\nheight = "
                                  "100\n[[media.presets]]\nname = \"a\"\nwidth = 100\nheight = 100\n")),
      HasSubstr("listed twice"));
  ConfigSources broken = sources_with_file("");
  broken.environment["PERSONAE_MEDIA_PRESETS"] = "[{name = ";
  EXPECT_THAT(error_for(broken), HasSubstr("expected a TOML inline array of tables"));
}

TEST_F(ConfigTest, LanguageModelProvidersAreAnOrderedListWithSecretsKeptSecret) {
  const Config defaults = load_config(sources_with_file(""));
  ASSERT_EQ(defaults.llm.providers.size(), 1U);
  EXPECT_EQ(defaults.llm.providers[0].type, "ollama");
  EXPECT_EQ(defaults.llm.providers[0].url, "http://127.0.0.1:11434");

  const auto key_file = write_file("vllm.key", "sk-from-file\n");
  const Config config = load_config(sources_with_file(R"(
[llm]
request_timeout = "90s"
breaker_failures = 5
breaker_open = "1m"
[[llm.providers]]
name = "gpu"
type = "openai"
url = "http://vllm:8000"
model = "mistral-7b"
timeout = "45s"
api_key_file = ")" + key_file + R"("
[[llm.providers]]
name = "local"
type = "ollama"
url = "http://127.0.0.1:11434"
model = "llama3.1:8b"
)"));
  ASSERT_EQ(config.llm.providers.size(), 2U);
  EXPECT_EQ(config.llm.providers[0].name, "gpu");
  EXPECT_EQ(config.llm.providers[0].timeout, std::chrono::seconds(45));
  EXPECT_EQ(config.llm.providers[0].api_key.reveal(), "sk-from-file");
  EXPECT_EQ(config.llm.providers[1].type, "ollama");
  EXPECT_EQ(config.llm.request_timeout, std::chrono::seconds(90));
  EXPECT_EQ(config.llm.breaker_failures, 5);
  EXPECT_EQ(config.llm.breaker_open, std::chrono::minutes(1));
  EXPECT_THAT(render_config(config), Not(HasSubstr("sk-from-file")));

  // An empty list turns AI-written text off.
  ConfigSources none = sources_with_file("");
  none.environment["PERSONAE_LLM_PROVIDERS"] = "[]";
  EXPECT_TRUE(load_config(none).llm.providers.empty());

  const auto provider = [](const std::string& body) { return "[[llm.providers]]\n" + body; };
  EXPECT_THAT(error_for(sources_with_file(provider("name = \"a\"\ntype = \"claude\"\nurl = \"http://x\"\n"))),
              HasSubstr("expected one of \"ollama\", \"openai\""));
  EXPECT_THAT(error_for(sources_with_file(provider("name = \"a\"\ntype = \"ollama\"\nurl = \"ftp://x\"\n"))),
              HasSubstr("url must start with http:// or https://"));
  EXPECT_THAT(
      error_for(sources_with_file(provider("name = \"A B\"\ntype = \"ollama\"\nurl = \"http://x\"\n"))),
      HasSubstr("provider names are"));
  EXPECT_THAT(error_for(sources_with_file(provider("name = \"a\"\ntype = \"ollama\"\nurl = \"http://x\"\n") +
                                          provider("name = \"a\"\ntype = \"ollama\"\nurl = \"http://y\"\n"))),
              HasSubstr("listed twice"));
  EXPECT_THAT(error_for(sources_with_file(provider("type = \"ollama\"\nurl = \"http://x\"\n"))),
              HasSubstr("llm.providers[0].name: is required"));
  EXPECT_THAT(error_for(sources_with_file("[llm]\nbreaker_failures = 0\n")),
              HasSubstr("llm.breaker_failures"));
}

TEST_F(ConfigTest, JobQueuesAndRetentionAreValidated) {
  const Config defaults = load_config(sources_with_file(""));
  EXPECT_TRUE(defaults.jobs.in_process);
  EXPECT_EQ(defaults.jobs.queues, default_job_queues());
  const Config config = load_config(sources_with_file(R"(
[jobs]
in_process = false
threads = 8
lease = "1m"
keep_succeeded = "2d"
[[jobs.queues]]
name = "captions"
concurrency = 2
max_in_flight = 4
)"));
  EXPECT_FALSE(config.jobs.in_process);
  EXPECT_EQ(config.jobs.threads, 8);
  EXPECT_EQ(config.jobs.lease, std::chrono::minutes(1));
  EXPECT_EQ(config.jobs.keep_succeeded, std::chrono::hours(48));
  ASSERT_EQ(config.jobs.queues.size(), 1U);
  EXPECT_EQ(config.jobs.queues[0], (JobQueueConfig{"captions", 2, 4}));

  EXPECT_THAT(error_for(sources_with_file("[jobs]\nthreads = 0\n")), HasSubstr("jobs.threads"));
  EXPECT_THAT(error_for(sources_with_file("[jobs]\nlease = \"1s\"\n")), HasSubstr("jobs.lease"));
  EXPECT_THAT(error_for(sources_with_file("[[jobs.queues]]\nname = \"Bad Name\"\n")),
              HasSubstr("queue names are"));
  EXPECT_THAT(error_for(sources_with_file("[[jobs.queues]]\nname = \"a\"\n[[jobs.queues]]\nname = \"a\"\n")),
              HasSubstr("listed twice"));
  ConfigSources empty = sources_with_file("");
  empty.environment["PERSONAE_JOBS_QUEUES"] = "[]";
  EXPECT_THAT(error_for(empty), HasSubstr("at least one queue"));
}

TEST_F(ConfigTest, JobRetriesAreConfigurableAndValidated) {
  const Config defaults = load_config(sources_with_file(""));
  EXPECT_EQ(defaults.jobs.retry_base, std::chrono::seconds(2));
  EXPECT_EQ(defaults.jobs.retry_cap, std::chrono::hours(1));
  EXPECT_EQ(defaults.jobs.max_attempts, 5);
  ConfigSources sources = sources_with_file("[jobs]\nretry_base = \"500ms\"\nmax_attempts = 2\n");
  sources.environment["PERSONAE_JOBS_RETRY_CAP"] = "30s";
  const Config config = load_config(sources);
  EXPECT_EQ(config.jobs.retry_base, std::chrono::milliseconds(500));
  EXPECT_EQ(config.jobs.retry_cap, std::chrono::seconds(30));
  EXPECT_EQ(config.jobs.max_attempts, 2);

  EXPECT_THAT(error_for(sources_with_file("[jobs]\nmax_attempts = 0\n")), HasSubstr("jobs.max_attempts"));
  EXPECT_THAT(error_for(sources_with_file("[jobs]\nretry_base = \"10ms\"\n")), HasSubstr("jobs.retry_base"));
  EXPECT_THAT(error_for(sources_with_file("[jobs]\nretry_base = \"1m\"\nretry_cap = \"10s\"\n")),
              HasSubstr("jobs.retry_cap: must be at least jobs.retry_base"));
}

TEST_F(ConfigTest, AnS3BlobStoreNeedsItsEndpointBucketAndKeys) {
  EXPECT_EQ(load_config(sources_with_file("data_dir = \"/data\"\n")).blob.local_path, "/data/blobs");
  EXPECT_THAT(error_for(sources_with_file("[blob]\ntype = \"s3\"\n")),
              HasSubstr("blob.s3.endpoint: required"));
  EXPECT_THAT(error_for(sources_with_file("[blob]\ntype = \"gcs\"\n")),
              HasSubstr("expected one of \"local\", \"s3\""));
  const Config s3 = load_config(sources_with_file(R"(
[blob]
type = "s3"
[blob.s3]
endpoint = "http://minio:9000"
bucket = "media"
access_key = "AKIA"
secret_key = "very-secret"
path_style = false
)"));
  EXPECT_EQ(s3.blob.s3_bucket, "media");
  EXPECT_FALSE(s3.blob.s3_path_style);
  EXPECT_THAT(render_config(s3), Not(HasSubstr("very-secret")));
  EXPECT_THAT(error_for(sources_with_file(
                  "[blob]\ntype = \"s3\"\n[blob.s3]\nendpoint = \"minio:9000\"\nbucket = \"b\"\n"
                  "access_key = \"a\"\nsecret_key = \"s\"\n")),
              HasSubstr("expected an http:// or https:// URL"));
}

TEST_F(ConfigTest, InvalidTomlNamesLineAndColumn) {
  EXPECT_THAT(error_for(sources_with_file("[server\n")), HasSubstr("personae.toml:1:"));
}

TEST_F(ConfigTest, ExplicitFileMustExist) {
  ConfigSources sources;
  sources.file = (dir_.path() / "missing.toml").string();
  EXPECT_THAT(error_for(sources), HasSubstr("does not exist"));
}

TEST_F(ConfigTest, UnknownEnvironmentVariableIsRefusedWithASuggestion) {
  ConfigSources sources;
  sources.default_file = (dir_.path() / "absent.toml").string();
  sources.environment = {{"PERSONAE_DATABSE_URL", "sqlite:///x.db"}};
  const auto message = error_for(sources);
  EXPECT_THAT(message, HasSubstr("PERSONAE_DATABSE_URL"));
  EXPECT_THAT(message, HasSubstr("did you mean \"PERSONAE_DATABASE_URL\"?"));
}

TEST_F(ConfigTest, EnvironmentValueErrorsNameTheVariable) {
  ConfigSources sources;
  sources.default_file = (dir_.path() / "absent.toml").string();
  sources.environment = {{"PERSONAE_SERVER_HSTS", "yes"}};
  EXPECT_THAT(error_for(sources), HasSubstr("environment variable PERSONAE_SERVER_HSTS (server.hsts)"));
}

TEST_F(ConfigTest, SecretsComeFromFilesAndAreNeverRendered) {
  const auto secret_file = write_file("db-password", "s3cr3t-value\n");
  const Config config =
      load_config(sources_with_file("[database]\npassword_file = \"" + secret_file + "\"\n"));
  EXPECT_EQ(config.database.password.reveal(), "s3cr3t-value");
  const auto shown = render_config(config);
  EXPECT_THAT(shown, HasSubstr("password = \"***\""));
  EXPECT_EQ(shown.find("s3cr3t"), std::string::npos);
}

TEST_F(ConfigTest, MissingOrEmptySecretFileIsRefusedWithoutItsContents) {
  EXPECT_THAT(error_for(sources_with_file("[metrics]\ntoken_file = \"/nonexistent/token\"\n")),
              HasSubstr("cannot read the secret file \"/nonexistent/token\""));
  const auto empty = write_file("empty", "\n");
  EXPECT_THAT(error_for(sources_with_file("[metrics]\ntoken_file = \"" + empty + "\"\n")),
              HasSubstr("is empty"));
}

TEST_F(ConfigTest, WildcardCorsWithCredentialsIsRefused) {
  EXPECT_THAT(error_for(sources_with_file(
                  "[server]\ncors_allowed_origins = [\"*\"]\ncors_allow_credentials = true\n")),
              HasSubstr("cannot be combined"));
  EXPECT_THAT(error_for(sources_with_file("[server]\ncors_allowed_origins = [\"app.example\"]\n")),
              HasSubstr("expected origins like"));
}

TEST_F(ConfigTest, RenderedConfigLoadsBackToTheSameValues) {
  const Config original =
      load_config(sources_with_file("[server]\nlisten = \"0.0.0.0:8181\"\nidle_timeout = \"2m\"\n"));
  const ConfigSources again = sources_with_file(render_config(original));
  const Config reloaded = load_config(again);
  EXPECT_EQ(reloaded.server.port, 8181);
  EXPECT_EQ(reloaded.server.host, "0.0.0.0");
  EXPECT_EQ(reloaded.server.idle_timeout, std::chrono::minutes(2));
  EXPECT_EQ(reloaded.database.url, original.database.url);
}

TEST(ConfigDocs, DescribesEveryKeyWithItsVariable) {
  const auto docs = describe_config_keys();
  EXPECT_THAT(docs, HasSubstr("`server.listen` | `PERSONAE_SERVER_LISTEN`, `PERSONAE_LISTEN`"));
  EXPECT_THAT(docs, HasSubstr("`database.url` | `PERSONAE_DATABASE_URL`"));
  EXPECT_THAT(docs, HasSubstr("`database.password_file`"));
}

TEST(ConfigDocs, TheReferenceInDocsIsUpToDate) {
  std::ifstream in(PERSONAE_SOURCE_DIR "/docs/configuration.md");
  const std::string reference((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(reference.find(describe_config_keys()), std::string::npos)
      << "regenerate the table in docs/configuration.md with `personae config keys`";
}

}  // namespace
}  // namespace personae
