#include "security/jwt.hpp"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

#include "core/crypto.hpp"
#include "security/encoding.hpp"
#include "security/secret_file.hpp"
#include "security/tokens.hpp"

namespace personae::security {

namespace {

using Clock = std::chrono::system_clock;

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

// Never prompt for a passphrase: an encrypted key simply fails to load.
int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) {
  return 0;
}

BioPtr memory_bio(std::string_view pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

bool is_p256(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC") != 1) return false;
  std::array<char, 64> group{};
  std::size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(), &length) !=
      1) {
    return false;
  }
  return std::string_view(group.data(), length) == "prime256v1";
}

Result<std::string> pem_of(EVP_PKEY* key, bool private_part) {
  BioPtr out(BIO_new(BIO_s_mem()));
  const int ok = private_part
                     ? PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                     : PEM_write_bio_PUBKEY(out.get(), key);
  if (out == nullptr || ok != 1) return make_error(ErrorCode::kInternal, "cannot encode a JWT key");
  char* data = nullptr;
  const long length = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::shared_ptr<EVP_PKEY> parse_public_key(std::string_view pem) {
  auto bio = memory_bio(pem);
  EVP_PKEY* key = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr) : nullptr;
  if (key == nullptr) return nullptr;
  return std::shared_ptr<EVP_PKEY>(key, PkeyDeleter());
}

// JWS carries an ECDSA signature as R || S (RFC 7518 §3.4); OpenSSL wants it DER-encoded.
bool es256_signature_valid(EVP_PKEY* key, std::string_view signing_input, std::string_view signature) {
  constexpr std::size_t kHalf = 32;
  if (key == nullptr || signature.size() != 2 * kHalf) return false;
  const auto* raw = reinterpret_cast<const unsigned char*>(signature.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(), &ECDSA_SIG_free);
  BIGNUM* r = BN_bin2bn(raw, kHalf, nullptr);
  BIGNUM* s = BN_bin2bn(raw + kHalf, kHalf, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  unsigned char* der = nullptr;
  const int der_length = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_length <= 0) return false;
  std::unique_ptr<unsigned char, void (*)(unsigned char*)> der_owner(
      der, [](unsigned char* p) { OPENSSL_free(p); });
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  return ctx != nullptr && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), der, static_cast<std::size_t>(der_length),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

tl::unexpected<Error> bad_key(std::string_view kid, std::string_view why) {
  return make_error(ErrorCode::kInvalidArgument, "invalid JWT key",
                    "kid " + std::string(kid) + ": " + std::string(why));
}

void check_options(const JwtOptions& options) {
  if (options.issuer.empty()) throw ConfigError("the JWT issuer must not be empty");
  if (options.audience.empty()) throw ConfigError("the JWT audience must not be empty");
  if (options.access_ttl <= std::chrono::seconds::zero())
    throw ConfigError("the access token TTL must be positive");
  if (options.leeway < std::chrono::seconds::zero() || options.leeway > std::chrono::seconds(60)) {
    throw ConfigError("the JWT leeway must be between 0 and 60 seconds");
  }
}

std::int64_t unix_seconds(Clock::time_point time) {
  return std::chrono::floor<std::chrono::seconds>(time.time_since_epoch()).count();
}

Clock::time_point from_unix(std::int64_t seconds) {
  return Clock::time_point(std::chrono::seconds(seconds));
}

tl::unexpected<Error> refuse(std::string reason) {
  return make_error(ErrorCode::kUnauthenticated, "invalid access token", std::move(reason));
}

nlohmann::json parse_json_object(std::string_view text) {
  auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return value.is_object() ? value : nlohmann::json();
}

const std::string* string_member(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

std::optional<std::int64_t> integer_member(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end()) return std::nullopt;
  if (it->is_number_unsigned()) {
    const auto value = it->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(value);
  }
  if (it->is_number_integer()) return it->get<std::int64_t>();
  return std::nullopt;
}

}  // namespace

bool JwtKeySet::is_valid_kid(std::string_view kid) {
  if (kid.empty() || kid.size() > 64) return false;
  return std::all_of(kid.begin(), kid.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

Result<void> JwtKeySet::add_private_key(std::string kid, std::string_view private_pem) {
  if (!is_valid_kid(kid)) return bad_key(kid.substr(0, 64), "key ids are 1-64 characters of [A-Za-z0-9_-]");
  if (keys_.contains(kid)) return bad_key(kid, "duplicate key id");
  auto bio = memory_bio(private_pem);
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
  if (key == nullptr) return bad_key(kid, "not an unencrypted PEM private key");
  if (!is_p256(key.get())) return bad_key(kid, "not a P-256 (ES256) key");
  auto public_pem = pem_of(key.get(), false);
  if (!public_pem) return tl::unexpected(std::move(public_pem.error()));
  auto public_key = parse_public_key(*public_pem);
  if (public_key == nullptr) return bad_key(kid, "cannot derive the public key");
  if (active_kid_.empty()) active_kid_ = kid;
  keys_.emplace(kid, Key{kid, std::string(private_pem), std::move(*public_pem), std::move(public_key)});
  return {};
}

Result<void> JwtKeySet::add_public_key(std::string kid, std::string_view public_pem) {
  if (!is_valid_kid(kid)) return bad_key(kid.substr(0, 64), "key ids are 1-64 characters of [A-Za-z0-9_-]");
  if (keys_.contains(kid)) return bad_key(kid, "duplicate key id");
  auto key = parse_public_key(public_pem);
  if (key == nullptr) return bad_key(kid, "not a PEM public key");
  if (!is_p256(key.get())) return bad_key(kid, "not a P-256 (ES256) key");
  auto normalised = pem_of(key.get(), false);
  if (!normalised) return tl::unexpected(std::move(normalised.error()));
  keys_.emplace(kid, Key{kid, std::string(), std::move(*normalised), std::move(key)});
  return {};
}

Result<void> JwtKeySet::set_active(std::string_view kid) {
  const Key* key = find(kid);
  if (key == nullptr) return bad_key(kid, "no such key");
  if (key->private_pem.empty()) return bad_key(kid, "verification-only keys cannot sign");
  active_kid_ = std::string(kid);
  return {};
}

bool JwtKeySet::remove(std::string_view kid) {
  const auto it = keys_.find(kid);
  if (it == keys_.end()) return false;
  keys_.erase(it);
  if (active_kid_ == kid) active_kid_.clear();
  return true;
}

const JwtKeySet::Key* JwtKeySet::find(std::string_view kid) const {
  const auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : &it->second;
}

const JwtKeySet::Key* JwtKeySet::active() const {
  return active_kid_.empty() ? nullptr : find(active_kid_);
}

std::vector<std::string> JwtKeySet::kids() const {
  std::vector<std::string> out;
  for (const auto& [kid, key] : keys_) out.push_back(kid);
  return out;
}

Result<JwtKeySet> JwtKeySet::load_directory(const std::filesystem::path& dir, std::string_view active_kid) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return make_error(ErrorCode::kNotFound, "the JWT key folder does not exist", dir.string());
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".pem") files.push_back(entry.path());
  }
  if (ec)
    return make_error(ErrorCode::kInternal, "cannot list the JWT key folder",
                      dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());

  JwtKeySet set;
  std::string newest_private;
  for (const auto& file : files) {
    const std::string kid = file.stem().string();
    auto pem = read_secret_file(file);
    if (!pem) return tl::unexpected(std::move(pem.error()));
    const bool is_private = pem->find("PRIVATE KEY-----") != std::string::npos;
    // Public keys (kept to verify tokens signed before a rotation) may be readable by anyone.
    if (is_private) {
      if (auto owner_only = require_owner_only(file); !owner_only) return tl::unexpected(owner_only.error());
    }
    auto added = is_private ? set.add_private_key(kid, *pem) : set.add_public_key(kid, *pem);
    if (!added) {
      added.error().detail = file.string() + ": " + added.error().detail;
      return tl::unexpected(std::move(added.error()));
    }
    if (is_private) newest_private = kid;
  }
  if (newest_private.empty()) {
    return make_error(ErrorCode::kNotFound, "the JWT key folder holds no private key", dir.string());
  }
  auto activated = set.set_active(active_kid.empty() ? std::string_view(newest_private) : active_kid);
  if (!activated) return tl::unexpected(std::move(activated.error()));
  return set;
}

Result<std::string> JwtKeySet::generate_private_pem() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (key == nullptr)
    return make_error(ErrorCode::kInternal, "cannot generate a JWT key", "EVP_EC_gen failed");
  return pem_of(key.get(), true);
}

Result<std::string> JwtKeySet::generate_key_file(const std::filesystem::path& dir) {
  auto pem = generate_private_pem();
  if (!pem) return tl::unexpected(std::move(pem.error()));
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::array<char, 32> stamp{};
  const auto length = std::strftime(stamp.data(), stamp.size(), "%Y%m%dT%H%M%SZ", &utc);
  const std::string kid = std::string(stamp.data(), length) + "-" + random_hex(4);
  auto written = write_secret_file(dir / (kid + ".pem"), *pem);
  if (!written) return tl::unexpected(std::move(written.error()));
  return kid;
}

JwtIssuer::JwtIssuer(std::shared_ptr<const JwtKeySet> keys, JwtOptions options)
    : keys_(std::move(keys)), options_(std::move(options)) {
  check_options(options_);
  if (keys_ == nullptr) throw ConfigError("the JWT issuer needs a key set");
}

Result<IssuedAccessToken> JwtIssuer::issue(std::string_view user_id, std::string_view tenant_id,
                                           Clock::time_point now, std::string_view session_id) const {
  const JwtKeySet::Key* key = keys_->active();
  if (key == nullptr) return make_error(ErrorCode::kFailedPrecondition, "no JWT signing key is configured");
  const std::int64_t issued = unix_seconds(now);
  const std::int64_t expires = issued + options_.access_ttl.count();

  AccessClaims claims;
  claims.user_id = std::string(user_id);
  claims.tenant_id = std::string(tenant_id);
  claims.token_id = generate_token(16);
  claims.key_id = key->kid;
  claims.issued_at = from_unix(issued);
  claims.not_before = claims.issued_at;
  claims.expires_at = from_unix(expires);
  claims.session_id = std::string(session_id);

  nlohmann::json payload = {
      {"iss", options_.issuer}, {"aud", options_.audience},
      {"sub", claims.user_id},  {"tid", claims.tenant_id},
      {"jti", claims.token_id}, {"typ", kAccessTokenType},
      {"iat", issued},          {"nbf", issued},
      {"exp", expires},
  };
  if (!claims.session_id.empty()) payload["sid"] = claims.session_id;
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return make_error(ErrorCode::kInternal, "cannot sign the access token", "jwt_new");
  JwtPtr jwt(raw);
  const std::string payload_text = payload.dump();
  if (jwt_add_grants_json(jwt.get(), payload_text.c_str()) != 0 ||
      jwt_add_header(jwt.get(), "kid", key->kid.c_str()) != 0 ||
      jwt_set_alg(jwt.get(), JWT_ALG_ES256, reinterpret_cast<const unsigned char*>(key->private_pem.data()),
                  static_cast<int>(key->private_pem.size())) != 0) {
    return make_error(ErrorCode::kInternal, "cannot sign the access token",
                      "libjwt rejected the claims or key");
  }
  char* encoded = jwt_encode_str(jwt.get());
  if (encoded == nullptr) {
    return make_error(ErrorCode::kInternal, "cannot sign the access token", "jwt_encode_str");
  }
  std::string token(encoded);
  std::free(encoded);  // libjwt 1.10 allocates with malloc
  return IssuedAccessToken{std::move(token), std::move(claims), options_.access_ttl};
}

struct JwtVerifier::VerifiedTokens {
  std::mutex mutex;
  std::unordered_map<std::string, AccessClaims> by_token;
};

JwtVerifier::JwtVerifier(std::shared_ptr<const JwtKeySet> keys, JwtOptions options)
    : keys_(std::move(keys)), options_(std::move(options)), verified_(std::make_shared<VerifiedTokens>()) {
  check_options(options_);
  if (keys_ == nullptr) throw ConfigError("the JWT verifier needs a key set");
}

Result<AccessClaims> JwtVerifier::verify(std::string_view token, Clock::time_point now) const {
  std::optional<AccessClaims> remembered;
  {
    std::lock_guard lock(verified_->mutex);
    if (const auto found = verified_->by_token.find(std::string(token)); found != verified_->by_token.end()) {
      remembered = found->second;
    }
  }
  if (!remembered) {
    auto verified = verify_uncached(token, now);
    if (verified) {
      std::lock_guard lock(verified_->mutex);
      // Bounded: forget everything rather than track ages; a miss costs one signature check.
      if (verified_->by_token.size() >= kCachedTokens) verified_->by_token.clear();
      verified_->by_token.emplace(std::string(token), *verified);
    }
    return verified;
  }
  // The signature and every other claim were checked when the token was first seen; time moves.
  const auto leeway = options_.leeway;
  if (now >= remembered->expires_at + leeway) {
    return make_error(ErrorCode::kUnauthenticated, "the access token has expired", "expired");
  }
  if (now + leeway < remembered->not_before) {
    return refuse("not yet valid");
  }
  return *remembered;
}

Result<AccessClaims> JwtVerifier::verify_uncached(std::string_view token, Clock::time_point now) const {
  if (token.size() > kMaxTokenBytes) return refuse("token too large");

  // 1. Structure: exactly three non-empty base64url parts (a JWS in compact form, never a JWE).
  const auto first_dot = token.find('.');
  const auto second_dot = first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos) {
    return refuse("malformed token");
  }
  const auto header_part = token.substr(0, first_dot);
  const auto payload_part = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const auto signature_part = token.substr(second_dot + 1);
  if (header_part.empty() || payload_part.empty() || signature_part.empty()) return refuse("malformed token");

  // 2. Header, checked here before libjwt sees anything: the algorithm is ours to choose, not
  //    the token's (RFC 8725 §3.1), and keys come only from our set (§3.10).
  const auto header_text = base64url_decode(header_part);
  if (!header_text) return refuse("malformed header");
  const auto header = parse_json_object(*header_text);
  if (header.is_null()) return refuse("malformed header");
  const std::string* alg = string_member(header, "alg");
  if (alg == nullptr || *alg != "ES256") return refuse("algorithm not allowed");
  for (const char* name : {"jku", "x5u", "jwk", "x5c", "crit", "enc", "zip"}) {
    if (header.contains(name)) return refuse(std::string("header not allowed: ") + name);
  }
  if (header.contains("typ")) {
    // libjwt 1.10 always writes "JWT"; "at+jwt" (RFC 9068) is accepted for a later libjwt. What
    // keeps access and other tokens apart is the `typ` claim, checked below.
    const std::string* typ = string_member(header, "typ");
    if (typ == nullptr || (*typ != "JWT" && *typ != kAccessTokenHeaderType))
      return refuse("wrong header type");
  }
  const std::string* kid = string_member(header, "kid");
  if (kid == nullptr) return refuse("missing key id");
  const JwtKeySet::Key* key = keys_->find(*kid);
  if (key == nullptr) return refuse("unknown key id");

  // 3. Signature, with that key's public half only, and always as ES256.
  const auto signature = base64url_decode(signature_part);
  if (!signature || !es256_signature_valid(key->public_key.get(), token.substr(0, second_dot), *signature)) {
    return refuse("bad signature");
  }

  // 4. Claims, only now that they are authenticated.
  const auto payload_text = base64url_decode(payload_part);
  if (!payload_text) return refuse("malformed claims");
  const auto payload = parse_json_object(*payload_text);
  if (payload.is_null()) return refuse("malformed claims");

  const auto exp = integer_member(payload, "exp");
  const auto nbf = integer_member(payload, "nbf");
  const auto iat = integer_member(payload, "iat");
  if (!exp || !nbf || !iat) return refuse("missing or malformed time claims");
  const std::int64_t current = unix_seconds(now);
  const std::int64_t leeway = options_.leeway.count();
  if (current >= *exp + leeway) {
    return make_error(ErrorCode::kUnauthenticated, "the access token has expired", "expired");
  }
  if (current + leeway < *nbf) return refuse("not yet valid");

  const std::string* iss = string_member(payload, "iss");
  if (iss == nullptr || *iss != options_.issuer) return refuse("wrong issuer");
  bool audience_ok = false;
  if (const auto aud = payload.find("aud"); aud != payload.end()) {
    if (aud->is_string()) {
      audience_ok = aud->get_ref<const std::string&>() == options_.audience;
    } else if (aud->is_array()) {
      audience_ok = std::any_of(aud->begin(), aud->end(), [this](const nlohmann::json& entry) {
        return entry.is_string() && entry.get_ref<const std::string&>() == options_.audience;
      });
    }
  }
  if (!audience_ok) return refuse("wrong audience");
  const std::string* typ = string_member(payload, "typ");
  if (typ == nullptr || *typ != kAccessTokenType) return refuse("wrong token type");
  const std::string* sub = string_member(payload, "sub");
  if (sub == nullptr || sub->empty()) return refuse("missing subject");
  const std::string* tid = string_member(payload, "tid");
  if (tid == nullptr || tid->empty()) return refuse("missing tenant");
  const std::string* jti = string_member(payload, "jti");
  if (jti == nullptr || jti->empty()) return refuse("missing token id");

  std::string session_id;
  if (const auto sid = payload.find("sid"); sid != payload.end()) {
    if (!sid->is_string()) return refuse("malformed session id");
    session_id = sid->get<std::string>();
  }
  return AccessClaims{*sub, *tid, *jti, *kid, from_unix(*iat), from_unix(*nbf), from_unix(*exp), session_id};
}

}  // namespace personae::security
