#include "security/url_signer.hpp"

#include <gtest/gtest.h>

namespace personae::security {
namespace {

TEST(UrlSigner, SignaturesBindTheWholeMessage) {
  const UrlSigner signer(UrlSigner::derive_key(std::string(32, 'k'), "media-link-v1"));
  const auto signature = signer.sign("t1\nm1\noriginal\n1700000000");
  EXPECT_EQ(signature.size(), 64U);
  EXPECT_TRUE(signer.verify("t1\nm1\noriginal\n1700000000", signature));
  EXPECT_FALSE(signer.verify("t1\nm1\noriginal\n1700000001", signature));
  EXPECT_FALSE(signer.verify("t2\nm1\noriginal\n1700000000", signature));
  EXPECT_FALSE(signer.verify("t1\nm1\noriginal\n1700000000", signature.substr(0, 63) + "0"));
  EXPECT_FALSE(signer.verify("t1\nm1\noriginal\n1700000000", ""));
}

TEST(UrlSigner, DerivedKeysDifferByPurposeAndShortKeysAreRefused) {
  const std::string master(32, 'm');
  const UrlSigner links(UrlSigner::derive_key(master, "media-link-v1"));
  const UrlSigner other(UrlSigner::derive_key(master, "something-else"));
  EXPECT_NE(links.sign("x"), other.sign("x"));
  EXPECT_THROW(UrlSigner("short"), std::invalid_argument);
}

TEST(UrlSigner, MatchesAKnownHmacVector) {
  // printf message | openssl dgst -sha256 -hmac aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
  const UrlSigner signer(std::string(32, 'a'));
  EXPECT_EQ(signer.sign("message"), "733acca21c5415bc65e619d5d00e2529789321cd32b48d4f276da58e5b8a10b6");
}

}  // namespace
}  // namespace personae::security
