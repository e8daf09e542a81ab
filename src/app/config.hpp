#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "observability/log.hpp"

namespace personae {

/// A secret value (password, token). It is never printed: `config show` and logs see "***".
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  int io_threads = 0;      ///< 0: one per core
  int worker_threads = 8;  ///< the bounded pool that runs database and disk work
  std::size_t max_pending_requests = 1024;
  std::size_t max_connections = 10000;
  std::size_t max_body_bytes = std::size_t{1024} * 1024;
  std::size_t max_header_bytes = std::size_t{16} * 1024;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds shutdown_timeout{15'000};
  std::vector<std::string> cors_allowed_origins;
  bool cors_allow_credentials = false;
  bool hsts = false;
  /// The built dashboard (web/dist of a clone, relative to the working directory); when missing,
  /// `/` explains how to build it and the API works as usual.
  std::string dashboard_dir = "web/dist";
};

struct DatabaseConfig {
  std::string url;  ///< empty until resolved: then sqlite://<data_dir>/personae.db
  Secret password;
  int pool_size = 0;                 ///< 0: 4 for SQLite, 16 for PostgreSQL
  std::optional<bool> auto_migrate;  ///< unset: true for SQLite, false for PostgreSQL
  std::chrono::milliseconds busy_timeout{5'000};
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds acquire_timeout{5'000};
};

struct LoggingConfig {
  log::Level level = log::Level::kInfo;
  log::Format format = log::Format::kJson;
};

struct MetricsConfig {
  Secret token;  ///< when set, /metrics requires "Authorization: Bearer <token>"
};

struct AuthConfig {
  std::string issuer = "personae";
  std::string audience = "personae-api";
  std::string jwt_keys_dir;  ///< empty until resolved: <data_dir>/keys
  std::string jwt_active_kid;
  std::chrono::milliseconds access_ttl{15 * 60'000};
  std::chrono::milliseconds jwt_leeway{30'000};
  std::chrono::milliseconds refresh_ttl{14LL * 86'400'000};
  std::chrono::milliseconds session_lifetime{30LL * 86'400'000};
  std::size_t argon2_memory = std::size_t{19} << 20;
  int argon2_passes = 2;
  int max_concurrent_hashes = 2;
  int max_waiting_hashes = 64;
  bool cookie_secure = true;
  std::chrono::milliseconds setup_token_ttl{3'600'000};
  int login_burst_per_ip = 10;
  int login_per_ip_per_minute = 10;
  int login_burst_per_account = 5;
  int login_per_account_per_hour = 20;
  int api_burst_per_tenant = 200;
  int api_per_tenant_per_second = 100;
};

struct SecretsConfig {
  std::string master_key_file;  ///< empty until resolved: <data_dir>/secrets/master.key
};

struct RedisConfig {
  Secret url;  ///< empty: rate limits are per process
};

/// One platform variant rendered for every uploaded image ([[media.presets]]).
struct MediaPresetConfig {
  std::string name;             ///< [a-z0-9_]{1,40}
  int width = 0;                ///< 16-8192
  int height = 0;               ///< 16-8192
  std::string fit = "cover";    ///< "cover" (smart crop to fill) or "contain" (fit inside)
  std::string format = "jpeg";  ///< "jpeg", "png" or "webp"
  int quality = 85;             ///< 1-100
  bool watermark = true;

  bool operator==(const MediaPresetConfig&) const = default;
};

/// The presets a fresh installation renders: the feed and story sizes of Instagram, X's landscape
/// card, a whole-image Reddit size and a Fanvue portrait.
std::vector<MediaPresetConfig> default_media_presets();

struct MediaConfig {
  std::size_t max_upload_bytes = std::size_t{50} << 20;
  std::chrono::milliseconds upload_timeout{300'000};
  std::uint64_t max_pixels = 100'000'000;
  int max_dimension = 20'000;
  int thumbnail_size = 400;
  int duplicate_distance = 8;  ///< perceptual-hash bits; at or below: flagged as a near-duplicate
  std::chrono::milliseconds link_ttl{15 * 60'000};
  std::chrono::milliseconds max_link_ttl{7LL * 86'400'000};
  int max_concurrent_processing = 2;
  std::vector<MediaPresetConfig> presets = default_media_presets();
  std::string watermark_text;  ///< empty: no text; "{persona}" becomes the persona's name
  std::string watermark_logo_file;
  std::string watermark_position = "bottom_right";
  double watermark_opacity = 0.6;
};

struct BlobConfig {
  std::string type = "local";  ///< "local" or "s3"
  std::string local_path;      ///< empty until resolved: <data_dir>/blobs
  std::string s3_endpoint;     ///< e.g. "http://minio:9000" or "https://s3.eu-west-3.amazonaws.com"
  std::string s3_bucket;
  std::string s3_region = "us-east-1";
  Secret s3_access_key;
  Secret s3_secret_key;
  bool s3_path_style = true;
  std::string s3_prefix;
  std::size_t s3_part_size = std::size_t{8} << 20;
  std::size_t s3_multipart_threshold = std::size_t{16} << 20;
  std::chrono::milliseconds s3_timeout{60'000};
  int s3_max_attempts = 4;
};

/// One language-model server ([[llm.providers]]), in fallback order.
struct LlmProviderConfig {
  std::string name;   ///< [a-z0-9_-]{1,40}, unique; personas name it to prefer it
  std::string type;   ///< "ollama" or "openai" (llama.cpp server, vLLM, LM Studio)
  std::string url;    ///< the server's root, e.g. "http://127.0.0.1:11434"
  std::string model;  ///< the default model
  std::chrono::milliseconds timeout{120'000};
  Secret api_key;  ///< bearer token (api_key or api_key_file); empty: none

  bool operator==(const LlmProviderConfig& other) const {
    return name == other.name && type == other.type && url == other.url && model == other.model &&
           timeout == other.timeout && api_key.reveal() == other.api_key.reveal();
  }
};

/// A local Ollama with a small general model: what `make run` expects when one is installed.
std::vector<LlmProviderConfig> default_llm_providers();

struct LlmConfig {
  std::vector<LlmProviderConfig> providers = default_llm_providers();
  std::chrono::milliseconds request_timeout{120'000};  ///< one call across every fallback
  int breaker_failures = 3;                            ///< consecutive failures that open a circuit
  std::chrono::milliseconds breaker_open{30'000};      ///< how long an open circuit refuses calls
};

/// One queue workers take jobs from ([[jobs.queues]]).
struct JobQueueConfig {
  std::string name;
  int concurrency = 0;    ///< running jobs of this queue across every worker; 0: no limit
  int max_in_flight = 0;  ///< jobs one worker holds at once; 0: its thread count

  bool operator==(const JobQueueConfig&) const = default;
};

std::vector<JobQueueConfig> default_job_queues();

struct JobsConfig {
  bool in_process = true;  ///< `serve` runs workers too (the embedded default)
  int threads = 4;
  std::chrono::milliseconds lease{30'000};
  std::chrono::milliseconds poll_interval{1'000};
  std::chrono::milliseconds keep_succeeded{7LL * 86'400'000};
  std::chrono::milliseconds keep_dead{30LL * 86'400'000};
  /// Retries: exponential backoff with full jitter, from retry_base doubling up to retry_cap.
  std::chrono::milliseconds retry_base{2'000};
  std::chrono::milliseconds retry_cap{3'600'000};
  /// Attempts a job Personae enqueues (caption generation, ...) gets before it is dead-lettered.
  int max_attempts = 5;
  std::vector<JobQueueConfig> queues = default_job_queues();
};

struct Config {
  std::string data_dir = "./var";
  ServerConfig server;
  DatabaseConfig database;
  LoggingConfig logging;
  MetricsConfig metrics;
  AuthConfig auth;
  SecretsConfig secrets;
  RedisConfig redis;
  MediaConfig media;
  BlobConfig blob;
  LlmConfig llm;
  JobsConfig jobs;
  std::string source_file;  ///< the TOML file read, empty when none
};

/// Where configuration comes from, lowest precedence first: defaults, the TOML file, the
/// environment (PERSONAE_*), command-line options.
struct ConfigSources {
  std::optional<std::string> file;                 ///< --config or PERSONAE_CONFIG: must exist
  std::string default_file = "personae.toml";      ///< read only if present
  std::map<std::string, std::string> environment;  ///< usually the process environment
  std::map<std::string, std::string> overrides;    ///< key path -> value, from CLI options
};

/// Loads and validates the configuration. Throws ConfigError naming the key path (or environment
/// variable) and what was expected, for an unknown key, a wrong type or a bad value.
Config load_config(const ConfigSources& sources);

/// The effective configuration as TOML, secrets shown as "***" (for `personae config show`).
std::string render_config(const Config& config);

/// Every key, its environment variable, type and description, as Markdown (docs/configuration.md).
std::string describe_config_keys();

/// Reads `environ` into a map (only PERSONAE_* variables).
std::map<std::string, std::string> personae_environment();

}  // namespace personae
