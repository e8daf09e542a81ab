// libFuzzer target: the access-token verifier on arbitrary bytes. Everything before the signature
// check (splitting, base64url, the header JSON, the algorithm and kid rules) sees attacker input.
// Invariant: nothing crashes, and nothing but a token signed by our key verifies.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "security/jwt.hpp"

namespace {

using personae::security::JwtIssuer;
using personae::security::JwtKeySet;
using personae::security::JwtOptions;
using personae::security::JwtVerifier;

struct Fixture {
  Fixture() {
    auto pem = JwtKeySet::generate_private_pem();
    if (!pem) std::abort();
    auto set = std::make_shared<JwtKeySet>();
    if (!set->add_private_key("fuzz", *pem)) std::abort();
    if (!set->set_active("fuzz")) std::abort();
    keys = set;
    JwtOptions options;
    options.issuer = "personae";
    options.audience = "personae-api";
    verifier = std::make_unique<JwtVerifier>(keys, options);
  }

  std::shared_ptr<const JwtKeySet> keys;
  std::unique_ptr<JwtVerifier> verifier;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  const auto verified = fixture.verifier->verify(token, std::chrono::system_clock::now());
  // Random bytes cannot carry a valid ES256 signature of our key.
  if (verified) std::abort();
  return 0;
}
