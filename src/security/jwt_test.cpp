#include "security/jwt.hpp"

#include <gtest/gtest.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "security/encoding.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::security {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

const system_clock::time_point kNow = system_clock::time_point(std::chrono::seconds(1'750'000'000));

JwtOptions options() {
  return JwtOptions{.issuer = "https://personae.test", .audience = "personae-api"};
}

std::string private_pem() {
  auto pem = JwtKeySet::generate_private_pem();
  EXPECT_TRUE(pem);
  return *pem;
}

std::string rsa_private_pem() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

std::shared_ptr<JwtKeySet> key_set(std::initializer_list<std::pair<std::string, std::string>> keys) {
  auto set = std::make_shared<JwtKeySet>();
  for (const auto& [kid, pem] : keys) EXPECT_TRUE(set->add_private_key(kid, pem));
  return set;
}

nlohmann::json valid_claims() {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(kNow.time_since_epoch()).count();
  return {{"iss", "https://personae.test"},
          {"aud", "personae-api"},
          {"sub", "user-1"},
          {"tid", "tenant-1"},
          {"jti", "j1"},
          {"typ", "access"},
          {"iat", now},
          {"nbf", now},
          {"exp", now + 900}};
}

/// Signs arbitrary headers and claims with libjwt, as an attacker with a key (or none) could.
std::string sign(jwt_alg_t alg, std::string_view key, const nlohmann::json& headers,
                 const nlohmann::json& claims) {
  jwt_t* jwt = nullptr;
  EXPECT_EQ(jwt_new(&jwt), 0);
  EXPECT_EQ(jwt_add_grants_json(jwt, claims.dump().c_str()), 0);
  if (!headers.empty()) {
    EXPECT_EQ(jwt_add_headers_json(jwt, headers.dump().c_str()), 0);
  }
  EXPECT_EQ(
      jwt_set_alg(jwt, alg, reinterpret_cast<const unsigned char*>(key.data()), static_cast<int>(key.size())),
      0);
  char* encoded = jwt_encode_str(jwt);
  EXPECT_NE(encoded, nullptr);
  std::string token = encoded == nullptr ? std::string() : encoded;
  std::free(encoded);
  jwt_free(jwt);
  return token;
}

/// A token assembled by hand from raw JSON and a raw signature part.
std::string assemble(const nlohmann::json& header, const nlohmann::json& claims, std::string_view signature) {
  return base64url_encode(header.dump()) + "." + base64url_encode(claims.dump()) + "." +
         std::string(signature);
}

class JwtTest : public ::testing::Test {
 protected:
  std::string pem_ = private_pem();
  std::shared_ptr<JwtKeySet> keys_ = key_set({{"k1", pem_}});
  JwtIssuer issuer_{keys_, options()};
  JwtVerifier verifier_{keys_, options()};

  std::string signed_with_k1(const nlohmann::json& claims,
                             nlohmann::json headers = nlohmann::json::object()) {
    headers["kid"] = "k1";
    return sign(JWT_ALG_ES256, pem_, headers, claims);
  }

  void expect_refused(std::string_view token, std::string_view reason, system_clock::time_point now = kNow) {
    const auto verified = verifier_.verify(token, now);
    ASSERT_FALSE(verified) << "accepted a token that should fail with: " << reason;
    EXPECT_EQ(verified.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(verified.error().detail, reason);
    EXPECT_EQ(verified.error().message.find('.'), std::string::npos);  // no token text in the message
  }
};

TEST_F(JwtTest, IssuesAndVerifiesAnAccessToken) {
  const auto issued = issuer_.issue("user-1", "tenant-1", kNow);
  ASSERT_TRUE(issued) << issued.error().detail;
  EXPECT_EQ(issued->expires_in, 15min);
  const auto claims = verifier_.verify(issued->token, kNow + 1min);
  ASSERT_TRUE(claims) << claims.error().detail;
  EXPECT_EQ(claims->user_id, "user-1");
  EXPECT_EQ(claims->tenant_id, "tenant-1");
  EXPECT_EQ(claims->key_id, "k1");
  EXPECT_EQ(claims->token_id, issued->claims.token_id);
  EXPECT_EQ(claims->token_id.size(), 22U);
  EXPECT_EQ(claims->issued_at, kNow);
  EXPECT_EQ(claims->not_before, kNow);
  EXPECT_EQ(claims->expires_at, kNow + 15min);

  // The header and claims are what RFC 8725 and RFC 9068 ask for.
  const auto dot = issued->token.find('.');
  const auto header = nlohmann::json::parse(*base64url_decode(issued->token.substr(0, dot)));
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["kid"], "k1");
  EXPECT_EQ(header["typ"], "JWT");  // libjwt 1.10 always writes this
  const auto second = issued->token.find('.', dot + 1);
  const auto payload =
      nlohmann::json::parse(*base64url_decode(issued->token.substr(dot + 1, second - dot - 1)));
  for (const char* claim : {"iss", "aud", "sub", "tid", "exp", "nbf", "iat", "jti", "typ"}) {
    EXPECT_TRUE(payload.contains(claim)) << claim;
  }
  // JOSE's ES256 signature is R || S, 64 bytes (not DER).
  EXPECT_EQ(base64url_decode(issued->token.substr(second + 1))->size(), 64U);
  EXPECT_NE(issuer_.issue("user-1", "tenant-1", kNow)->claims.token_id, issued->claims.token_id);
}

TEST_F(JwtTest, RefusesAlgNoneInAnyCase) {
  for (std::string_view alg : {"none", "NONE", "None", "nOnE", "noNE"}) {
    const nlohmann::json header = {{"alg", alg}, {"kid", "k1"}, {"typ", "at+jwt"}};
    expect_refused(assemble(header, valid_claims(), ""), "malformed token");
    expect_refused(assemble(header, valid_claims(), "AAAA"), "algorithm not allowed");
  }
  expect_refused(assemble({{"kid", "k1"}}, valid_claims(), "AAAA"), "algorithm not allowed");
  expect_refused(assemble({{"alg", "es256"}, {"kid", "k1"}}, valid_claims(), "AAAA"),
                 "algorithm not allowed");
}

TEST_F(JwtTest, RefusesHs256SignedWithThePublicKeyPem) {
  const std::string public_pem = keys_->find("k1")->public_pem;
  const auto forged = sign(JWT_ALG_HS256, public_pem, {{"kid", "k1"}, {"typ", "at+jwt"}}, valid_claims());
  expect_refused(forged, "algorithm not allowed");
  // libjwt alone, handed the public key, would accept it: this is why the header is checked first.
  jwt_t* jwt = nullptr;
  const int rc = jwt_decode(&jwt, forged.c_str(), reinterpret_cast<const unsigned char*>(public_pem.data()),
                            static_cast<int>(public_pem.size()));
  jwt_free(jwt);
  std::cout << "libjwt 1.10.2 on its own " << (rc == 0 ? "ACCEPTS" : "refuses")
            << " the HS256 confusion token\n";
}

TEST_F(JwtTest, RefusesRs256) {
  const auto forged =
      sign(JWT_ALG_RS256, rsa_private_pem(), {{"kid", "k1"}, {"typ", "at+jwt"}}, valid_claims());
  expect_refused(forged, "algorithm not allowed");
}

TEST_F(JwtTest, RefusesATokenSignedByAnotherKeyWithTheSameKid) {
  const auto forged = sign(JWT_ALG_ES256, private_pem(), {{"kid", "k1"}, {"typ", "at+jwt"}}, valid_claims());
  expect_refused(forged, "bad signature");
}

TEST_F(JwtTest, RefusesUnknownAndInjectedKeyIds) {
  for (std::string_view kid : {"k2", "../../etc/passwd", "' OR 1=1", "", "K1", "k1 "}) {
    const auto token = sign(JWT_ALG_ES256, pem_, {{"kid", kid}, {"typ", "at+jwt"}}, valid_claims());
    expect_refused(token, "unknown key id");
  }
  expect_refused(sign(JWT_ALG_ES256, pem_, {{"typ", "at+jwt"}}, valid_claims()), "missing key id");
  expect_refused(sign(JWT_ALG_ES256, pem_, {{"kid", 1}, {"typ", "at+jwt"}}, valid_claims()),
                 "missing key id");
}

TEST_F(JwtTest, RefusesKeyBearingAndCriticalHeadersWithoutFetchingAnything) {
  // The URLs point at a port where nothing listens; the check happens before any I/O could.
  const std::pair<const char*, nlohmann::json> headers[] = {
      {"jku", "http://127.0.0.1:9/jwks.json"},
      {"x5u", "http://127.0.0.1:9/cert.pem"},
      {"jwk", {{"kty", "EC"}, {"crv", "P-256"}, {"x", "AA"}, {"y", "AA"}}},
      {"x5c", nlohmann::json::array({"MIIB"})},
      {"crit", nlohmann::json::array({"exp"})},
  };
  for (const auto& [name, value] : headers) {
    expect_refused(signed_with_k1(valid_claims(), {{"typ", "at+jwt"}, {name, value}}),
                   std::string("header not allowed: ") + name);
  }
}

TEST_F(JwtTest, RefusesATamperedPayload) {
  const auto issued = issuer_.issue("user-1", "tenant-1", kNow);
  ASSERT_TRUE(issued);
  const auto& token = issued->token;
  const auto dot = token.find('.');
  const auto second = token.find('.', dot + 1);
  auto claims = nlohmann::json::parse(*base64url_decode(token.substr(dot + 1, second - dot - 1)));
  claims["tid"] = "tenant-2";
  const auto tampered = token.substr(0, dot) + "." + base64url_encode(claims.dump()) + token.substr(second);
  expect_refused(tampered, "bad signature");
  std::string flipped_signature = token;
  flipped_signature.back() = flipped_signature.back() == 'A' ? 'B' : 'A';
  expect_refused(flipped_signature, "bad signature");
  expect_refused(token.substr(0, second + 1) + "!!!!", "bad signature");
  expect_refused(token.substr(0, second + 1) + base64url_encode(std::string(64, '\0')), "bad signature");
  // The same signature in DER form (what OpenSSL produces natively) is not a JWS signature.
  expect_refused(token.substr(0, second + 1) + base64url_encode(std::string(70, '\x30')), "bad signature");
}

TEST_F(JwtTest, ARememberedTokenStillExpiresAndItsTamperedTwinIsCheckedAfresh) {
  const auto issued = issuer_.issue("user-1", "tenant-1", kNow);
  ASSERT_TRUE(issued);
  ASSERT_TRUE(verifier_.verify(issued->token, kNow));  // now remembered
  ASSERT_TRUE(verifier_.verify(issued->token, kNow + 1min));
  std::string twin = issued->token;
  twin.back() = twin.back() == 'A' ? 'B' : 'A';
  expect_refused(twin, "bad signature");
  const auto expired = verifier_.verify(issued->token, kNow + 16min);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().detail, "expired");
  expect_refused(issued->token, "not yet valid", kNow - 31s);
}

TEST_F(JwtTest, CarriesTheSessionIdWhenGivenAndRefusesAMalformedOne) {
  const auto with_session = issuer_.issue("user-1", "tenant-1", kNow, "family-7");
  ASSERT_TRUE(with_session);
  EXPECT_EQ(verifier_.verify(with_session->token, kNow)->session_id, "family-7");
  EXPECT_EQ(verifier_.verify(issuer_.issue("user-1", "tenant-1", kNow)->token, kNow)->session_id, "");
  auto claims = valid_claims();
  claims["sid"] = 42;
  expect_refused(signed_with_k1(claims), "malformed session id");
}

TEST_F(JwtTest, EnforcesExpiryAndNotBeforeWithTheLeeway) {
  const auto issued = issuer_.issue("user-1", "tenant-1", kNow);
  ASSERT_TRUE(issued);
  EXPECT_TRUE(verifier_.verify(issued->token, kNow + 15min + 29s));  // within the 30 s leeway
  const auto expired = verifier_.verify(issued->token, kNow + 15min + 30s);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(expired.error().detail, "expired");
  EXPECT_TRUE(verifier_.verify(issued->token, kNow - 30s));
  expect_refused(issued->token, "not yet valid", kNow - 31s);

  auto claims = valid_claims();
  claims["nbf"] = claims["iat"].get<std::int64_t>() + 3600;
  expect_refused(signed_with_k1(claims), "not yet valid");
}

TEST_F(JwtTest, RefusesWrongIssuerAudienceAndType) {
  auto claims = valid_claims();
  claims["iss"] = "https://personae.test/";
  expect_refused(signed_with_k1(claims), "wrong issuer");
  claims = valid_claims();
  claims["aud"] = "other-api";
  expect_refused(signed_with_k1(claims), "wrong audience");
  claims["aud"] = nlohmann::json::array({"other-api", "third-api"});
  expect_refused(signed_with_k1(claims), "wrong audience");
  claims["aud"] = nlohmann::json::array({"other-api", "personae-api"});
  EXPECT_TRUE(verifier_.verify(signed_with_k1(claims), kNow));
  claims.erase("aud");
  expect_refused(signed_with_k1(claims), "wrong audience");
  claims = valid_claims();
  claims["typ"] = "refresh";
  expect_refused(signed_with_k1(claims), "wrong token type");
  expect_refused(assemble({{"alg", "ES256"}, {"kid", "k1"}, {"typ", "rt+jwt"}}, valid_claims(), "AAAA"),
                 "wrong header type");

  const auto issued = issuer_.issue("user-1", "tenant-1", kNow);
  ASSERT_TRUE(issued);
  auto other_audience = options();
  other_audience.audience = "admin-api";
  const auto refused = JwtVerifier(keys_, other_audience).verify(issued->token, kNow);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().detail, "wrong audience");
}

TEST_F(JwtTest, RefusesMissingClaims) {
  const std::pair<const char*, std::string_view> required[] = {
      {"sub", "missing subject"},
      {"tid", "missing tenant"},
      {"jti", "missing token id"},
      {"exp", "missing or malformed time claims"},
      {"nbf", "missing or malformed time claims"},
      {"iat", "missing or malformed time claims"},
      {"typ", "wrong token type"},
      {"iss", "wrong issuer"},
  };
  for (const auto& [claim, reason] : required) {
    auto claims = valid_claims();
    claims.erase(claim);
    expect_refused(signed_with_k1(claims), reason);
  }
  auto claims = valid_claims();
  claims["sub"] = "";
  expect_refused(signed_with_k1(claims), "missing subject");
  claims = valid_claims();
  claims["exp"] = "never";
  expect_refused(signed_with_k1(claims), "missing or malformed time claims");
}

TEST_F(JwtTest, RefusesOversizedAndMalformedTokens) {
  auto claims = valid_claims();
  claims["padding"] = std::string(kMaxTokenBytes, 'x');
  expect_refused(signed_with_k1(claims), "token too large");
  expect_refused(std::string(kMaxTokenBytes + 1, 'a'), "token too large");

  const auto issued = issuer_.issue("user-1", "tenant-1", kNow);
  ASSERT_TRUE(issued);
  const auto& token = issued->token;
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  expect_refused("", "malformed token");
  expect_refused("garbage", "malformed token");
  expect_refused(token.substr(0, second), "malformed token");  // two parts
  expect_refused(token + ".AAAA", "malformed token");          // four parts
  expect_refused(token.substr(0, first) + ".." + token.substr(second + 1), "malformed token");
  expect_refused("!!!!" + token.substr(first), "malformed header");
  expect_refused(base64url_encode("[1,2]") + token.substr(first), "malformed header");
  expect_refused(base64url_encode("{\"alg\":") + token.substr(first), "malformed header");
  expect_refused(std::string("\0", 1) + token, "malformed header");
}

TEST(JwtKeyRotation, OldKeysVerifyUntilRemoved) {
  const auto old_pem = private_pem();
  const auto new_pem = private_pem();
  const auto before = key_set({{"2025-01", old_pem}});
  const auto old_token = JwtIssuer(before, options()).issue("user-1", "tenant-1", kNow);
  ASSERT_TRUE(old_token);

  const auto rotated = key_set({{"2025-01", old_pem}, {"2025-02", new_pem}});
  ASSERT_TRUE(rotated->set_active("2025-02"));
  const auto new_token = JwtIssuer(rotated, options()).issue("user-1", "tenant-1", kNow);
  ASSERT_TRUE(new_token);
  EXPECT_EQ(new_token->claims.key_id, "2025-02");
  const JwtVerifier verifier(rotated, options());
  EXPECT_TRUE(verifier.verify(old_token->token, kNow));
  EXPECT_TRUE(verifier.verify(new_token->token, kNow));

  auto retired = std::make_shared<JwtKeySet>(*rotated);
  EXPECT_TRUE(retired->remove("2025-01"));
  const JwtVerifier after_removal(retired, options());
  const auto refused = after_removal.verify(old_token->token, kNow);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().detail, "unknown key id");
  EXPECT_TRUE(after_removal.verify(new_token->token, kNow));
}

TEST(JwtKeySetFiles, GeneratesAndLoadsKeysNewestFirst) {
  personae::testing::TempDir dir;
  const auto keys_dir = dir.path() / "jwt";
  EXPECT_EQ(JwtKeySet::load_directory(keys_dir).error().code, ErrorCode::kNotFound);
  const auto first = JwtKeySet::generate_key_file(keys_dir);
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_TRUE(JwtKeySet::is_valid_kid(*first));
  struct stat info {};
  ASSERT_EQ(::stat((keys_dir / (*first + ".pem")).c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);

  // A second key whose name sorts later becomes the active one; the first still verifies.
  std::ofstream(keys_dir / "zz-newer.pem") << private_pem();
  std::ofstream(keys_dir / "README.txt") << "ignored";
  // Written with the default umask (0644): a private key others can read is refused, by name.
  const auto exposed = JwtKeySet::load_directory(keys_dir);
  ASSERT_FALSE(exposed);
  EXPECT_EQ(exposed.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(exposed.error().message.find("zz-newer.pem has mode 0644"), std::string::npos)
      << exposed.error().message;
  EXPECT_NE(exposed.error().message.find("chmod 600"), std::string::npos);
  std::filesystem::permissions(keys_dir / "zz-newer.pem",
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const auto loaded = JwtKeySet::load_directory(keys_dir);
  ASSERT_TRUE(loaded) << loaded.error().detail;
  EXPECT_EQ(loaded->active()->kid, "zz-newer");
  EXPECT_EQ(loaded->kids(), (std::vector<std::string>{*first, "zz-newer"}));
  const auto explicit_active = JwtKeySet::load_directory(keys_dir, *first);
  ASSERT_TRUE(explicit_active);
  EXPECT_EQ(explicit_active->active()->kid, *first);
  EXPECT_FALSE(JwtKeySet::load_directory(keys_dir, "missing"));

  // A verification-only public key can be kept for a retired key, readable by anyone.
  std::ofstream(keys_dir / "aa-retired.pem") << loaded->find("zz-newer")->public_pem;
  const auto with_public = JwtKeySet::load_directory(keys_dir);
  ASSERT_TRUE(with_public) << with_public.error().detail;
  EXPECT_TRUE(with_public->find("aa-retired")->private_pem.empty());
  JwtKeySet copy = *with_public;
  EXPECT_FALSE(copy.set_active("aa-retired"));
}

TEST(JwtKeySetFiles, RefusesKeysThatAreNotP256) {
  JwtKeySet set;
  EXPECT_FALSE(set.add_private_key("rsa", rsa_private_pem()));
  EXPECT_FALSE(set.add_private_key("junk", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
  EXPECT_FALSE(set.add_private_key("../k", private_pem()));
  EXPECT_TRUE(set.add_private_key("k", private_pem()));
  EXPECT_FALSE(set.add_private_key("k", private_pem()));
  EXPECT_EQ(set.active()->kid, "k");
  EXPECT_FALSE(JwtIssuer(std::make_shared<JwtKeySet>(), options()).issue("u", "t", kNow));
}

TEST(JwtOptionsCheck, RefusesUnsafeOptions) {
  auto keys = std::make_shared<JwtKeySet>();
  auto bad = options();
  bad.leeway = 61s;
  EXPECT_THROW(JwtVerifier(keys, bad), ConfigError);
  bad = options();
  bad.audience.clear();
  EXPECT_THROW(JwtIssuer(keys, bad), ConfigError);
}

}  // namespace
}  // namespace personae::security
