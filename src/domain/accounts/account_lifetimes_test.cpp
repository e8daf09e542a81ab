#include <gtest/gtest.h>

#include "domain/accounts/api_key.hpp"
#include "domain/accounts/invitation.hpp"
#include "domain/accounts/session.hpp"
#include "domain/accounts/setup_token.hpp"

namespace personae {
namespace {

TEST(AccountLifetimes, SessionIsActiveUntilUsedRevokedOrExpired) {
  Session session;
  session.expires_at_unix_ms = 200;
  session.family_expires_at_unix_ms = 300;
  EXPECT_TRUE(session.active_at(100));
  EXPECT_FALSE(session.active_at(200));
  session.expires_at_unix_ms = 400;
  EXPECT_TRUE(session.active_at(299));
  EXPECT_FALSE(session.active_at(300));

  Session used = session;
  used.used_at_unix_ms = 50;
  EXPECT_FALSE(used.active_at(100));
  Session revoked = session;
  revoked.revoked_at_unix_ms = 50;
  EXPECT_FALSE(revoked.active_at(100));
}

TEST(AccountLifetimes, ApiKeyWithoutExpiryLastsUntilRevoked) {
  ApiKey key;
  EXPECT_TRUE(key.usable_at(1'000'000));
  key.expires_at_unix_ms = 10;
  EXPECT_TRUE(key.usable_at(9));
  EXPECT_FALSE(key.usable_at(10));
  key.expires_at_unix_ms.reset();
  key.revoked_at_unix_ms = 5;
  EXPECT_FALSE(key.usable_at(1));
}

TEST(AccountLifetimes, InvitationAndSetupTokenAreSingleUseAndExpire) {
  Invitation invitation;
  invitation.expires_at_unix_ms = 10;
  EXPECT_TRUE(invitation.pending_at(9));
  EXPECT_FALSE(invitation.pending_at(10));
  invitation.accepted_at_unix_ms = 1;
  EXPECT_FALSE(invitation.pending_at(5));
  invitation.accepted_at_unix_ms.reset();
  invitation.revoked_at_unix_ms = 1;
  EXPECT_FALSE(invitation.pending_at(5));

  SetupToken token;
  token.expires_at_unix_ms = 10;
  EXPECT_TRUE(token.valid_at(9));
  EXPECT_FALSE(token.valid_at(10));
  token.used_at_unix_ms = 2;
  EXPECT_FALSE(token.valid_at(5));
}

}  // namespace
}  // namespace personae
